//! The pieces of one refinement round (docs/theory.md 5-6, 9; driven by
//! [`super::refine`]): the sup search of a dual vector, the optimality
//! system started from the LP's clusters, violator insertion into it, the
//! stencil of columns around its atoms, and the next round's new columns.

use super::bound::BnbSettings;
use super::eta::{EtaField, auto_dense_points, dense_eta, dictionary_eta};
use super::kkt::{KktSolution, solve_kkt};
use super::refine::DUPLICATE_COS;
use super::refine::SolveOptions;
use super::sliding::slide;
use super::sup::limit_columns;
use super::sup::{SupBound, sup_bound};
use crate::convex::atoms::{Atom, AtomSettings, atoms_weighted};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::spec::ProblemSpec;

/// Refinement rounds search a dense design of `1 / ROUND_DENSE_DIVISOR` of
/// the automatic size (the final bracket searches the full one).
pub const ROUND_DENSE_DIVISOR: usize = 4;

/// Dot product.
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The optimality system is tried when the search estimate of the LP's
/// `sup |eta|` is at most `1 + KKT_GATE`.
pub const KKT_GATE: f64 = 0.25;

/// Step (radians) of the stencil of columns added around the atoms of the
/// optimality system.
pub const STENCIL_STEP: f64 = 1e-3;

/// Violators inserted into the optimality system per round.
pub const KKT_INSERTIONS: usize = 4;
/// An inserted atom starts with this fraction of the mean amplitude.
pub const INSERT_AMPLITUDE: f64 = 1e-2;

/// Clusters carrying at least these fractions of the LP cost start the
/// optimality system, tried in order (small clusters are often spurious and
/// make the system singular; the complete set is tried last).
pub const KKT_CLUSTER_SHARES: [f64; 2] = [1e-3, 0.0];

/// The LP's atoms within [`super::refine::SLIDE_MERGE_RADIUS`] merged (the
/// start of the optimality system and the slid columns). For psi_mod they
/// are sized by their cost `|c_j| psi_j`: thin units carry a huge `|c_j|`
/// at a tiny cost, and sized by `|c_j|` they put every ordinary atom under
/// the threshold of [`AtomSettings`] (seen on `certify --d 2 --k0 1 --k 2
/// --psi mod --teacher random --width 2 --seed 21000`: every start of the
/// system was thin, and the LP's ordinary atoms were never slid). For
/// psi_std and psi_pre, `psi` lies in `[1/sqrt 2, 1]` on the unit sphere,
/// so `|c_j|` is the cost within a factor `sqrt 2`, and they stay sized by
/// `|c_j|` (the paths of committed runs unchanged).
pub fn lp_clusters(spec: &ProblemSpec, c: &[f64], dict: &Dictionary) -> Vec<Atom> {
    let ones;
    let weights = if matches!(spec.psi, crate::inr::psi::PsiKind::Mod { .. }) {
        &dict.psi
    } else {
        ones = vec![1.0; c.len()];
        &ones
    };
    atoms_weighted(
        c,
        &dict.directions,
        dict.dim,
        weights,
        &AtomSettings {
            merge_radius: super::refine::SLIDE_MERGE_RADIUS,
            ..AtomSettings::default()
        },
    )
}

/// The optimality system ([`super::kkt`]) started from the LP's clusters.
pub(super) fn kkt_from_clusters(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    clusters: &[crate::convex::atoms::Atom],
    lambda: &[f64],
    y: &[f64],
) -> Result<Option<KktSolution>> {
    let psi = super::eta::psi_for(spec, plan)?;
    let weights: Vec<f64> = clusters
        .iter()
        .map(|a| Ok(a.c.abs() * psi.value(&a.w)?))
        .collect::<Result<Vec<_>>>()?;
    let total: f64 = weights.iter().sum();
    let mut tried = usize::MAX;
    for share in KKT_CLUSTER_SHARES {
        let start: Vec<_> = clusters
            .iter()
            .zip(&weights)
            .filter(|(_, w)| **w >= share * total)
            .map(|(a, _)| a.clone())
            .collect();
        if start.len() == tried || start.is_empty() {
            continue;
        }
        tried = start.len();
        if let Some(k) = solve_kkt(spec, plan, &start, lambda, y)? {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

/// One `lambda` with its sup search.
pub(super) struct Searched {
    /// The dual vector.
    pub(super) lambda: Vec<f64>,
    /// Its dual value `lambda . y` (the LP's dual objective for the LP's).
    pub(super) dual: f64,
    /// Its field.
    pub(super) field: EtaField,
    /// The search estimate of its sup.
    pub(super) sup: SupBound,
}

/// The search estimate of `sup |eta_lambda|` (no branch-and-bound: rounds).
pub(super) fn search_lambda(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    lambda: Vec<f64>,
    dual: f64,
    opts: &SolveOptions,
) -> Result<Searched> {
    let field = EtaField::new(spec, plan, lambda.clone())?;
    let mut candidates = dictionary_eta(dict, &lambda);
    let n = if opts.sup.dense_points > 0 {
        opts.sup.dense_points
    } else {
        auto_dense_points(spec.feature_dim()) * opts.refine.round_effort() / ROUND_DENSE_DIVISOR
    };
    candidates.extend(dense_eta(spec, plan, &lambda, n, opts.sup.seed)?);
    let no_bnb = BnbSettings {
        max_dim: 0,
        ..opts.bnb
    };
    let sup = sup_bound(
        spec,
        plan,
        &field,
        &candidates,
        &super::eta::SupSettings {
            starts: opts.sup.starts * opts.refine.round_effort(),
            ..opts.sup
        },
        &no_bnb,
        None,
        |_| None,
    )?;
    Ok(Searched {
        lambda,
        dual,
        field,
        sup,
    })
}

/// Columns at [`STENCIL_STEP`] along every tangent axis of the unit `w`, on
/// both sides (row-major): with them the next LP's `eta` cannot rise above
/// 1 next to `w`.
pub(super) fn stencil(w: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    for b in super::local_max::tangent_basis(w) {
        for sgn in [1.0, -1.0] {
            let v: Vec<f64> = w
                .iter()
                .zip(&b)
                .map(|(a, t)| a + sgn * STENCIL_STEP * t)
                .collect();
            let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            out.extend(v.iter().map(|x| x / n));
        }
    }
    out
}

/// Insertion: the largest violator of the last searched `lambda` joins the
/// system's atoms (a small amplitude of the violation's sign) and the
/// system is solved again, without an LP in between, at most
/// [`KKT_INSERTIONS`] times while the cost decreases. Each new solution's
/// `lambda` is searched (pushed to `searched`) and its atoms recorded in
/// `atoms`; returns the cheapest new solution.
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_violators(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    y: &[f64],
    opts: &SolveOptions,
    first: &KktSolution,
    searched: &mut Vec<Searched>,
    atoms: &mut Vec<Vec<f64>>,
) -> Result<Option<KktSolution>> {
    let mut current = first.clone();
    let mut cheapest: Option<KktSolution> = None;
    for _ in 0..KKT_INSERTIONS {
        let Some(last) = searched.last() else {
            break;
        };
        let Some(v) = last
            .sup
            .argmax
            .as_ref()
            .filter(|v| v.eta.abs() > 1.0 + opts.refine.eps_for(&spec.psi))
        else {
            break;
        };
        let mean_c =
            current.atoms.iter().map(|a| a.c.abs()).sum::<f64>() / current.atoms.len() as f64;
        let mut start_atoms = current.atoms.clone();
        start_atoms.push(crate::convex::atoms::Atom {
            c: v.eta.signum() * INSERT_AMPLITUDE * mean_c,
            w: v.w.clone(),
            psi: f64::NAN,
            members: Vec::new(),
        });
        let Some(next) = solve_kkt(spec, plan, &start_atoms, &current.lambda, y)? else {
            break;
        };
        if next.cost >= current.cost {
            break;
        }
        record_solution(spec, plan, dict, y, opts, &next, searched, atoms)?;
        if cheapest.as_ref().is_none_or(|b| next.cost < b.cost) {
            cheapest = Some(next.clone());
        }
        current = next;
    }
    Ok(cheapest)
}

/// Searches the sup of a solution's `lambda` (pushed to `searched`, with its
/// dual value `lambda . y`) and records its atoms' directions in `atoms`.
#[allow(clippy::too_many_arguments)]
pub(super) fn record_solution(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    y: &[f64],
    opts: &SolveOptions,
    k: &KktSolution,
    searched: &mut Vec<Searched>,
    atoms: &mut Vec<Vec<f64>>,
) -> Result<()> {
    searched.push(search_lambda(
        spec,
        plan,
        dict,
        k.lambda.clone(),
        dot(&k.lambda, y),
        opts,
    )?);
    atoms.extend(k.atoms.iter().map(|a| a.w.clone()));
    Ok(())
}

/// The next round's new columns, as concatenated directions not already in
/// `dict` (within [`super::refine::DUPLICATE_COS`]): the violators the
/// searches found (`reopened`: the thorough search's, when it reopened the
/// refinement; the hint's are not columns), the psi_mod boundary limits
/// above 1, the mass-weighted means of the LP's clusters, and either the
/// optimality system's atoms with their stencils (`kkt_found`) or the
/// clusters slid off the grid.
#[allow(clippy::too_many_arguments)]
pub(super) fn next_columns(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    y: &[f64],
    opts: &SolveOptions,
    reopened: Vec<f64>,
    searched: &[Searched],
    hint_index: Option<usize>,
    clusters: &[Atom],
    kkt_found: bool,
    kkt_atoms: &[Vec<f64>],
) -> Result<Vec<f64>> {
    // Add the violators found off the grid (and by the thorough search
    // when it reopened the refinement).
    let mut count = reopened.len() / dict.dim;
    let mut new_dirs: Vec<f64> = reopened;
    // The hint only bounds from below: its violators are not columns (the
    // refinement's path stays the one without a hint).
    for (_, sr) in searched
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != hint_index)
    {
        let mut here = 0usize;
        for p in sr
            .sup
            .maxima
            .iter()
            .filter(|p| p.eta.abs() > 1.0 + opts.refine.eps_for(&spec.psi))
        {
            if here >= opts.refine.added_per_round(&spec.psi) {
                break;
            }
            new_dirs.extend_from_slice(&p.w);
            here += 1;
        }
        count += here;
        // psi_mod: boundary limits above 1 ask for columns near them.
        let (dirs, n) = limit_columns(spec, &sr.sup, 1.0 + opts.refine.eps_for(&spec.psi));
        new_dirs.extend(dirs);
        count += n;
    }
    if count == 0 {
        // The violation was a grid candidate that ascent did not improve.
        if let Some(a) = &searched[0].sup.argmax {
            new_dirs.extend_from_slice(&a.w);
        }
    }
    // Interior-point solutions spread mass over neighbouring columns; the
    // mass-weighted mean of each cluster is a better support point than
    // any of its members, so it is offered to the next LP too.
    for atom in clusters {
        if atom.members.len() > 1 {
            new_dirs.extend_from_slice(&atom.w);
        }
    }
    if kkt_found {
        // The optimality system's atoms are the next LP's best columns.
        // With a stencil around each: columns at STENCIL_STEP along every
        // tangent axis make the next LP's eta nearly flat at the atoms
        // (eta <= 1 on both sides), where an LP dual otherwise exceeds 1.
        for w in kkt_atoms {
            new_dirs.extend_from_slice(w);
            new_dirs.extend(stencil(w));
        }
    // Otherwise the sliding step moves the clusters off the grid.
    } else if opts.delta == 0.0
        && !clusters.is_empty()
        && let Some(slid) = slide(spec, plan, clusters, y, opts.verify.residual_tol)?
    {
        for a in &slid {
            new_dirs.extend_from_slice(&a.w);
        }
    }
    // Skip directions the dictionary already holds (duplicate columns
    // make the LP degenerate).
    let dim = dict.dim;
    let mut fresh: Vec<f64> = Vec::new();
    for w in new_dirs.chunks(dim) {
        let near =
            |d: &[f64]| d.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() > 1.0 - DUPLICATE_COS;
        let known = (0..dict.len()).any(|j| near(dict.direction(j))) || fresh.chunks(dim).any(near);
        if !known {
            fresh.extend_from_slice(w);
        }
    }
    Ok(fresh)
}
