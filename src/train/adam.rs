//! Adam with bias correction (Kingma & Ba), on a flat parameter buffer.

use serde::Serialize;

/// Adam settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AdamSettings {
    /// Learning rate (default 1e-3).
    pub lr: f64,
    /// First-moment decay (default 0.9).
    pub beta1: f64,
    /// Second-moment decay (default 0.999).
    pub beta2: f64,
    /// Denominator offset (default 1e-8).
    pub eps: f64,
}

impl Default for AdamSettings {
    fn default() -> Self {
        AdamSettings {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

/// Adam's state.
#[derive(Debug, Clone)]
pub struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
    t: u64,
}

impl Adam {
    /// Zero moments for `n` parameters.
    pub fn new(n: usize) -> Self {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// One step `theta -= lr mhat / (sqrt(vhat) + eps)`.
    pub fn step(&mut self, theta: &mut [f64], grad: &[f64], s: &AdamSettings, lr: f64) {
        self.t += 1;
        let b1t = 1.0 - s.beta1.powi(self.t.min(i32::MAX as u64) as i32);
        let b2t = 1.0 - s.beta2.powi(self.t.min(i32::MAX as u64) as i32);
        for (((p, &g), m), v) in theta
            .iter_mut()
            .zip(grad)
            .zip(self.m.iter_mut())
            .zip(self.v.iter_mut())
        {
            *m = s.beta1 * *m + (1.0 - s.beta1) * g;
            *v = s.beta2 * *v + (1.0 - s.beta2) * g * g;
            let mhat = *m / b1t;
            let vhat = *v / b2t;
            *p -= lr * mhat / (vhat.sqrt() + s.eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_each_parameter_by_lr() {
        // With bias correction the first step is lr * g / (|g| + eps).
        let mut th = vec![1.0, -2.0];
        let mut a = Adam::new(2);
        let s = AdamSettings::default();
        a.step(&mut th, &[0.5, -4.0], &s, 0.1);
        assert!(
            (th[0] - 0.9).abs() < 1e-7 && (th[1] + 1.9).abs() < 1e-7,
            "{th:?}"
        );
    }

    #[test]
    fn minimizes_a_quadratic() {
        let mut th = vec![3.0, -1.0, 0.5];
        let mut a = Adam::new(3);
        let s = AdamSettings::default();
        for _ in 0..5000 {
            let g: Vec<f64> = th
                .iter()
                .enumerate()
                .map(|(i, x)| (i as f64 + 1.0) * (x - 0.25))
                .collect();
            a.step(&mut th, &g, &s, 0.01);
        }
        assert!(th.iter().all(|x| (x - 0.25).abs() < 1e-3), "{th:?}");
    }
}
