//! The sliding step (`certify::sliding`, docs/theory.md 4, 9) on a measure
//! with a near-Dirac atom: its amplitude is about 1e6 times the others', on
//! a column about 1e-6 times as long. The slid measure is checked by
//! `verify_atoms` (residual recomputed unit by unit), and its cost against
//! the start's and against an LP on a fine grid (a lower bound of (11) up to
//! the grid's error, computed without sliding).

mod common;
use common::*;
use inrsamp::certify::sliding::slide;
use inrsamp::certify::teacher::network_of;
use inrsamp::certify::verdict::{teacher_measurements, verdict_plan};
use inrsamp::certify::verified::{VerifySettings, verify_atoms};
use inrsamp::convex::atoms::Atom;

fn atom(c: f64, w: [f64; 3]) -> Atom {
    let n = norm(&w);
    Atom {
        c: c * n,
        w: w.iter().map(|v| v / n).collect(),
        psi: f64::NAN,
        members: Vec::new(),
    }
}

#[test]
fn a_near_dirac_atom_does_not_freeze_the_slide() {
    // d = 1, K0 = 1, K = 2, psi_std: g_w(x) = w0 + w1 cos x + w2 sin x. The
    // third unit peaks at height h = 1e-4 of its norm (w0 = h - 1; the floor
    // below which a unit counts as vanished is 1e-6): its column is of order
    // h^(3/2) = 1e-6, and an amplitude 1e6 gives it a contribution like the
    // others'. The measure is feasible (the data are its own) but far from
    // optimal: that contribution costs 1e6 under psi_std.
    let spec = spec(1, 1, 2, "std");
    let plan = verdict_plan(&spec).unwrap();
    let h = 1e-4;
    let start = vec![
        atom(1.0, [0.2, 0.9, -0.3]),
        atom(-0.6, [-0.1, 0.2, 0.8]),
        atom(1e6, [h - 1.0, 0.6, 0.8]),
    ];
    let y = teacher_measurements(&spec, &plan, &network_of(&spec, &start)).unwrap();
    let s = VerifySettings::default();
    let before = verify_atoms(&spec, &plan, start.clone(), &y, 0.0, &s).unwrap();
    assert!(before.verified, "the start is feasible");
    assert!(
        before.cost > 1e5,
        "the near-Dirac atom dominates: {}",
        before.cost
    );
    let slid = slide(&spec, &plan, &start, &y, s.residual_tol)
        .unwrap()
        .expect("the start is feasible, so restoration succeeds");
    let after = verify_atoms(&spec, &plan, slid, &y, 0.0, &s).unwrap();
    assert!(
        after.verified,
        "slid residual {:e} |y|",
        after.relative_residual
    );
    // A sliding step that moves the near-Dirac atom at all lowers the cost
    // by orders of magnitude: its cost per unit of contribution falls like
    // h^(-3/2) as it thickens.
    assert!(
        after.cost < 1e-3 * before.cost,
        "cost {} -> {}",
        before.cost,
        after.cost
    );
}
