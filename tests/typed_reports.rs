//! The typed reports print the names the text output and the README use:
//! a solver status serializes to its `name()` (the `--json` value of
//! `status`, `convex_status`), for every status.

use inrsamp::convex::Status;

#[test]
fn status_serializes_to_its_name() {
    let all = [
        Status::Solved,
        Status::AlmostSolved,
        Status::PrimalInfeasible,
        Status::AlmostPrimalInfeasible,
        Status::DualInfeasible,
        Status::AlmostDualInfeasible,
        Status::MaxIterations,
        Status::MaxTime,
        Status::NumericalError,
        Status::InsufficientProgress,
        Status::Unsolved,
        Status::CallbackTerminated,
    ];
    for s in all {
        let v = serde_json::to_value(s).unwrap();
        assert_eq!(v.as_str(), Some(s.name()), "{s:?}");
    }
}

#[test]
fn lower_source_serializes_to_its_name() {
    use inrsamp::certify::refine::LowerSource;
    for (s, name) in [
        (LowerSource::FinalLp, "final_lp"),
        (LowerSource::Refinement, "refinement"),
        (LowerSource::Hint, "hint"),
        (LowerSource::Certificate, "certificate"),
    ] {
        let v = serde_json::to_value(s).unwrap();
        assert_eq!(v.as_str(), Some(name), "{s:?}");
        assert_eq!(s.name(), name);
    }
}
