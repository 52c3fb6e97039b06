//! The teacher's own measure (docs/theory.md 9, "Upper bounds come from
//! measures"): its support, the hypothesis a certificate is built for, and
//! its cost as an upper end of the bracket.
//!
//! In `certify` the data are the teacher's measurements, `y = A_K f_T`, and
//! by positive homogeneity `f_T = sum_j a_j sigma(g_{w_j})` is the measure
//! `mu_T = sum_j a_j |w_j| delta_{w_j / |w_j|}` with `A mu_T = y` and cost
//! `sum_j |a_j| psi(w_j)`: a feasible point of (11), so `value(11) <=
//! cost(mu_T)`. That is a fact about the problem the user asked about (the
//! teacher is its input, not hidden ground truth), and it is checked like
//! any measure: its residual recomputed unit by unit on the bracket's
//! operator ([`verify_atoms`]), its cost from the atoms. When the refined
//! LP's verified measure costs more (the refinement did not reach the
//! teacher), the teacher's measure is the bracket's upper end and the
//! report says so ([`UpperSource::Teacher`]).

use super::precert::SupportAtom;
use super::refine::{CertifiedSolve, SolveOptions};
use super::verified::{VerifiedMeasure, verify_atoms};
use crate::convex::atoms::Atom;
use crate::dictionary::DiscretizationPlan;
use crate::error::Result;
use crate::inr::network::ShallowInr;
use crate::spec::ProblemSpec;
use serde::Serialize;

/// Where the upper end of a verdict's bracket comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpperSource {
    /// The refined LP's verified measure (or the optimality system's).
    Refinement,
    /// The teacher's own measure, verified on the bracket's operator.
    Teacher,
    /// No verified measure: no upper end.
    None,
}

impl UpperSource {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            UpperSource::Refinement => "refinement",
            UpperSource::Teacher => "teacher",
            UpperSource::None => "none",
        }
    }
}

/// The teacher's units as atoms on the sphere: direction `w / |w|`, mass
/// `a |w|` (units with `a = 0` or `w = 0` left out; `psi` not filled).
pub fn teacher_atoms(teacher: &ShallowInr) -> Vec<Atom> {
    teacher
        .units
        .iter()
        .filter(|u| u.a != 0.0 && crate::numeric::norm2(&u.w) > 0.0)
        .map(|u| {
            let n = crate::numeric::norm2(&u.w);
            Atom {
                c: u.a * n,
                w: u.w.iter().map(|v| v / n).collect(),
                psi: f64::NAN,
                members: Vec::new(),
            }
        })
        .collect()
}

/// The teacher's support with the signs of its masses (the hypothesis of
/// the certificate).
pub fn teacher_support(teacher: &ShallowInr) -> Vec<SupportAtom> {
    teacher_atoms(teacher)
        .into_iter()
        .map(|a| SupportAtom {
            sign: a.c.signum(),
            w: a.w,
        })
        .collect()
}

/// The teacher's measure verified against the data `y` on `plan`'s
/// operator (its residual recomputed unit by unit).
pub fn verify_teacher(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    teacher: &ShallowInr,
    y: &[f64],
    opts: &SolveOptions,
) -> Result<VerifiedMeasure> {
    verify_atoms(
        spec,
        plan,
        teacher_atoms(teacher),
        y,
        opts.delta,
        &opts.verify,
    )
}

/// The solve's upper end lowered to the teacher's verified cost when that
/// is lower (or the solve has none); returns where the upper end now comes
/// from.
pub fn lower_upper_end(solve: &mut CertifiedSolve, teacher: &VerifiedMeasure) -> UpperSource {
    let own = if solve.certified_upper.is_finite() {
        UpperSource::Refinement
    } else {
        UpperSource::None
    };
    // A NaN upper end (no verified measure) gives way too.
    if teacher.verified && (solve.certified_upper.is_nan() || teacher.cost < solve.certified_upper)
    {
        solve.certified_upper = teacher.cost;
        return UpperSource::Teacher;
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inr::network::Unit;

    #[test]
    fn atoms_carry_the_units_norm_and_skip_dead_units() {
        let t = ShallowInr {
            d: 1,
            k0: 1,
            units: vec![
                Unit {
                    a: -2.0,
                    w: vec![0.0, 3.0, 4.0],
                },
                Unit {
                    a: 0.0,
                    w: vec![1.0, 0.0, 0.0],
                },
                Unit {
                    a: 1.0,
                    w: vec![0.0, 0.0, 0.0],
                },
            ],
        };
        let a = teacher_atoms(&t);
        assert_eq!(a.len(), 1);
        // a |w| = -2 * 5; direction (0, 0.6, 0.8).
        assert!((a[0].c + 10.0).abs() < 1e-15);
        assert!((a[0].w[1] - 0.6).abs() < 1e-15 && (a[0].w[2] - 0.8).abs() < 1e-15);
        let s = teacher_support(&t);
        assert_eq!(s[0].sign, -1.0);
    }
}
