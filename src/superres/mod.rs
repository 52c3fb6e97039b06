//! Super-resolution of phantoms by INR fits (docs/theory.md 8, the paper's
//! Figure 3): from the exact coefficients `|k|_inf <= K` of a phantom, fit
//! the penalized problem (2) with Adam (a phase at `lr`, then one at
//! `lr/10`) for each method (shallow psi_std / psi_mod / psi_pre, deep) and
//! each `lambda` of a grid, and compare images with the ground truth.
//!
//! Two choices of `lambda` are reported:
//! - **by the ground truth** (the paper's protocol): the `lambda` of least
//!   image MSE. It uses the ground truth, so it is an oracle;
//! - **held out** (ground-truth free): each `lambda` is also fitted on the
//!   coefficients `|k|_inf <= K - 1` only, and the one whose fit best
//!   predicts the held-out ring `|k|_inf = K` (relative error) is chosen;
//!   its full-data fit is the reconstruction.

pub mod config;
pub mod panels;

use crate::error::{Error, Result};
use crate::phantom::dots::DotSettings;
use crate::phantom::image::{Picture, raster, zero_filled};
use crate::phantom::spectrum::Cube;
use crate::phantom::{Phantom, PhantomName, real_vector};
use crate::spec::{ProblemSpec, SpecInput};
use crate::train::deep::DeepModel;
use crate::train::model::ShallowModel;
use crate::train::{Method, Network, Silent, TrainSettings, train};
pub use config::{Figure3Config, MethodName, PanelConfig};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Which coefficients a fit sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fold {
    /// All of `|k|_inf <= K`.
    Full,
    /// `|k|_inf <= K - 1`; the ring `|k|_inf = K` is held out.
    HeldOut,
}

/// One fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Job {
    /// Panel index.
    pub panel: usize,
    /// Method.
    pub method: MethodName,
    /// `lambda` of (2).
    pub lambda: f64,
    /// Which data.
    pub fold: Fold,
}

/// The result of one fit (a CSV row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobResult {
    /// Panel name.
    pub panel: String,
    /// Method.
    pub method: MethodName,
    /// `lambda`.
    pub lambda: f64,
    /// Which data.
    pub fold: Fold,
    /// `|A f - y| / |y|` on the data the fit saw.
    pub residual_rel: f64,
    /// Image MSE against the ground truth (full fits).
    pub image_mse: Option<f64>,
    /// PSNR in dB (full fits).
    pub psnr_db: Option<f64>,
    /// Relative prediction error on the held-out ring (held-out fits).
    pub ring_error_rel: Option<f64>,
    /// Why training stopped.
    pub termination: String,
    /// Wall time of the fit.
    pub seconds: f64,
    /// The reconstruction (full fits; not written to the CSV).
    #[serde(skip)]
    pub image: Option<Picture>,
}

/// The data of one panel.
#[derive(Debug, Clone)]
pub struct PanelData {
    /// The phantom.
    pub phantom: Phantom,
    /// Its exact coefficients at `K`.
    pub cube: Cube,
    /// The ground truth at the panel's resolution.
    pub truth: Picture,
    /// The zero-filled inverse FFT.
    pub zero_filled: Picture,
}

/// Builds a panel's phantom, coefficients and reference pictures.
pub fn panel_data(p: &PanelConfig, cfg: &Figure3Config) -> Result<PanelData> {
    let dots = DotSettings {
        count: p.dots,
        seed: cfg.seed,
        ..DotSettings::default()
    };
    let phantom = Phantom::builtin(PhantomName::parse(&p.phantom)?, &dots)?;
    let cube = phantom.coefficients(p.k)?;
    let truth = raster(cfg.resolution, 1, phantom.sampler())?;
    let zero_filled = zero_filled(&cube, cfg.resolution)?;
    Ok(PanelData {
        phantom,
        cube,
        truth,
        zero_filled,
    })
}

/// The spec of a panel's fit at cutoff `k`.
fn spec_for(p: &PanelConfig, method: MethodName, k: usize) -> Result<ProblemSpec> {
    SpecInput {
        d: Some(2),
        k0: Some(p.k0 as i64),
        k: Some(k as i64),
        psi: Some(method.psi().to_string()),
        ..Default::default()
    }
    .build()
}

/// The coefficients `|k|_inf <= k` of a larger cube.
fn sub_cube(cube: &Cube, k: usize) -> Cube {
    let mut out = Cube::zeros(k);
    let ki = k as i64;
    for k1 in -ki..=ki {
        for k2 in -ki..=ki {
            let i = out.index(k1, k2);
            out.values[i] = cube.get(k1, k2);
        }
    }
    out
}

fn settings_for(cfg: &Figure3Config, p: &PanelConfig, lambda: f64) -> TrainSettings {
    let mut s = TrainSettings {
        width: p.width,
        grid: p.grid,
        method: Method::Penalized,
        lambda,
        steps: cfg.steps,
        seed: cfg.seed,
        ..TrainSettings::default()
    };
    s.adam.lr = cfg.lr;
    s
}

/// Trains `model` and returns (parameters, relative residual, termination).
fn fit<N: Network>(model: &N, y: &[f64], s: &TrainSettings) -> Result<(Vec<f64>, f64, String)> {
    let theta0 = model.initialize(s);
    let r = train(model, y, None, theta0, s, &mut Silent)?;
    let mut ws = model.workspace();
    let mut y_hat = vec![0.0; y.len()];
    model.forward(&r.params, &mut ws, &mut y_hat);
    let res = y_hat
        .iter()
        .zip(y)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
        / crate::numeric::norm2(y).max(f64::MIN_POSITIVE);
    let term = serde_json::to_value(r.termination)
        .ok()
        .and_then(|v| v.get("reason").and_then(|x| x.as_str()).map(String::from))
        .unwrap_or_default();
    Ok((r.params, res, term))
}

/// A fitted function, its prediction at K, its residual and termination.
type Fitted = (Box<dyn Fn([f64; 2]) -> f64 + Sync>, Vec<f64>, f64, String);

/// Runs one job.
pub fn run_job(cfg: &Figure3Config, data: &[PanelData], job: &Job) -> Result<JobResult> {
    let start = std::time::Instant::now();
    let p = &cfg.panel[job.panel];
    let d = &data[job.panel];
    let k_fit = match job.fold {
        Fold::Full => p.k,
        Fold::HeldOut => p.k - 1,
    };
    let spec = spec_for(p, job.method, k_fit)?;
    let spec_full = spec_for(p, job.method, p.k)?;
    let y = real_vector(&sub_cube(&d.cube, k_fit));
    let y_full = real_vector(&d.cube);
    let s = settings_for(cfg, p, job.lambda);
    let features = crate::inr::features::Features::new(2, p.k0);
    // The fitted function, its prediction at K, and the fit's residual.
    let (sampler, y_pred, residual_rel, termination): Fitted = if let MethodName::Deep = job.method
    {
        let model = DeepModel::new(&spec, p.depth, p.hidden, p.grid)?;
        let (theta, res, term) = fit(&model, &y, &s)?;
        let full = DeepModel::new(&spec_full, p.depth, p.hidden, p.grid)?;
        let mut y_pred = vec![0.0; y_full.len()];
        full.forward(&theta, &mut full.workspace(), &mut y_pred);
        let f = move |x: [f64; 2]| {
            let mut g = vec![0.0; features.dim()];
            features.gamma(&x, &mut g);
            model.value_at(&theta, &g)
        };
        (Box::new(f), y_pred, res, term)
    } else {
        let model = ShallowModel::new(&spec, p.width, p.grid)?;
        let (theta, res, term) = fit(&model, &y, &s)?;
        let full = ShallowModel::new(&spec_full, p.width, p.grid)?;
        let mut y_pred = vec![0.0; y_full.len()];
        full.forward(&theta, &mut full.workspace(), &mut y_pred);
        let (a, w) = theta.split_at(p.width);
        let net = crate::inr::network::ShallowInr {
            d: 2,
            k0: p.k0,
            units: a
                .iter()
                .zip(w.chunks(features.dim()))
                .map(|(&a, w)| crate::inr::network::Unit { a, w: w.to_vec() })
                .collect(),
        };
        let f = move |x: [f64; 2]| net.eval(&features, &x);
        (Box::new(f), y_pred, res, term)
    };
    let mut out = JobResult {
        panel: p.name.clone(),
        method: job.method,
        lambda: job.lambda,
        fold: job.fold,
        residual_rel,
        image_mse: None,
        psnr_db: None,
        ring_error_rel: None,
        termination,
        seconds: 0.0,
        image: None,
    };
    match job.fold {
        Fold::Full => {
            let image = raster(cfg.resolution, 1, sampler)?;
            out.image_mse = Some(image.mse(&d.truth));
            out.psnr_db = Some(image.psnr(&d.truth));
            out.image = Some(image);
        }
        Fold::HeldOut => {
            // Ring entries: the half-set frequencies with |k|_inf = K.
            let map = crate::fourier::RealMap::new(2, p.k);
            let (mut num, mut den) = (0.0, 0.0);
            for (i, k) in map.half_set().iter().enumerate() {
                if k.iter().map(|v| v.unsigned_abs() as usize).max() == Some(p.k) {
                    for j in [1 + 2 * i, 2 + 2 * i] {
                        num += (y_pred[j] - y_full[j]).powi(2);
                        den += y_full[j].powi(2);
                    }
                }
            }
            out.ring_error_rel = Some((num / den.max(f64::MIN_POSITIVE)).sqrt());
        }
    }
    out.seconds = start.elapsed().as_secs_f64();
    Ok(out)
}

/// Every job of the plan, panel by panel.
pub fn jobs(cfg: &Figure3Config) -> Vec<Job> {
    let mut out = Vec::new();
    for (pi, p) in cfg.panel.iter().enumerate() {
        for &method in &p.methods {
            for &lambda in &cfg.lambdas {
                out.push(Job {
                    panel: pi,
                    method,
                    lambda,
                    fold: Fold::Full,
                });
                if cfg.held_out {
                    out.push(Job {
                        panel: pi,
                        method,
                        lambda,
                        fold: Fold::HeldOut,
                    });
                }
            }
        }
    }
    out
}

/// Whether `r` is the result of `job`.
fn is_result_of(cfg: &Figure3Config, r: &JobResult, job: &Job) -> bool {
    r.panel == cfg.panel[job.panel].name
        && r.method == job.method
        && r.lambda == job.lambda
        && r.fold == job.fold
}

/// Runs every job not in `previous` in parallel (rayon); `done` is called
/// after each. Returns the results of every job, in plan order.
pub fn run_all(
    cfg: &Figure3Config,
    data: &[PanelData],
    previous: &[JobResult],
    done: &(dyn Fn(&JobResult) + Sync),
) -> Result<Vec<JobResult>> {
    cfg.validate()?;
    if data.len() != cfg.panel.len() {
        return Err(Error::DimensionMismatch {
            what: "panel data".into(),
            expected: cfg.panel.len(),
            got: data.len(),
        });
    }
    jobs(cfg)
        .par_iter()
        .map(
            |j| match previous.iter().find(|r| is_result_of(cfg, r, j)) {
                Some(r) => Ok(r.clone()),
                None => {
                    let r = run_job(cfg, data, j)?;
                    done(&r);
                    Ok(r)
                }
            },
        )
        .collect()
}

/// The reconstruction of a full-data fit read back without its picture:
/// the fit is run again (training is deterministic) and must reproduce the
/// recorded image MSE to 1e-12 relative.
pub fn image_of(cfg: &Figure3Config, data: &[PanelData], r: &JobResult) -> Result<Picture> {
    if let Some(img) = &r.image {
        return Ok(img.clone());
    }
    let panel = cfg
        .panel
        .iter()
        .position(|p| p.name == r.panel)
        .ok_or_else(|| Error::setting("panel", &r.panel, "not in the plan"))?;
    let job = Job {
        panel,
        method: r.method,
        lambda: r.lambda,
        fold: Fold::Full,
    };
    let again = run_job(cfg, data, &job)?;
    let (Some(a), Some(b)) = (again.image_mse, r.image_mse) else {
        return Err(Error::Numerical {
            what: format!("the fit {}/{} has no image MSE", r.panel, r.method.name()),
        });
    };
    if (a - b).abs() > 1e-12 * b.abs().max(f64::MIN_POSITIVE) {
        return Err(Error::Numerical {
            what: format!(
                "the fit {}/{} lambda {:e} did not reproduce its recorded image MSE ({b:e}, now {a:e}): not the same plan or build",
                r.panel,
                r.method.name(),
                r.lambda
            ),
        });
    }
    again.image.ok_or_else(|| Error::Numerical {
        what: "a full fit without its picture".into(),
    })
}

/// The chosen fits of one (panel, method).
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// Panel name.
    pub panel: String,
    /// Method (or `zero-filled`).
    pub method: String,
    /// `lambda` of least image MSE (uses the ground truth).
    pub lambda_by_truth: Option<f64>,
    /// Its image MSE.
    pub mse_by_truth: f64,
    /// Its PSNR in dB.
    pub psnr_by_truth: f64,
    /// `lambda` chosen on the held-out ring (ground-truth free).
    pub lambda_held_out: Option<f64>,
    /// The image MSE of the full-data fit at that `lambda`.
    pub mse_held_out: Option<f64>,
}

/// The choices per (panel, method), with the zero-filled baseline first.
pub fn choose(cfg: &Figure3Config, data: &[PanelData], results: &[JobResult]) -> Vec<Choice> {
    let mut out = Vec::new();
    for (pi, p) in cfg.panel.iter().enumerate() {
        let zf = &data[pi].zero_filled;
        out.push(Choice {
            panel: p.name.clone(),
            method: "zero-filled".into(),
            lambda_by_truth: None,
            mse_by_truth: zf.mse(&data[pi].truth),
            psnr_by_truth: zf.psnr(&data[pi].truth),
            lambda_held_out: None,
            mse_held_out: None,
        });
        for &m in &p.methods {
            let mine = |fold: Fold| {
                results
                    .iter()
                    .filter(move |r| r.panel == p.name && r.method == m && r.fold == fold)
            };
            let best = mine(Fold::Full)
                .filter(|r| r.image_mse.is_some_and(f64::is_finite))
                .min_by(|a, b| {
                    a.image_mse
                        .partial_cmp(&b.image_mse)
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
            let held = mine(Fold::HeldOut)
                .filter(|r| r.ring_error_rel.is_some_and(f64::is_finite))
                .min_by(|a, b| {
                    a.ring_error_rel
                        .partial_cmp(&b.ring_error_rel)
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
            let held_mse = held.and_then(|h| {
                mine(Fold::Full)
                    .find(|r| r.lambda == h.lambda)
                    .and_then(|r| r.image_mse)
            });
            out.push(Choice {
                panel: p.name.clone(),
                method: m.name().into(),
                lambda_by_truth: best.map(|b| b.lambda),
                mse_by_truth: best.and_then(|b| b.image_mse).unwrap_or(f64::NAN),
                psnr_by_truth: best.and_then(|b| b.psnr_db).unwrap_or(f64::NAN),
                lambda_held_out: held.map(|h| h.lambda),
                mse_held_out: held_mse,
            });
        }
    }
    out
}
