//! Generalized weight decay: the weightings `psi` and their gradients
//! (docs/theory.md 3, paper eq. 7-8).
//!
//! - `psi_std(w) = |w|_2`;
//! - `psi_pre(w) = |g_w|_{L2} = sqrt(w_0^2 + 1/2 sum_{i>=1} w_i^2)`;
//! - `psi_mod(w) = |A_{K'} sigma(g_w)|_2` **[reconstruction of eq. 8]**, with
//!   gradient `(A sigma(g_w)) . A[H(g_w) gamma] / psi(w)` (docs/theory.md 7).
//!
//! All three are positively homogeneous of degree 1.

use crate::error::Result;
use crate::fourier::RealMap;
use crate::inr::unit::{UnitEvaluator, UnitScratch};
use serde::{Deserialize, Serialize};

/// Which weighting, with its parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PsiKind {
    /// Standard weight decay on the non-redundant features: `|w|_2`.
    Std,
    /// Modified weight decay: `|A_{K'} sigma(g_w)|_2` with `K' = k_prime`.
    Mod {
        /// The cutoff `K'` of the weighting (default: the sampling cutoff K).
        k_prime: usize,
    },
    /// Standard weight decay on the redundant features: `|g_w|_{L2}`.
    Pre,
}

impl PsiKind {
    /// Short name, as on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            PsiKind::Std => "std",
            PsiKind::Mod { .. } => "mod",
            PsiKind::Pre => "pre",
        }
    }
}

impl std::fmt::Display for PsiKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PsiKind::Mod { k_prime } => write!(f, "mod(K'={k_prime})"),
            other => f.write_str(other.name()),
        }
    }
}

/// `psi_std(w) = |w|_2`.
pub fn psi_std(w: &[f64]) -> f64 {
    crate::numeric::norm2(w)
}

/// `psi_pre(w) = sqrt(w_0^2 + 1/2 sum_{i>=1} w_i^2)`.
pub fn psi_pre(w: &[f64]) -> f64 {
    // Scaled by a power of two so that the squares cannot overflow.
    let t = crate::numeric::power_of_two_scale(w);
    let u = |v: f64| v / t;
    t * (u(w[0]) * u(w[0]) + 0.5 * w[1..].iter().map(|&v| u(v) * u(v)).sum::<f64>()).sqrt()
}

/// Evaluates one weighting and its gradient.
#[derive(Debug, Clone)]
pub struct Psi {
    kind: PsiKind,
    /// For `Mod`: the evaluator of `A_{K'} sigma(g_w)` (cutoff `K'`).
    unit: Option<Box<UnitEvaluator>>,
}

impl Psi {
    /// `psi_std`.
    pub fn std() -> Self {
        Psi {
            kind: PsiKind::Std,
            unit: None,
        }
    }

    /// `psi_pre`.
    pub fn pre() -> Self {
        Psi {
            kind: PsiKind::Pre,
            unit: None,
        }
    }

    /// `psi_mod` with the evaluator `unit` of `A_{K'} sigma(g_w)`; `K'` is
    /// the evaluator's cutoff.
    pub fn modified(unit: UnitEvaluator) -> Self {
        Psi {
            kind: PsiKind::Mod {
                k_prime: unit.map().cutoff(),
            },
            unit: Some(Box::new(unit)),
        }
    }

    /// The kind.
    pub fn kind(&self) -> PsiKind {
        self.kind
    }

    /// `psi(w)`.
    pub fn value(&self, w: &[f64]) -> Result<f64> {
        Ok(match self.kind {
            PsiKind::Std => psi_std(w),
            PsiKind::Pre => psi_pre(w),
            PsiKind::Mod { .. } => match &self.unit {
                Some(unit) => psi_std(&unit.measure(w)?),
                None => unreachable!("Psi::modified always stores its evaluator"),
            },
        })
    }

    /// `psi(w)` and its gradient. At `psi(w) = 0` the gradient is set to 0
    /// (psi is not differentiable there).
    pub fn value_and_gradient(&self, w: &[f64]) -> Result<(f64, Vec<f64>)> {
        let mut g = vec![0.0; w.len()];
        let v = match self.kind {
            PsiKind::Std => {
                let v = psi_std(w);
                if v > 0.0 {
                    g.iter_mut().zip(w).for_each(|(gi, wi)| *gi = wi / v);
                }
                v
            }
            PsiKind::Pre => {
                let v = psi_pre(w);
                if v > 0.0 {
                    g[0] = w[0] / v;
                    for i in 1..w.len() {
                        g[i] = 0.5 * w[i] / v;
                    }
                }
                v
            }
            PsiKind::Mod { .. } => {
                let Some(unit) = &self.unit else {
                    unreachable!("Psi::modified always stores its evaluator")
                };
                let r = unit.measure_and_vjp(w, &[], true)?;
                let v = psi_std(&r.y);
                if v > 0.0
                    && let Some(jt_y) = &r.jt_y
                {
                    for (gi, j) in g.iter_mut().zip(jt_y) {
                        *gi = j / v;
                    }
                }
                v
            }
        };
        Ok((v, g))
    }

    /// `psi_mod` read from an analysis already in `scratch` (the dictionary
    /// shares one transform between the measurement and the weighting).
    pub fn mod_from_scratch(
        unit: &UnitEvaluator,
        map_k_prime: &RealMap,
        scratch: &mut UnitScratch,
        buf: &mut [f64],
    ) -> f64 {
        unit.read(map_k_prime, scratch, buf);
        psi_std(buf)
    }
}
