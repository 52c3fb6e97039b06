//! Plans of the Figure 3 experiment (docs/theory.md 8): a TOML file or a
//! preset. The paper's numbers were lost with its formulas; the `paper`
//! preset holds our defaults and says so in the README.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A reconstruction method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodName {
    /// Shallow INR, standard weight decay.
    Std,
    /// Shallow INR, modified weight decay.
    Mod,
    /// Shallow INR, psi_pre.
    Pre,
    /// Deep INR, standard weight decay on all layers.
    Deep,
}

impl MethodName {
    /// As written in tables.
    pub fn name(self) -> &'static str {
        match self {
            MethodName::Std => "std",
            MethodName::Mod => "mod",
            MethodName::Pre => "pre",
            MethodName::Deep => "deep",
        }
    }

    /// The psi of the spec (the deep INR ignores it).
    pub fn psi(self) -> &'static str {
        match self {
            MethodName::Mod => "mod",
            MethodName::Pre => "pre",
            MethodName::Std | MethodName::Deep => "std",
        }
    }
}

/// One panel: a phantom and the fits of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelConfig {
    /// Panel name (file names).
    pub name: String,
    /// A bundled phantom (`inrsamp phantom --name`).
    pub phantom: String,
    /// Number of dots (dot phantom only).
    #[serde(default = "default_dots")]
    pub dots: usize,
    /// Sampling cutoff K.
    pub k: usize,
    /// Feature degree K0 of the students.
    pub k0: usize,
    /// Shallow student width.
    pub width: usize,
    /// Training grid points per axis.
    pub grid: usize,
    /// Methods fitted.
    pub methods: Vec<MethodName>,
    /// Deep INR: hidden layers.
    #[serde(default = "default_depth")]
    pub depth: usize,
    /// Deep INR: width of each hidden layer.
    #[serde(default = "default_hidden")]
    pub hidden: usize,
}

fn default_dots() -> usize {
    8
}
fn default_depth() -> usize {
    4
}
fn default_hidden() -> usize {
    64
}

/// The plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure3Config {
    /// Plan name.
    pub name: String,
    /// Picture side R.
    pub resolution: usize,
    /// Seed of the dots and of every initialization.
    pub seed: u64,
    /// The lambda grid of (2).
    pub lambdas: Vec<f64>,
    /// Adam steps per phase (lr, then lr/10).
    pub steps: usize,
    /// Adam learning rate of the first phase.
    pub lr: f64,
    /// Also fit on |k|_inf <= K-1 to choose lambda without the ground truth.
    pub held_out: bool,
    /// The panels.
    pub panel: Vec<PanelConfig>,
}

impl Figure3Config {
    /// A preset: `quick` (seconds; for tests) or `paper` (our defaults for
    /// the paper's figure, whose numbers were lost).
    pub fn preset(name: &str) -> Result<Self> {
        let text = match name {
            "quick" => include_str!("../../data/experiments/figure3-quick.toml"),
            "paper" => include_str!("../../data/experiments/figure3.toml"),
            other => {
                return Err(Error::setting(
                    "preset",
                    other,
                    "expected quick or paper (or give --config F)",
                ));
            }
        };
        Self::from_toml(text, &format!("preset {name}"))
    }

    /// Parses and validates a plan.
    pub fn from_toml(text: &str, path: &str) -> Result<Self> {
        let cfg: Figure3Config = toml::from_str(text).map_err(|e| Error::Parse {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Reads a plan file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = crate::limits::read_text(path, crate::limits::MAX_SMALL_FILE)?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Checks every key, naming it.
    pub fn validate(&self) -> Result<()> {
        crate::phantom::image::check_sizes(self.resolution, 1)?;
        if self.lambdas.is_empty() || self.lambdas.iter().any(|l| !(l.is_finite() && *l > 0.0)) {
            return Err(Error::setting(
                "lambdas",
                format!("{:?}", self.lambdas),
                "a non-empty list of positive numbers",
            ));
        }
        if self.steps == 0 || self.steps > 10_000_000 {
            return Err(Error::setting("steps", self.steps, "between 1 and 1e7"));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::setting("lr", self.lr, "positive and finite"));
        }
        if self.panel.is_empty() {
            return Err(Error::setting("panel", 0, "at least one [[panel]]"));
        }
        for p in &self.panel {
            crate::phantom::PhantomName::parse(&p.phantom)?;
            if p.k < 2 || p.k > crate::phantom::MAX_K {
                return Err(Error::setting(
                    "k",
                    p.k,
                    format!(
                        "between 2 (one ring is held out) and {}",
                        crate::phantom::MAX_K
                    ),
                ));
            }
            if self.resolution < 2 * p.k + 1 {
                return Err(Error::setting(
                    "resolution",
                    self.resolution,
                    format!("at least 2K + 1 = {} for panel {}", 2 * p.k + 1, p.name),
                ));
            }
            if p.methods.is_empty() || p.width == 0 || p.k0 == 0 || p.grid == 0 {
                return Err(Error::setting(
                    "panel",
                    &p.name,
                    "needs methods, and width, k0, grid >= 1",
                ));
            }
            if p.name.is_empty()
                || !p
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(Error::setting(
                    "name",
                    &p.name,
                    "a panel name of letters, digits, '-' and '_' (it names files)",
                ));
            }
        }
        Ok(())
    }
}
