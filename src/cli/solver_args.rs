//! Flags of the convex solve shared by `solve`, `certify` and `demo`.

use crate::certify::refine::SolveOptions;
use crate::convex::columns::Strategy;
use crate::convex::{Backend, Ldl};
use crate::error::{Error, Result};
use clap::Args;

/// Solver flags.
#[derive(Debug, Clone, Args)]
pub struct SolverArgs {
    /// Directions of the sphere grid on S^(D-1) (Fibonacci for D = 3, a seeded
    /// Kronecker design otherwise): 1 to 10 000 000, and at most 50 000 000 / D
    /// (coordinates), within the memory limit for the M x N dictionary.
    #[arg(
        long = "grid-points",
        default_value_t = 2000,
        allow_hyphen_values = true
    )]
    pub grid_points: i64,
    /// full: one LP on all columns; columns: column generation.
    #[arg(long, value_enum, default_value_t = Strategy::Columns)]
    pub strategy: Strategy,
    /// Refine off the grid until sup |eta| <= 1 + eps (or the bracket is
    /// eps-tight). Default: on for `certify`, off for `solve`.
    #[arg(long, overrides_with = "no_refine")]
    pub refine: bool,
    /// Do not refine off the grid (overrides --refine and the default).
    #[arg(long = "no-refine", overrides_with = "refine")]
    pub no_refine: bool,
    /// Tolerance of the refinement (relative): it stops when sup |eta| <=
    /// 1 + eps or the bracket's relative width is at most eps. Default: 1e-6
    /// for psi_std and psi_pre (71 of 72 sample brackets in d = 2 closed to
    /// 1e-6 with it), 1e-5 for psi_mod (README "The refinement tolerance")
    #[arg(long, allow_hyphen_values = true)]
    pub eps: Option<f64>,
    /// Dual smoothing of refinement, in [0, 1): from the second round on,
    /// also search the weighted mean `alpha lambda_in + (1 - alpha) lambda_LP`
    /// of the best lambda so far (scaled feasible) and the LP's; its
    /// violators become columns and its lower bound counts (in-out column
    /// generation; 0.5 is the classical value). Default: 0.5 for psi_mod
    /// (its refinements close faster with it), 0 (off) for psi_std and
    /// psi_pre, and 0 for every psi under `certify --decide`; 0 turns it
    /// off.
    #[arg(long = "dual-smoothing", allow_hyphen_values = true)]
    pub dual_smoothing: Option<f64>,
    /// Effort E of each refinement round's search of sup |eta|: a dense
    /// design of E/4 of the automatic size and E times the ascents (the
    /// final bracket's thorough search is unchanged). Default 1. Higher
    /// values find more of the LP's violations per round: on three psi_mod
    /// width-2 teachers in d = 2, E = 4 narrowed the gaps after 30 rounds
    /// from 1.5-3.5 % to 0.2-2.3 % at 1.3 to 2.5 times the time (README
    /// "Refinement")
    #[arg(long = "round-search")]
    pub round_search: Option<usize>,
    /// Round limit of the refinement, 1 to 10 000. Default: 100 for psi_std
    /// and psi_pre (brackets open at 30 rounds closed at 36 to 61), 30 for
    /// psi_mod (width-2 and -3 teachers in d = 2 narrow with more rounds
    /// but did not close: 45 to more than 120 rounds to reach gaps of
    /// 1e-5). Rounds end earlier when the bracket is eps-tight or the LP's
    /// lambda is feasible (README "The round limit")
    #[arg(long = "max-rounds")]
    pub max_rounds: Option<usize>,
    /// LP backend.
    #[arg(long, value_enum, default_value_t = Backend::DenseIpm)]
    pub backend: Backend,
    /// Noise level delta: |Phi c - y|_2 <= delta (0: exact data).
    #[arg(
        long = "noise-delta",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    pub noise_delta: f64,
    /// Interior-point iteration limit per LP.
    #[arg(long = "max-iter", default_value_t = 200)]
    pub max_iter: u32,
    /// Clarabel's factorization: auto (faer's supernodal LDL where the
    /// interior-point system is dense, as it is for every dictionary LP;
    /// QDLDL elsewhere) or qdldl (always; results before 2026-12-04). The
    /// two agree to the solver tolerance; auto is 3 to 4 times faster on
    /// d = 2 certificates at K = 8 (README "Performance")
    #[arg(long, value_enum, default_value_t = Ldl::Auto)]
    pub ldl: Ldl,
}

impl SolverArgs {
    /// Validated options, refining when `--refine` is given or when
    /// `refine_default` holds and `--no-refine` is not given.
    pub fn options_with(&self, refine_default: bool) -> Result<SolveOptions> {
        let mut o = self.options()?;
        o.refine.enabled = if self.no_refine {
            false
        } else {
            self.refine || refine_default
        };
        Ok(o)
    }

    /// Validated options (refinement only with `--refine`).
    pub fn options(&self) -> Result<SolveOptions> {
        if let Some(eps) = self.eps
            && !(eps.is_finite() && eps > 0.0)
        {
            return Err(Error::setting(
                "eps",
                eps,
                "the refinement tolerance must be a positive number",
            ));
        }
        if let Some(a) = self.dual_smoothing
            && !(a.is_finite() && (0.0..1.0).contains(&a))
        {
            return Err(Error::setting(
                "dual-smoothing",
                a,
                "the smoothing weight must be a number in [0, 1) (0: off)",
            ));
        }
        crate::certify::bracket::check_round_search("round-search", self.round_search)?;
        if let Some(n) = self.max_rounds {
            crate::certify::bracket::check_max_rounds("max-rounds", n)?;
        }
        if !(self.noise_delta.is_finite() && self.noise_delta >= 0.0) {
            return Err(Error::setting(
                "noise-delta",
                self.noise_delta,
                "the noise level must be a finite number >= 0",
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::setting(
                "max-iter",
                0,
                "at least one interior-point iteration is needed",
            ));
        }
        let mut o = SolveOptions {
            strategy: self.strategy,
            backend: self.backend,
            delta: self.noise_delta,
            ..Default::default()
        };
        o.solver.max_iter = self.max_iter;
        o.solver.ldl = self.ldl;
        o.refine.enabled = self.refine && !self.no_refine;
        o.refine.eps = self.eps;
        o.refine.smoothing = self.dual_smoothing;
        o.refine.round_search = self.round_search;
        o.refine.max_rounds = self.max_rounds;
        if let Some(eps) = self.eps {
            o.columns.eps = o.columns.eps.min(eps);
        }
        Ok(o)
    }

    /// The validated grid size.
    pub fn grid_points(&self) -> Result<usize> {
        if self.grid_points < 1 || self.grid_points > 10_000_000 {
            return Err(Error::setting(
                "grid-points",
                self.grid_points,
                "the sphere grid needs between 1 and 10 000 000 points",
            ));
        }
        Ok(self.grid_points as usize)
    }
}
