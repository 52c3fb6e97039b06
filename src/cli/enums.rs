//! Command-line names of the library's choice enums: the library types do
//! not derive clap's traits (issue #13: clap stays in `cli`); their names
//! here are the same as their serde names, which a test checks.

use crate::convex::columns::Strategy;
use crate::convex::{Backend, Ldl};
use crate::train::Method;
use clap::ValueEnum;
use clap::builder::PossibleValue;

impl ValueEnum for Backend {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Backend::Clarabel,
            Backend::ClarabelPrimal,
            Backend::GoodLp,
            Backend::Simplex,
            Backend::Highs,
            Backend::DenseIpm,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Backend::Clarabel => PossibleValue::new("clarabel")
                .help("Clarabel on the dual (D_N), built directly as CSC"),
            Backend::ClarabelPrimal => PossibleValue::new("clarabel-primal")
                .help("Clarabel on the primal conic form of (P_N)"),
            Backend::GoodLp => PossibleValue::new("good-lp")
                .help("the same LP through good_lp (Clarabel underneath); no noisy variant"),
            Backend::Simplex => PossibleValue::new("simplex").help(
                "the simplex method of microlp through good_lp (independent of Clarabel; vertex solutions); no noisy variant",
            ),
            Backend::Highs => PossibleValue::new("highs").help(
                "HiGHS's dual simplex through good_lp (C++, independent of Clarabel and microlp; vertex solutions); no noisy variant",
            ),
            Backend::DenseIpm => PossibleValue::new("dense-ipm").help(
                "a dense interior point on the normal equations Phi D Phi^T; Clarabel where it does not apply (noisy data, zero costs) or does not converge",
            ),
        })
    }
}

impl ValueEnum for Strategy {
    fn value_variants<'a>() -> &'a [Self] {
        &[Strategy::Full, Strategy::Columns]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Strategy::Full => PossibleValue::new("full").help("one LP on every column"),
            Strategy::Columns => PossibleValue::new("columns").help("column generation"),
        })
    }
}

impl ValueEnum for Ldl {
    fn value_variants<'a>() -> &'a [Self] {
        &[Ldl::Auto, Ldl::Qdldl]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Ldl::Auto => PossibleValue::new("auto")
                .help("faer's supernodal LDL where the factor is dense, QDLDL elsewhere"),
            Ldl::Qdldl => PossibleValue::new("qdldl").help("QDLDL always"),
        })
    }
}

impl ValueEnum for Method {
    fn value_variants<'a>() -> &'a [Self] {
        &[Method::Al, Method::Penalized]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Method::Al => PossibleValue::new("al")
                .help("augmented Lagrangian for the constrained problem (3)"),
            Method::Penalized => PossibleValue::new("penalized").help("the penalized problem (2)"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_names<T: ValueEnum + serde::Serialize>() {
        for v in T::value_variants() {
            let cli = v.to_possible_value().unwrap().get_name().to_string();
            let serde = serde_json::to_value(v).unwrap();
            assert_eq!(serde.as_str(), Some(cli.as_str()));
        }
    }

    /// The names a user types are the names the JSON prints.
    #[test]
    fn command_line_names_are_the_serde_names() {
        same_names::<Backend>();
        same_names::<Strategy>();
        same_names::<Ldl>();
        same_names::<Method>();
    }
}
