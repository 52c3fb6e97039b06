//! The types of a certified solve (docs/theory.md 5, 9): the settings of
//! the refinement off the grid, a round's record, the bracket with its
//! verified measure, and what a caller may pass to guide the refinement
//! (re-exported by [`super::refine`], which computes them).

use super::CertificateReport;
use super::bound::{BnbSettings, BoundKind};
use super::eta::SupSettings;
use super::sup::SupBound;
use super::verified::{Operator, VerifiedMeasure, VerifySettings};
use crate::convex::columns::{ColumnSettings, GridSolve, Strategy};
use crate::convex::{Backend, SolveSettings};
use crate::dictionary::Dictionary;
use crate::error::Result;
use serde::Serialize;

/// Settings of the refinement off the grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RefineSettings {
    /// Refine at all (`--refine`).
    pub enabled: bool,
    /// Stop when `sup |eta| <= 1 + eps` or the bracket is eps-tight
    /// (`--eps`; None, the default: the regularizer's,
    /// [`RefineSettings::eps_for`]). Reports hold the value used.
    pub eps: Option<f64>,
    /// Round limit (`--max-rounds`; None, the default: the regularizer's,
    /// [`RefineSettings::rounds_for`]). psi_std and psi_pre brackets left
    /// open at 30 rounds closed at 36 to 61 rounds through the optimality
    /// system; psi_mod ones at widths >= 2 in d = 2 (LP measures of
    /// near-limit units) only narrow, about tenfold per 10 to 25 rounds
    /// (README "Refinement", "The round limit").
    pub max_rounds: Option<usize>,
    /// Maximizers added per round (default 16; times
    /// [`PSI_MOD_ADD_FACTOR`] for psi_mod: [`RefineSettings::added_per_round`]).
    pub add_per_round: usize,
    /// Dual smoothing `alpha` in [0, 1) (`--dual-smoothing`; None, the
    /// default: the regularizer's, [`RefineSettings::smoothing_for`]; 0:
    /// off): from the second round on, `alpha lambda_in + (1 - alpha)
    /// lambda_LP` is searched too, `lambda_in` the best `lambda` so far
    /// scaled to `sup |eta| <= 1` (in-out column generation). Left out of
    /// the serialized settings when None, so the settings hashes of runs
    /// that do not set it are unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smoothing: Option<f64>,
    /// Effort of each round's search of `sup |eta|` (`--round-search E`;
    /// None, the default, is 1): a dense design of `E /
    /// ROUND_DENSE_DIVISOR` of the automatic size and `E` times the
    /// ascents ([`super::exchange::search_lambda`]). The final bracket's
    /// thorough search does not change. Left out of the serialized
    /// settings when None (settings hashes of earlier runs unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_search: Option<usize>,
}

/// Refinement tolerance of psi_std and psi_pre when none is given. With it,
/// 71 of the 72 psi_std and psi_pre instances of trials 0 to 3 of the
/// refinement-target sample (d = 2, K0 = 1, W 1..3, K 2..4) ended with
/// brackets 1e-6-tight, against 68 of 72 with 1e-5; every bracket overlaps
/// its 1e-5 one (README "The refinement tolerance").
pub const DEFAULT_EPS: f64 = 1e-6;
/// Refinement tolerance of psi_mod when none is given: its open brackets
/// at widths 2 and 3 are those of near-limit measures, which a smaller
/// tolerance only keeps refining until the round limit.
pub const PSI_MOD_EPS: f64 = 1e-5;

/// Round limit of psi_std and psi_pre when none is given.
pub const DEFAULT_MAX_ROUNDS: usize = 100;
/// Round limit of psi_mod when none is given: its brackets that need more
/// rounds are those of near-limit measures, which more rounds narrow but
/// did not close to 1e-6 in any of five measured runs (four instances).
pub const PSI_MOD_MAX_ROUNDS: usize = 30;

/// Largest accepted [`RefineSettings::max_rounds`] (`--max-rounds`).
pub const MAX_ROUNDS_LIMIT: usize = 10_000;

/// Checks a round limit (1 to [`MAX_ROUNDS_LIMIT`]); the error names `key`
/// (the flag or the plan's key).
pub fn check_max_rounds(key: &'static str, n: usize) -> crate::error::Result<()> {
    if (1..=MAX_ROUNDS_LIMIT).contains(&n) {
        Ok(())
    } else {
        Err(crate::error::Error::setting(
            key,
            n,
            "the round limit must be between 1 and 10 000",
        ))
    }
}

/// Largest accepted [`RefineSettings::round_search`].
pub const MAX_ROUND_SEARCH: usize = 64;

/// Checks a round search effort (1 to [`MAX_ROUND_SEARCH`]); the error
/// names `key` (the flag or the plan's key).
pub fn check_round_search(key: &'static str, e: Option<usize>) -> crate::error::Result<()> {
    match e {
        Some(e) if !(1..=MAX_ROUND_SEARCH).contains(&e) => Err(crate::error::Error::setting(
            key,
            e,
            "the round search's effort must be between 1 and 64",
        )),
        _ => Ok(()),
    }
}

/// psi_mod adds this many times `add_per_round` maximizers per round. Its
/// minimizing measures for teachers of width >= 2 leave the sphere's
/// interior (units that barely rise above 0, near limit measures on points
/// and curves), and the LP's `lambda` keeps breaking `|eta| <= 1` at many
/// separate places, so few columns per round lower the upper end slowly.
/// Chosen on the tuning seeds (width 2, psi_mod; README "Refinement"): after
/// 30 rounds the verified upper end was lower with 64 than with 16 on all
/// six (seeds 1 and 2 at K = 2 and 3, seeds 0 and 3 at K = 3), and the
/// relative gap smaller on five (1.6e-2 -> 2.5e-3, 8.1e-2 -> 2.4e-2, 2.1e-2
/// -> 1.3e-2, 1.6e-1 -> 5.3e-2, 1.3e-1 -> 5.3e-2; seed 0: 7.8e-2 -> 1.4e-1,
/// its lower end, the sup of the best `lambda`, fell) at about the same
/// time; 256 was no better than 64 on the first four.
pub const PSI_MOD_ADD_FACTOR: usize = 4;

/// psi_mod's default dual smoothing (psi_std and psi_pre: 0, off). For the
/// same reason as [`PSI_MOD_ADD_FACTOR`] the LP's `lambda` of a psi_mod
/// refinement keeps breaking `|eta| <= 1` while its value barely moves; the
/// smoothed point closes the bracket from below and its violators are
/// columns the LP misses. Chosen on the tuning seeds (width 2, psi_mod, 64
/// a round; README "Refinement"): after 30 rounds the verified upper end
/// was lower with 0.5 than with 0 on all six, and the relative gap smaller
/// on five (2.5e-3 -> 2.0e-4, 2.4e-2 -> 3.5e-3, 1.3e-2 -> 1.2e-3, 5.3e-2 ->
/// 1.0e-2, 1.4e-1 -> 4.7e-2; seed 3: 5.3e-2 -> 5.7e-2), at 2 to 3 times
/// the time (each round searches two `lambda`).
pub const PSI_MOD_SMOOTHING: f64 = 0.5;

/// Dual smoothing of psi_std and psi_pre once refinement stalls
/// ([`RefineSettings::smoothing_in_round`]; their default is otherwise 0).
/// On `certify --d 2 --k0 1 --k 4 --psi std --teacher random --width 1
/// --seed 20608` (trial 8 of the refinement-target sample) the LP's value
/// stayed at the teacher's cost for 12 rounds and the bracket was still
/// 2.0e-3 open after 100 rounds (2 798 s, loaded); with smoothing 0.5 from
/// the start it closed in 49 rounds (192 s, loaded).
pub const STALL_SMOOTHING: f64 = 0.5;

/// Default dual smoothing when refinement stops at the first verified
/// measure cheaper than the teacher (`certify --decide`): off. The smoothed
/// point tightens the lower end, which a `not_recovered` verdict does not
/// need, and costs a second search of `sup |eta|` every round. Chosen on
/// seven psi_mod width-2 jobs of the paper preset (README "Refinement",
/// under `--decide`; loaded wall times): three `not_recovered` took 45 / 28
/// / 83 s without it against 66 / 38 / 110 s with it, four `unique` 21 / 52
/// / 360 / 461 s against 21 / 52 / 383 / 940 s (that last one's bracket
/// stayed 2 % open with it and closed without). Tested on five fresh
/// width-3 teachers (K = 2..6, all `not_recovered` both ways): 430 s against
/// 479 s in all, faster on each.
pub const DECIDE_SMOOTHING: f64 = 0.0;

impl RefineSettings {
    /// The round search's effort `E` ([`RefineSettings::round_search`], 1
    /// by default).
    pub fn round_effort(&self) -> usize {
        self.round_search.unwrap_or(1).max(1)
    }

    /// Maximizers added per round for this regularizer.
    pub fn added_per_round(&self, psi: &crate::inr::psi::PsiKind) -> usize {
        match psi {
            crate::inr::psi::PsiKind::Mod { .. } => self.add_per_round * PSI_MOD_ADD_FACTOR,
            _ => self.add_per_round,
        }
    }

    /// Refinement tolerance for this regularizer: the setting when given,
    /// else [`DEFAULT_EPS`] for psi_std and psi_pre and [`PSI_MOD_EPS`] for
    /// psi_mod.
    pub fn eps_for(&self, psi: &crate::inr::psi::PsiKind) -> f64 {
        self.eps.unwrap_or(match psi {
            crate::inr::psi::PsiKind::Mod { .. } => PSI_MOD_EPS,
            _ => DEFAULT_EPS,
        })
    }

    /// Round limit for this regularizer: the setting when given, else
    /// [`PSI_MOD_MAX_ROUNDS`] for psi_mod and [`DEFAULT_MAX_ROUNDS`]
    /// otherwise.
    pub fn rounds_for(&self, psi: &crate::inr::psi::PsiKind) -> usize {
        self.max_rounds.unwrap_or(match psi {
            crate::inr::psi::PsiKind::Mod { .. } => PSI_MOD_MAX_ROUNDS,
            _ => DEFAULT_MAX_ROUNDS,
        })
    }

    /// Dual smoothing for this regularizer: the setting when given, else
    /// [`PSI_MOD_SMOOTHING`] for psi_mod and 0 (off) otherwise; when the
    /// refinement only has to decide (`certify --decide`),
    /// [`DECIDE_SMOOTHING`] for every regularizer.
    pub fn smoothing_for(&self, psi: &crate::inr::psi::PsiKind, deciding: bool) -> f64 {
        self.smoothing.unwrap_or(match psi {
            _ if deciding => DECIDE_SMOOTHING,
            crate::inr::psi::PsiKind::Mod { .. } => PSI_MOD_SMOOTHING,
            _ => 0.0,
        })
    }

    /// The dual smoothing of a round: [`Self::smoothing_for`], except that
    /// a default of 0 outside decide mode (psi_std, psi_pre) becomes
    /// [`STALL_SMOOTHING`] once the refinement has `stalled`
    /// ([`super::smoothing::stalled`]). An explicit `--dual-smoothing` is
    /// kept.
    pub fn smoothing_in_round(
        &self,
        psi: &crate::inr::psi::PsiKind,
        deciding: bool,
        stalled: bool,
    ) -> f64 {
        let alpha = self.smoothing_for(psi, deciding);
        if alpha == 0.0 && self.smoothing.is_none() && !deciding && stalled {
            STALL_SMOOTHING
        } else {
            alpha
        }
    }
}

impl Default for RefineSettings {
    fn default() -> Self {
        RefineSettings {
            enabled: false,
            eps: None,
            max_rounds: None,
            add_per_round: 16,
            smoothing: None,
            round_search: None,
        }
    }
}

/// Everything a solve needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SolveOptions {
    /// `full` or `columns`.
    pub strategy: Strategy,
    /// LP backend.
    pub backend: Backend,
    /// Interior-point settings.
    pub solver: SolveSettings,
    /// Column generation settings.
    pub columns: ColumnSettings,
    /// Supremum search settings.
    pub sup: SupSettings,
    /// Refinement settings.
    pub refine: RefineSettings,
    /// Noise level delta (0: equality).
    pub delta: f64,
    /// Branch-and-bound of the final sup.
    pub bnb: BnbSettings,
    /// Verification of the final measure.
    pub verify: VerifySettings,
}

impl SolveOptions {
    /// These options with the refinement tolerance of `psi` written in
    /// (what a report shows: the value used, not `None`).
    pub fn resolved_for(&self, psi: &crate::inr::psi::PsiKind) -> SolveOptions {
        let mut o = *self;
        o.refine.eps = Some(self.refine.eps_for(psi));
        o
    }
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            strategy: Strategy::Columns,
            backend: Backend::DenseIpm,
            solver: SolveSettings::default(),
            columns: ColumnSettings::default(),
            sup: SupSettings::default(),
            refine: RefineSettings::default(),
            delta: 0.0,
            bnb: BnbSettings::default(),
            verify: VerifySettings::default(),
        }
    }
}

/// One refinement round, for the record (`--json`: `history`).
#[derive(Debug, Clone, Serialize)]
pub struct RoundRecord {
    /// Round number (0: the first grid solve).
    pub round: usize,
    /// Columns of the dictionary in this round's LP.
    pub columns: usize,
    /// The LP objective (value of (P_N) on this dictionary).
    pub lp_value: f64,
    /// The best lower estimate so far (`dual / max(1, sup estimate)`).
    pub lower_estimate: f64,
    /// The search estimate of `sup |eta|` at this round's `lambda`.
    pub sup_estimate: f64,
    /// The search estimate of `sup |eta|` at this round's smoothed lambda
    /// (None: not searched; see [`RefineSettings::smoothing`]).
    pub smoothed_sup: Option<f64>,
    /// Atoms of the cheapest solution of the optimality system so far
    /// (None: it has not converged yet).
    pub kkt_atoms: Option<usize>,
    /// Seconds since the start, at the end of this round's search.
    pub seconds: f64,
}

/// What a caller knows that may speed refinement up without changing what
/// a bracket means ([`super::refine::solve_certified_hinted`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Guide<'a> {
    /// A dual candidate searched in the first round.
    pub hint: Option<&'a [f64]>,
    /// Stop once a measure cheaper than this is verified.
    pub stop_below: Option<f64>,
    /// The cost of a measure already verified feasible (`certify`: the
    /// teacher's own, the hypothesis under test): an upper end of the
    /// bracket from the start, so refinement stops once the lower end
    /// reaches it.
    pub feasible_cost: Option<f64>,
    /// Only the final LP's `lambda` will be used (the LP dual on a denser
    /// dictionary, [`super::dense_dual`]): where the thorough search of
    /// the final bracket cannot reopen the refinement (the round limit is
    /// reached), neither it nor the verified measure is computed, and the
    /// solve returns with `sup` and `measure` None and NaN ends. The
    /// rounds, hence the final `lambda`, are those of a full solve.
    pub lambda_only: bool,
    /// The check of the hypothesis's certificate (`certify`: the teacher's
    /// support), made once, when the refinement first ends with the LP's
    /// value at least `feasible_cost` less the refinement tolerance: when
    /// it passes the strict tier and its lower end closes the bracket, that
    /// end replaces the final thorough search
    /// (super::final_bound::certificate_first). A passing report is
    /// returned in [`CertifiedSolve::certificate`].
    pub certificate: Option<CertificateCheck<'a>>,
}

/// A certificate check for a fixed support: given the final LP's `lambda`,
/// the refinement's `lambda` (when it is not the LP's) and the final
/// dictionary, the report of the first candidate that passes the strict
/// tier, None when none does (super::candidates::strict_certificate).
#[derive(Clone, Copy)]
pub struct CertificateCheck<'a>(pub &'a CheckFn<'a>);

/// The function behind [`CertificateCheck`]: (the final LP's `lambda`, the
/// refinement's `lambda`, the final dictionary) to the report.
pub type CheckFn<'a> =
    dyn Fn(&[f64], Option<&[f64]>, &Dictionary) -> Result<Option<CertificateReport>> + 'a;

impl std::fmt::Debug for CertificateCheck<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CertificateCheck")
    }
}

/// Where the `lambda` of a bracket's lower end comes from (any `lambda`
/// gives a valid bound; this says which one was best).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LowerSource {
    /// The last LP's dual vector.
    FinalLp,
    /// An earlier round's LP or the optimality system of (11).
    Refinement,
    /// The hint (`certify`: the teacher's pre-certificate).
    Hint,
    /// The certificate that passed for the teacher's support (`certify`,
    /// super::exact_bracket::certificate_lower): `y . lambda` over the
    /// largest `|eta|` its checks found, used when it is above the solve's
    /// estimated lower end.
    Certificate,
    /// psi_mod with `K' >= K`: `|y| - delta`, which every feasible
    /// measure's cost reaches (super::cauchy_schwarz::data_norm_lower); no
    /// search is made. In decide mode once a cheaper measure decides, and in
    /// every mode when it closes the first LP's bracket
    /// (super::cauchy_schwarz::closed_by_data_norm).
    DataNorm,
}

impl LowerSource {
    /// The source of the lower end computed from `lower_lambda` when no
    /// source is `forced`: the final LP's `lambda`, the hint's, or else a
    /// refinement round's.
    pub fn of(
        forced: Option<LowerSource>,
        lower_lambda: &[f64],
        lp_lambda: &[f64],
        hint: Option<&[f64]>,
    ) -> LowerSource {
        if let Some(source) = forced {
            source
        } else if lower_lambda == lp_lambda {
            LowerSource::FinalLp
        } else if hint.is_some_and(|h| h == lower_lambda) {
            LowerSource::Hint
        } else {
            LowerSource::Refinement
        }
    }

    /// Name as printed.
    pub fn name(&self) -> &'static str {
        match self {
            LowerSource::FinalLp => "final_lp",
            LowerSource::Refinement => "refinement",
            LowerSource::Hint => "hint",
            LowerSource::Certificate => "certificate",
            LowerSource::DataNorm => "data_norm",
        }
    }
}

/// A grid solve with its certified bracket.
#[derive(Debug, Clone, Serialize)]
pub struct CertifiedSolve {
    /// The last grid solve (its `c` indexes the final dictionary).
    pub grid: GridSolve,
    /// The bound of the sup at the final `lambda` (None if the solve failed).
    pub sup: Option<SupBound>,
    /// `dual(lambda) / max(1, sup |eta|)` at the final `lambda` (NaN when the
    /// solve failed); its kind is `lower_kind`.
    pub certified_lower: f64,
    /// Whether the sup behind the lower bound is proved or estimated.
    pub lower_kind: BoundKind,
    /// The cost of the verified measure (NaN when the solve failed or the
    /// measure's residual is above tolerance: then there is no upper bound).
    pub certified_upper: f64,
    /// The `lambda` behind `certified_lower` when it is not the last LP's
    /// (an earlier round's, the optimality system's, or the hint).
    pub lower_lambda: Option<Vec<f64>>,
    /// Where the `lambda` behind `certified_lower` comes from.
    pub lower_source: LowerSource,
    /// The polished measure with its verified residual (None if the solve failed).
    pub measure: Option<VerifiedMeasure>,
    /// The operator the bracket refers to.
    pub operator: Operator,
    /// Refinement rounds made.
    pub refine_rounds: usize,
    /// Directions added by refinement.
    pub added_directions: usize,
    /// The rounds, in order.
    pub history: Vec<RoundRecord>,
    /// Total seconds (LP solves and certificate searches).
    pub seconds: f64,
    /// The strict certificate [`Guide::certificate`] found, when it was
    /// checked on the final LP and dictionary of this solve (None
    /// otherwise: not asked, not reached, none passed the strict tier, or
    /// the refinement went on after it).
    #[serde(skip)]
    pub certificate: Option<CertificateReport>,
}

impl CertifiedSolve {
    /// A solve without a bracket (an unusable LP, or lambda-only): no
    /// bound of the sup, no lower or upper end, no measure; `counts` are
    /// the refinement rounds and added directions, `start` when the solve
    /// began.
    pub fn bare(
        grid: GridSolve,
        operator: Operator,
        counts: (usize, usize),
        history: Vec<RoundRecord>,
        start: std::time::Instant,
    ) -> CertifiedSolve {
        CertifiedSolve {
            grid,
            sup: None,
            certified_lower: f64::NAN,
            lower_kind: BoundKind::Estimated,
            lower_lambda: None,
            lower_source: LowerSource::FinalLp,
            certified_upper: f64::NAN,
            measure: None,
            operator,
            refine_rounds: counts.0,
            added_directions: counts.1,
            history,
            seconds: start.elapsed().as_secs_f64(),
            certificate: None,
        }
    }
}

/// New directions with `1 - cos(angle) <= DUPLICATE_COS` to a column already
/// present (about 1e-6 rad) are not added again.
pub const DUPLICATE_COS: f64 = 5e-13;

/// The final bracket searches the full dense design with this many times
/// the ascents (rounds search a quarter of it: [`super::exchange::ROUND_DENSE_DIVISOR`]) where
/// the branch-and-bound proves the sup (D <= its `max_dim`).
pub const FINAL_STARTS_FACTOR: usize = 2;

/// Columns of one LP solution within this angle (radians) of a heavier one
/// form one cluster, whose mass-weighted mean starts the sliding step.
pub const SLIDE_MERGE_RADIUS: f64 = 0.05;
