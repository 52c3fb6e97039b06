//! Several initializations of the INR and the teacher-free choice among
//! them (THEORY.md 4): every run stops on its own criteria; the run kept is
//! the feasible one (residual at most [`FEASIBLE_REL`] `|y|`) of lowest
//! cost, else the one of smallest residual. The teacher, when known, only
//! evaluates (and stops a run with `stop_on_recovery`, the paper's
//! protocol).

use super::deep::DeepModel;
use super::model::ShallowModel;
use super::readout::{Balanced, balance};
use super::{Network, Observer, TrainResult, TrainSettings, initialize, train};
use crate::certify::eta::psi_for;
use crate::dictionary::DiscretizationPlan;
use crate::error::{Error, Result};
use crate::inr::network::ShallowInr;
use crate::spec::ProblemSpec;
use serde::Serialize;

/// Upper limit of the number of restarts.
pub const MAX_RESTARTS: usize = 1000;

/// A run is feasible for the choice among restarts when its residual is at
/// most `FEASIBLE_REL * |y|`.
pub const FEASIBLE_REL: f64 = 1e-3;

/// The student's architecture beyond its width (`TrainSettings::width`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Student {
    /// Hidden ReLU layers: 1 is the shallow INR under `R_psi`; more is a
    /// deep INR under standard weight decay.
    pub depth: usize,
    /// Width of the hidden layers of a deep INR.
    pub hidden: usize,
}

impl Default for Student {
    fn default() -> Self {
        Student {
            depth: 1,
            hidden: 64,
        }
    }
}

/// A trained (and, if shallow, balanced) INR with what produced it.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The training run kept.
    pub result: TrainResult,
    /// The balanced read-out (shallow INR only).
    pub balanced: Option<Balanced>,
    /// The settings of the run kept (its seed is the initialization's).
    pub settings: TrainSettings,
    /// The model's M.
    pub m: usize,
    /// Restarts run.
    pub restarts: usize,
    /// Index of the run kept (0-based).
    pub kept: usize,
}

impl Fitted {
    /// The cost the choice among restarts minimizes: the balanced cost, or
    /// the deep INR's weight decay.
    pub fn cost(&self) -> f64 {
        match &self.balanced {
            Some(b) => b.cost,
            None => self
                .result
                .history
                .last()
                .map_or(f64::INFINITY, |l| l.regularizer),
        }
    }

    /// "kept restart k of R (initialization seed S)" when R > 1.
    pub fn restart_line(&self) -> Option<String> {
        (self.restarts > 1).then(|| {
            format!(
                "kept restart {} of {} (initialization seed {})",
                self.kept + 1,
                self.restarts,
                self.settings.seed
            )
        })
    }

    /// The final residual `|A f - y|`.
    pub fn residual(&self) -> f64 {
        self.result
            .history
            .last()
            .map_or(f64::INFINITY, |l| l.residual)
    }
}

/// Checks the student's size against memory: activations (and their
/// gradients) of every unit or hidden layer on the `grid^d` training grid.
pub fn check_student_memory(
    spec: &ProblemSpec,
    student: &Student,
    width: usize,
    grid: usize,
) -> Result<()> {
    let points = (grid as u128).saturating_pow(spec.d as u32);
    let (field, value, units) = if student.depth == 1 {
        ("student-width", width, width as u128)
    } else {
        (
            "hidden",
            student.hidden,
            (student.hidden as u128).saturating_mul(student.depth as u128),
        )
    };
    let params = (units).saturating_mul(spec.feature_dim() as u128 + units + 2);
    crate::limits::check_memory(
        field,
        value,
        crate::limits::f64_bytes(&[units
            .saturating_mul(points)
            .saturating_mul(4)
            .saturating_add(params.saturating_mul(8))]),
        "the student's activations on the training grid",
    )
}

/// One training run from the initialization of `settings.seed`.
fn fit_once(
    spec: &ProblemSpec,
    student: &Student,
    settings: TrainSettings,
    y: &[f64],
    tg: Option<&[f64]>,
    observer: &mut dyn Observer,
) -> Result<Fitted> {
    let (result, balanced, m) = if student.depth == 1 {
        let model = ShallowModel::new(spec, settings.width, settings.grid)?;
        let theta0 = initialize(&model, &settings);
        let result = train(&model, y, tg, theta0, &settings, observer)?;
        let plan = DiscretizationPlan {
            n_quad: settings.grid,
            exact: false,
            error_samples: 0,
        };
        let psi = psi_for(spec, &plan)?;
        let balanced = balance(spec.d, spec.k0, model.dim, &result.params, &psi)?;
        (result, Some(balanced), model.m)
    } else {
        let model = DeepModel::new(spec, student.depth, student.hidden, settings.grid)?;
        let theta0 = model.initialize(&settings);
        let result = train(&model, y, tg, theta0, &settings, observer)?;
        (result, None, model.m)
    };
    Ok(Fitted {
        result,
        balanced,
        settings,
        m,
        restarts: 1,
        kept: 0,
    })
}

/// Trains on `y` from `restarts` initializations (seeds `settings.seed`,
/// `+1`, ...) and keeps one without looking at the teacher (module doc).
/// `teacher` only serves the recovery record (and, with
/// `stop_on_recovery`, the stop). The observer hears every record and
/// [`Observer::restart`] before each run.
pub fn fit_restarts(
    spec: &ProblemSpec,
    student: &Student,
    settings: &TrainSettings,
    restarts: usize,
    y: &[f64],
    teacher: Option<&ShallowInr>,
    observer: &mut dyn Observer,
) -> Result<Fitted> {
    settings.validate()?;
    if student.depth == 0 {
        return Err(Error::setting("depth", 0, "at least one hidden layer"));
    }
    if restarts == 0 || restarts > MAX_RESTARTS {
        return Err(Error::setting(
            "restarts",
            restarts,
            format!("must be between 1 and {MAX_RESTARTS}"),
        ));
    }
    let tg = teacher.map(|t| t.grid_values(settings.grid));
    let y_norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
    let feasible = |f: &Fitted| f.residual() <= FEASIBLE_REL * y_norm;
    let mut best: Option<Fitted> = None;
    for r in 0..restarts {
        let mut s = *settings;
        s.seed = settings.seed.wrapping_add(r as u64);
        observer.restart(r, restarts, s.seed);
        let mut f = fit_once(spec, student, s, y, tg.as_deref(), observer)?;
        f.kept = r;
        let better = match &best {
            None => true,
            Some(b) => match (feasible(&f), feasible(b)) {
                (true, false) => true,
                (false, true) => false,
                (true, true) => f.cost() < b.cost(),
                (false, false) => f.residual() < b.residual(),
            },
        };
        if better {
            best = Some(f);
        }
    }
    let mut best = best.ok_or_else(|| Error::setting("restarts", 0, "at least one run"))?;
    best.restarts = restarts;
    Ok(best)
}
