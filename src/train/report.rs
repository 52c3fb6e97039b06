//! The typed result of `inrsamp fit` (THEORY.md 4): the run kept among the
//! restarts, its stopping reason, residual, recovery record and balanced
//! read-out. The CLI prints it (JSON through serde, text through
//! `Display`).

use super::restarts::{Fitted, Student};
use super::{Termination, TrainSettings};
use crate::spec::ProblemSpec;
use serde::Serialize;
use std::fmt;

/// One atom of the balanced read-out, with its number of units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitAtom {
    /// Coefficient (signed mass).
    pub c: f64,
    /// Unit direction (mass-weighted mean of its units).
    pub w: Vec<f64>,
    /// `psi(w)`.
    pub psi: f64,
    /// Indices of the student's units merged into this atom.
    pub units: Vec<usize>,
}

/// The report of `inrsamp fit` (its `--json` keys are these fields).
#[derive(Debug, Clone, Serialize)]
pub struct FitReport {
    /// Whether the MSE against the teacher fell below tau at some point.
    pub recovered: bool,
    /// The first outer iteration where it did.
    pub recovered_at: Option<usize>,
    /// Final MSE over mean(teacher^2) (None without a teacher).
    pub rel_mse: Option<f64>,
    /// Final MSE against the teacher (None without a teacher).
    pub mse: Option<f64>,
    /// Outer iterations of the run kept.
    pub outer_iterations: usize,
    /// Adam steps of the run kept.
    pub adam_steps: u64,
    /// Seconds of the run kept.
    pub seconds: f64,
    /// Seconds per Adam step (NaN printed as null when no step ran).
    pub seconds_per_step: f64,
    /// Balanced cost `sum |a_j| psi(w_j)` (shallow INR).
    pub balanced_cost: Option<f64>,
    /// `R_psi` before balancing (shallow) or the weight decay (deep).
    pub regularizer: Option<f64>,
    /// Final `|A f - y|`.
    pub residual: Option<f64>,
    /// Active units of the balanced read-out.
    pub active_units: Option<usize>,
    /// Why the run kept stopped.
    pub termination: Termination,
    /// Restarts run.
    pub restarts: usize,
    /// Index of the run kept (0-based).
    pub kept_restart: usize,
    /// Hidden layers.
    pub depth: usize,
    /// The balanced read-out (shallow INR).
    pub atoms: Option<Vec<FitAtom>>,
    /// The problem.
    pub spec: ProblemSpec,
    /// The settings of the run kept.
    pub settings: TrainSettings,
    /// Width of the deep INR's hidden layers (for the text).
    #[serde(skip)]
    pub hidden: usize,
    /// "kept restart k of R" (for the text).
    #[serde(skip)]
    pub restart_line: Option<String>,
}

impl FitReport {
    /// The report of a fit.
    pub fn new(spec: &ProblemSpec, student: &Student, f: &Fitted) -> FitReport {
        let r = &f.result;
        let last = r.history.last();
        let b = f.balanced.as_ref();
        FitReport {
            recovered: r.recovered_at.is_some(),
            recovered_at: r.recovered_at,
            rel_mse: last.map(|l| l.rel_mse).filter(|v| v.is_finite()),
            mse: last.map(|l| l.mse).filter(|v| v.is_finite()),
            outer_iterations: last.map_or(0, |l| l.outer),
            adam_steps: r.adam_steps,
            seconds: r.seconds,
            seconds_per_step: if r.adam_steps > 0 {
                r.seconds / r.adam_steps as f64
            } else {
                f64::NAN
            },
            balanced_cost: b.map(|b| b.cost),
            regularizer: b.map_or(last.map(|l| l.regularizer), |b| Some(b.regularizer_before)),
            residual: last.map(|l| l.residual),
            active_units: b.map(|b| b.active_units),
            termination: r.termination,
            restarts: f.restarts,
            kept_restart: f.kept,
            depth: student.depth,
            atoms: b.map(|b| {
                b.atoms
                    .iter()
                    .map(|a| FitAtom {
                        c: a.c,
                        w: a.w.clone(),
                        psi: a.psi,
                        units: a.members.clone(),
                    })
                    .collect()
            }),
            spec: spec.clone(),
            settings: f.settings,
            hidden: student.hidden,
            restart_line: f.restart_line(),
        }
    }

    /// True when training diverged (the CLI's exit code 3).
    pub fn diverged(&self) -> bool {
        matches!(self.termination, Termination::Diverged { .. })
    }
}

impl fmt::Display for FitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = &self.restart_line {
            writeln!(f, "{line}")?;
        }
        writeln!(
            f,
            "termination: {}\n{} outer iterations, {} Adam steps, {:.2} s ({:.3} ms/step)",
            self.termination,
            self.outer_iterations,
            self.adam_steps,
            self.seconds,
            1e3 * self.seconds_per_step
        )?;
        if let Some(res) = self.residual {
            writeln!(
                f,
                "residual |A f - y| = {:.3e}; MSE vs teacher {:.3e} (relative {:.3e})",
                res,
                self.mse.unwrap_or(f64::NAN),
                self.rel_mse.unwrap_or(f64::NAN)
            )?;
        }
        let (Some(atoms), Some(cost), Some(active)) =
            (&self.atoms, self.balanced_cost, self.active_units)
        else {
            return writeln!(
                f,
                "deep INR: {} layers of width {}, weight decay {:.10}",
                self.depth,
                self.hidden,
                self.regularizer.unwrap_or(f64::NAN)
            );
        };
        writeln!(
            f,
            "balanced cost sum |a_j| psi(w_j) = {:.10}; {} active units of {}",
            cost, active, self.settings.width
        )?;
        for a in atoms {
            let ws: Vec<String> = a.w.iter().map(|v| format!("{v:+.6}")).collect();
            writeln!(
                f,
                "  atom c = {:+.10} psi = {:.10} w = [{}] ({} units)",
                a.c,
                a.psi,
                ws.join(", "),
                a.units.len()
            )?;
        }
        Ok(())
    }
}
