//! Training settings (docs/theory.md 7): every default documented and
//! validated in one place.

use super::Method;
use super::adam::AdamSettings;
use crate::error::{Error, Result};
use serde::Serialize;

/// Training settings; every default documented.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrainSettings {
    /// Student width W (default 40).
    pub width: usize,
    /// Grid points per axis of the forward model (default 64).
    pub grid: usize,
    /// (3) by the augmented Lagrangian, or (2) (default al).
    pub method: Method,
    /// Adam settings (lr default 3e-3 here).
    pub adam: AdamSettings,
    /// Adam steps per outer iteration (default 200).
    pub inner_steps: usize,
    /// Outer iterations at most (default 60).
    pub outer_max: usize,
    /// Penalty rho (default 10).
    pub rho: f64,
    /// Factor applied to rho when the residual stalls (default 2).
    pub rho_growth: f64,
    /// rho never grows beyond this (default: no limit; Adam's normalized
    /// steps keep a large rho harmless, and capping it at 1e8 lost 2 of 10
    /// psi_mod seeds).
    pub rho_max: f64,
    /// The residual stalls when it is above this ratio of the last (default 0.5).
    pub stall_ratio: f64,
    /// lambda of (2) (default 1e-4).
    pub lambda: f64,
    /// Steps per phase of (2) (default 2000).
    pub steps: usize,
    /// Relative MSE threshold of exact recovery (default 1e-6); the teacher
    /// only evaluates (`recovered_at`) unless `stop_on_recovery`.
    pub tau: f64,
    /// Stop when the MSE against the teacher drops below tau (the paper's
    /// protocol; default false: training stops on its own criteria).
    pub stop_on_recovery: bool,
    /// (3) has converged when `|A f - y| / |y|` is at most this (default
    /// 1e-6) ...
    pub feasibility_tol: f64,
    /// ... and the relative changes of the regularizer and of the
    /// multipliers over an outer iteration are at most this (default 1e-4).
    pub stationarity_tol: f64,
    /// Seed of the initialization (default 0).
    pub seed: u64,
    /// Scale of the initial inner weights (unit norm times this; default 1).
    pub init_scale: f64,
    /// Scale of the initial outer weights (uniform in +-this; default 0.1).
    pub init_outer: f64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            width: 40,
            grid: 64,
            method: Method::Al,
            adam: AdamSettings {
                lr: 3e-3,
                ..AdamSettings::default()
            },
            inner_steps: 200,
            outer_max: 60,
            rho: 10.0,
            rho_growth: 2.0,
            rho_max: f64::INFINITY,
            stall_ratio: 0.5,
            lambda: 1e-4,
            steps: 2000,
            tau: 1e-6,
            stop_on_recovery: false,
            feasibility_tol: 1e-6,
            stationarity_tol: 1e-4,
            seed: 0,
            init_scale: 1.0,
            init_outer: 0.1,
        }
    }
}

impl TrainSettings {
    /// Checks every field; the error names the flag.
    pub fn validate(&self) -> Result<()> {
        let pos = |field: &'static str, v: f64| -> Result<()> {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::setting(field, v, "must be a positive number"))
            }
        };
        if self.width == 0 {
            return Err(Error::setting(
                "student-width",
                0,
                "the student needs at least one unit",
            ));
        }
        if self.inner_steps == 0 {
            return Err(Error::setting(
                "inner-steps",
                0,
                "at least one Adam step per outer iteration",
            ));
        }
        if self.outer_max == 0 {
            return Err(Error::setting(
                "outer-max",
                0,
                "at least one outer iteration",
            ));
        }
        if self.steps == 0 {
            return Err(Error::setting("steps", 0, "at least one step"));
        }
        pos("lr", self.adam.lr)?;
        pos("rho", self.rho)?;
        pos("lambda", self.lambda)?;
        pos("tau", self.tau)?;
        pos("feasibility-tol", self.feasibility_tol)?;
        pos("stationarity-tol", self.stationarity_tol)?;
        pos("init-scale", self.init_scale)?;
        pos("init-outer", self.init_outer)?;
        if !(self.rho_growth.is_finite() && self.rho_growth >= 1.0) {
            return Err(Error::setting(
                "rho-growth",
                self.rho_growth,
                "must be >= 1",
            ));
        }
        Ok(())
    }
}
