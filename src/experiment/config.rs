//! Experiment plans: a TOML file (or a preset) whose ranges span the cells
//! of a phase-transition sweep (docs/theory.md 8, the paper's Figure 2).
//!
//! Cells are every combination of `d`, `k0`, `width` (W), `k` (K) and
//! `psi`; each cell runs `trials` trials per route. One teacher per
//! (d, k0, W, trial), from a seed derived from (base seed, d, k0, W, trial):
//! the same teacher for every K, psi and route.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A route to the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// The convex verdict of (11) (`certify`).
    Convex,
    /// The augmented-Lagrangian fit of (3) (`fit`), the paper's protocol.
    Al,
}

impl Route {
    /// Name as written in records.
    pub fn name(self) -> &'static str {
        match self {
            Route::Convex => "convex",
            Route::Al => "al",
        }
    }
}

/// Settings of the convex route.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConvexSettings {
    /// Directions of the sphere grid.
    pub grid_points: usize,
    /// Certified refinement off the grid.
    pub refine: bool,
    /// Leave the teacher's directions off the grid.
    pub off_grid: bool,
    /// Stop refinement once a measure cheaper than the teacher is verified
    /// (`certify --decide`). Left out of the canonical JSON when false, so
    /// the settings hashes of earlier plans do not change.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub decide: bool,
    /// Effort of each refinement round's sup search (`--round-search`,
    /// `RefineSettings::round_search`; 1 to 64). Left out of the canonical
    /// JSON when not given (settings hashes of earlier plans unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_search: Option<usize>,
    /// Round limit of the refinement (`--max-rounds`,
    /// `RefineSettings::max_rounds`; 1 to 10 000, default 30). Left out of
    /// the canonical JSON when not given (settings hashes of earlier plans
    /// unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_rounds: Option<usize>,
    /// Search each `unique` verdict's certificate again by brute force
    /// (`certify --twin`, `certify::twin`): the margin recorded is the
    /// smaller one, and a certificate the twin breaks records
    /// `inconclusive`. Left out of the canonical JSON when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub twin: bool,
}

impl Default for ConvexSettings {
    fn default() -> Self {
        ConvexSettings {
            grid_points: 2000,
            refine: true,
            off_grid: false,
            decide: false,
            round_search: None,
            max_rounds: None,
            twin: false,
        }
    }
}

/// Settings of the AL route (the paper's protocol, docs/theory.md 7-8).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlSettings {
    /// Student width.
    pub student_width: usize,
    /// Training grid per axis.
    pub grid: usize,
    /// Outer iterations at most.
    pub outer_max: usize,
    /// Adam steps per outer iteration.
    pub inner_steps: usize,
    /// Recovery threshold on the relative image-domain MSE against the
    /// teacher (uses the teacher, as the paper does).
    pub tau: f64,
}

impl Default for AlSettings {
    fn default() -> Self {
        AlSettings {
            student_width: 40,
            grid: 64,
            outer_max: 60,
            inner_steps: 200,
            tau: 1e-6,
        }
    }
}

/// An experiment file (`data/experiments/*.toml`); every key optional but
/// the ranges.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// Name (used in file names).
    #[serde(default = "default_name")]
    pub name: String,
    /// Torus dimensions.
    pub d: Vec<usize>,
    /// Feature degrees.
    pub k0: Vec<usize>,
    /// Teacher widths W.
    pub width: Vec<usize>,
    /// Sampling cutoffs K.
    pub k: Vec<usize>,
    /// Weightings: std, mod, pre.
    pub psi: Vec<String>,
    /// Trials per cell and route.
    pub trials: usize,
    /// Routes.
    pub routes: Vec<Route>,
    /// Base seed.
    #[serde(default)]
    pub base_seed: u64,
    /// Convex route settings.
    #[serde(default)]
    pub convex: ConvexSettings,
    /// AL route settings.
    #[serde(default)]
    pub al: AlSettings,
}

fn default_name() -> String {
    "sweep".into()
}

/// Upper limit on the number of jobs of one plan.
pub const MAX_JOBS: usize = 10_000_000;

/// One job: a cell, a trial, a route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Stable identifier, e.g. `d2-k01-w3-k4-mod-t2-convex`.
    pub id: String,
    /// Index in the plan's fixed order.
    pub index: usize,
    /// Torus dimension.
    pub d: usize,
    /// Feature degree.
    pub k0: usize,
    /// Sampling cutoff.
    pub k: usize,
    /// Teacher width.
    pub width: usize,
    /// Weighting.
    pub psi: String,
    /// Trial number (0-based).
    pub trial: usize,
    /// Route.
    pub route: Route,
    /// The teacher's seed.
    pub seed: u64,
}

/// SplitMix64 step: a well-mixed 64-bit hash of a 64-bit state.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A unit counts as active when `max_x g_w(x) > ACTIVE_MIN |w|` on the
/// 64^d grid (a random unit vanishes, g <= 0 everywhere, with positive
/// probability; such a teacher has nothing to recover).
pub const ACTIVE_MIN: f64 = 1e-2;

/// The teacher seed of (base seed, d, k0, W, trial): the first of a
/// derived sequence of seeds whose random teacher (`inrsamp --teacher
/// random --seed S`) has every unit active, so that `certify --teacher
/// random --width W --seed S` reproduces a job.
pub fn teacher_seed(base: u64, d: usize, k0: usize, width: usize, trial: usize) -> u64 {
    let first = [d, k0, width, trial]
        .iter()
        .fold(mix(base), |h, &v| mix(h ^ v as u64));
    (0..1000u64)
        .map(|attempt| {
            if attempt == 0 {
                first
            } else {
                mix(first ^ attempt)
            }
        })
        .find(|&s| all_active(d, k0, width, s))
        .unwrap_or(first)
}

fn all_active(d: usize, k0: usize, width: usize, seed: u64) -> bool {
    let Ok(net) = crate::inr::network::ShallowInr::random(d, k0, width, seed) else {
        return false;
    };
    let n = if d == 1 { 256 } else { 64 };
    net.units.iter().all(|u| {
        let single = crate::inr::network::ShallowInr::single(d, k0, u.w.clone());
        let peak = single.grid_values(n).into_iter().fold(0.0f64, f64::max);
        peak > ACTIVE_MIN * crate::numeric::norm2(&u.w)
    })
}

impl ExperimentConfig {
    /// Reads and validates a TOML file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = crate::limits::read_text(path, crate::limits::MAX_SMALL_FILE)?;
        let c: ExperimentConfig = toml::from_str(&text).map_err(|e| Error::Parse {
            path: path.display().to_string(),
            reason: e.to_string().replace('\n', " ").trim().to_string(),
        })?;
        c.validate()?;
        Ok(c)
    }

    /// A named preset: `quick`, `paper` or `atlas` (see README "sweep").
    pub fn preset(name: &str) -> Result<Self> {
        let base = |d: Vec<usize>, k0, width, k, psi: &[&str], trials, routes| ExperimentConfig {
            name: name.to_string(),
            d,
            k0,
            width,
            k,
            psi: psi.iter().map(|s| s.to_string()).collect(),
            trials,
            routes,
            base_seed: 2024,
            convex: ConvexSettings::default(),
            al: AlSettings::default(),
        };
        let both = vec![Route::Convex, Route::Al];
        let c = match name {
            "quick" => base(
                vec![2],
                vec![1],
                (1..=3).collect(),
                (1..=5).collect(),
                &["std", "mod"],
                5,
                both,
            ),
            "paper" => base(
                vec![2],
                vec![1],
                (1..=5).collect(),
                (1..=8).collect(),
                &["std", "mod"],
                10,
                both,
            ),
            "atlas" => base(
                vec![1, 2],
                vec![1, 2],
                (1..=5).collect(),
                (1..=8).collect(),
                &["std", "mod", "pre"],
                100,
                vec![Route::Convex],
            ),
            other => {
                return Err(Error::setting(
                    "preset",
                    other,
                    "one of quick, paper, atlas",
                ));
            }
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks every range and that every cell is a problem inrsamp accepts.
    pub fn validate(&self) -> Result<()> {
        let nonempty = |field: &'static str, n: usize| {
            if n == 0 {
                Err(Error::setting(field, "[]", "the range must not be empty"))
            } else {
                Ok(())
            }
        };
        nonempty("d", self.d.len())?;
        nonempty("k0", self.k0.len())?;
        nonempty("width", self.width.len())?;
        nonempty("k", self.k.len())?;
        nonempty("psi", self.psi.len())?;
        nonempty("routes", self.routes.len())?;
        if let Some(&w) = self.width.iter().find(|&&w| w == 0 || w > 100) {
            return Err(Error::setting("width", w, "teacher widths are 1 to 100"));
        }
        if let Some(&k) = self.k.iter().find(|&&k| k == 0) {
            return Err(Error::setting(
                "k",
                k,
                "the sampling cutoff must be at least 1",
            ));
        }
        if self.trials == 0 {
            return Err(Error::setting("trials", 0, "at least one trial per cell"));
        }
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::setting(
                "name",
                &self.name,
                "letters, digits, - and _ only",
            ));
        }
        let cells = self.d.len() * self.k0.len() * self.width.len() * self.k.len() * self.psi.len();
        let jobs = cells
            .saturating_mul(self.trials)
            .saturating_mul(self.routes.len());
        if jobs > MAX_JOBS {
            return Err(Error::setting(
                "trials",
                self.trials,
                format!("{jobs} jobs exceed the limit {MAX_JOBS}"),
            ));
        }
        for &d in &self.d {
            for &k0 in &self.k0 {
                for &k in &self.k {
                    for psi in &self.psi {
                        crate::spec::SpecInput {
                            d: Some(d as i64),
                            k0: Some(k0 as i64),
                            k: Some(k as i64),
                            psi: Some(psi.clone()),
                            ..Default::default()
                        }
                        .build()?;
                    }
                }
            }
        }
        if self.convex.grid_points == 0 || self.convex.grid_points > 10_000_000 {
            return Err(Error::setting(
                "convex.grid_points",
                self.convex.grid_points,
                "1 to 10 000 000",
            ));
        }
        crate::certify::bracket::check_round_search(
            "convex.round_search",
            self.convex.round_search,
        )?;
        if let Some(n) = self.convex.max_rounds {
            crate::certify::bracket::check_max_rounds("convex.max_rounds", n)?;
        }
        let a = &self.al;
        if a.student_width == 0
            || a.outer_max == 0
            || a.inner_steps == 0
            || !(a.tau.is_finite() && a.tau > 0.0)
        {
            return Err(Error::setting(
                "al",
                format!("{a:?}"),
                "student_width, outer_max, inner_steps and tau must be positive",
            ));
        }
        Ok(())
    }

    /// A short hash of every setting (hex of SplitMix64 over the canonical
    /// JSON): records of a plan carry it, and resume and merge check it.
    pub fn settings_hash(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let h = json
            .bytes()
            .fold(mix(json.len() as u64), |h, b| mix(h ^ b as u64));
        format!("{h:016x}")
    }

    /// Every job, in a fixed order (d, k0, W, trial, K, psi, route).
    pub fn jobs(&self) -> Vec<Job> {
        let mut out = Vec::new();
        for &d in &self.d {
            for &k0 in &self.k0 {
                for &width in &self.width {
                    for trial in 0..self.trials {
                        let seed = teacher_seed(self.base_seed, d, k0, width, trial);
                        for &k in &self.k {
                            for psi in &self.psi {
                                for &route in &self.routes {
                                    out.push(Job {
                                        id: format!(
                                            "d{d}-k0{k0}-w{width}-k{k}-{psi}-t{trial}-{}",
                                            route.name()
                                        ),
                                        index: out.len(),
                                        d,
                                        k0,
                                        k,
                                        width,
                                        psi: psi.clone(),
                                        trial,
                                        route,
                                        seed,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

/// `--shard i/n`: the jobs with `index % n == i - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based shard number.
    pub i: usize,
    /// Number of shards.
    pub n: usize,
}

impl std::str::FromStr for Shard {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::setting("shard", s, "i/n with 1 <= i <= n, e.g. 2/8");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (i, n): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || i == 0 || i > n {
            return Err(bad());
        }
        Ok(Shard { i, n })
    }
}

impl Shard {
    /// Whether `job` belongs to this shard.
    pub fn has(&self, job: &Job) -> bool {
        job.index % self.n == self.i - 1
    }
}
