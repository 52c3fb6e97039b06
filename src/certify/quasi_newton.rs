//! A small BFGS maximizer with central-difference gradients, for the
//! smooth low-dimensional searches of the certificate (the densities of
//! [`super::limit_lines`]). A search, not a proof.

use super::limit_points::IMPROVE_REL;

/// Maximizes `f` from `x0` by BFGS with central-difference gradients (step
/// `fd`) and backtracking, within `max_evals` evaluations; `f` may return
/// `-inf` outside its domain (the line search backs off).
pub fn maximize(
    f: &dyn Fn(&[f64]) -> f64,
    x0: Vec<f64>,
    fd: f64,
    max_evals: usize,
) -> (f64, Vec<f64>) {
    let n = x0.len();
    let mut evals = 0usize;
    let eval = |x: &[f64], evals: &mut usize| {
        *evals += 1;
        f(x)
    };
    let grad = |x: &[f64], evals: &mut usize| -> Option<Vec<f64>> {
        let mut g = vec![0.0; n];
        for i in 0..n {
            let mut a = x.to_vec();
            let mut b = x.to_vec();
            a[i] += fd;
            b[i] -= fd;
            *evals += 2;
            let (fa, fb) = (f(&a), f(&b));
            if !fa.is_finite() || !fb.is_finite() {
                return None;
            }
            g[i] = (fa - fb) / (2.0 * fd);
        }
        Some(g)
    };
    let mut x = x0;
    let mut fx = eval(&x, &mut evals);
    let Some(mut g) = grad(&x, &mut evals) else {
        return (fx, x);
    };
    // Inverse Hessian approximation of -f (starts as the identity).
    let mut hinv = vec![0.0; n * n];
    for i in 0..n {
        hinv[i * n + i] = 1.0;
    }
    while evals < max_evals {
        let dir: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| hinv[i * n + j] * g[j]).sum())
            .collect();
        let slope: f64 = dir.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope.is_nan() || slope <= 0.0 {
            break;
        }
        let mut step = 1.0;
        let mut accepted = None;
        while step > 1e-12 && evals < max_evals {
            let xt: Vec<f64> = x.iter().zip(&dir).map(|(a, d)| a + step * d).collect();
            let ft = eval(&xt, &mut evals);
            if ft.is_finite() && ft >= fx + 1e-4 * step * slope {
                accepted = Some((xt, ft));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fnew)) = accepted else { break };
        let Some(gn) = grad(&xn, &mut evals) else {
            x = xn;
            fx = fnew;
            break;
        };
        // BFGS update for minimizing -f: s = xn - x, y = -(gn - g).
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| b - a).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-300 {
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| hinv[i * n + j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    hinv[i * n + j] +=
                        (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                }
            }
        }
        let gain = fnew - fx;
        x = xn;
        fx = fnew;
        g = gn;
        if gain <= IMPROVE_REL * fx.abs() {
            break;
        }
    }
    (fx, x)
}
