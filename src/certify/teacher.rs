//! The teacher and a measure as networks, for the verdict (docs/theory.md
//! 6, 9): the teacher's measurements on the verdict's operator, the plan
//! of a verdict (exact columns where they exist), the network of a
//! measure, and the relative L2 distance on which "the measure is the
//! teacher" is decided.

use super::eta::psi_for;
use crate::convex::atoms::Atom;
use crate::dictionary::DiscretizationPlan;
use crate::error::Result;
use crate::inr::network::{ShallowInr, Unit};
use crate::measurement::{measure_at, measure_exact};
use crate::spec::ProblemSpec;

/// Points per axis of the grid on which functions are compared.
pub fn eval_grid(d: usize) -> usize {
    match d {
        1 => 4096,
        2 => 128,
        _ => 32,
    }
}

/// Relative L2 distance of two networks on the evaluation grid.
pub fn function_rel_error(a: &ShallowInr, b: &ShallowInr) -> f64 {
    let n = eval_grid(a.d);
    let fa = a.grid_values(n);
    let fb = b.grid_values(n);
    let num: f64 = fa
        .iter()
        .zip(&fb)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt();
    let den: f64 = fb.iter().map(|y| y * y).sum::<f64>().sqrt();
    if den > 0.0 { num / den } else { num }
}

/// Fills `psi` of each atom.
pub fn fill_psi(spec: &ProblemSpec, plan: &DiscretizationPlan, atoms: &mut [Atom]) -> Result<()> {
    let psi = psi_for(spec, plan)?;
    for a in atoms.iter_mut() {
        a.psi = psi.value(&a.w)?;
    }
    Ok(())
}

/// A network from atoms (`a = c`).
pub fn network_of(spec: &ProblemSpec, atoms: &[Atom]) -> ShallowInr {
    ShallowInr {
        d: spec.d,
        k0: spec.k0,
        units: atoms
            .iter()
            .map(|a| Unit {
                a: a.c,
                w: a.w.clone(),
            })
            .collect(),
    }
}

/// The teacher's measurements with the plan's method (so that a teacher
/// direction on the grid has exactly the teacher's column).
pub fn teacher_measurements(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    teacher: &ShallowInr,
) -> Result<Vec<f64>> {
    if plan.exact {
        measure_exact(spec, teacher)
    } else {
        measure_at(spec, teacher, plan.n_quad)
    }
}

/// The plan of a verdict: exact coefficients where they exist (d = 1, and
/// d = 2 with K0 = 1), whatever the spec asks; the spec's plan otherwise.
pub fn verdict_plan(spec: &ProblemSpec) -> Result<DiscretizationPlan> {
    let mut plan = DiscretizationPlan::for_spec(spec)?;
    if spec.d == 1 || (spec.d == 2 && spec.k0 == 1) {
        plan.exact = true;
    }
    Ok(plan)
}
