//! The Jacobian `A_K[H(g) gamma]` in d = 2 from the coefficients of one
//! indicator (docs/theory.md 9, "Exact coefficients in d = 2"; issue "Exact
//! 2-D measurements", point 1).
//!
//! `H(g) h` has the coefficients `sum_j h^[j] I^[k - j]`, where `I^[m] =
//! \int 1[g > 0] e^{-2 pi i m.x} dx` and `j` runs over the `(2K0+1)^2`
//! coefficients of `h`. So the `D` columns of the Jacobian need one
//! integration of the indicator (at cutoff `K + K0`) instead of `D`
//! integrations of `1[g > 0] gamma_i`. With the same nodes in `x2` and the
//! same closed-form arcs in `x1` this is the same quadrature, regrouped
//! (linear in `h`): the two agree to rounding, which the tests check against
//! the direct route of [`super::exact2d::integrate`].

use super::exact2d::Node;
use num_complex::Complex64;

/// The coefficients `I^[m]` of `1[g > 0]`, `m1 = 0..=K+K0`, `m2 = -(K+K0)..=K+K0`
/// (the others by `I^[-m] = conj I^[m]`).
#[derive(Debug, Clone)]
pub struct Indicator {
    k0: usize,
    kmax: usize,
    reach: usize,
    coef: Vec<Complex64>,
}

impl Indicator {
    /// Integrates `1[g > 0]` (`g` on its cube) on `nodes` for the Jacobian
    /// at cutoff `kmax`: for `K0 = 1` the nodes of
    /// [`super::exact2d::bare_nodes`] (or `nodes`) and the closed-form rows
    /// of [`super::exact2d::row_indicator`]; otherwise those of
    /// [`super::exact2d_rows::nodes`] with their intervals.
    pub fn new(nodes: &[Node], gcube: &[Complex64], k0: usize, kmax: usize) -> Self {
        let reach = kmax + k0;
        let (coef, _) = if k0 >= 2 {
            let s = 2 * k0 + 1;
            let mut one = vec![Complex64::new(0.0, 0.0); s * s];
            one[(s * s - 1) / 2] = Complex64::new(1.0, 0.0);
            super::exact2d_rows::integrate(nodes, &one, reach)
        } else {
            super::exact2d::integrate_indicator(nodes, gcube, reach)
        };
        Self {
            k0,
            kmax,
            reach,
            coef,
        }
    }

    /// `I^[m]` for `|m1|, |m2| <= K + K0`.
    pub fn at(&self, m1: i64, m2: i64) -> Complex64 {
        let r = self.reach as i64;
        let side = (2 * r + 1) as usize;
        if m1 >= 0 {
            self.coef[m1 as usize * side + (m2 + r) as usize]
        } else {
            self.coef[(-m1) as usize * side + (r - m2) as usize].conj()
        }
    }

    /// The coefficients of `1[g > 0] h` (`h` on its `(2K0+1)^2` cube,
    /// lexicographic, `k1` slowest) on the layout of
    /// [`super::exact2d::integrate`]: `k1 = 0..=K`, `k2 = -K..=K`, row-major.
    pub fn product_grid(&self, hcube: &[Complex64], out: &mut Vec<Complex64>) {
        let k = self.kmax as i64;
        let side = (2 * k + 1) as usize;
        let s = 2 * self.k0 + 1;
        let k0 = self.k0 as i64;
        out.clear();
        out.resize((self.kmax + 1) * side, Complex64::new(0.0, 0.0));
        for (idx, h) in hcube.iter().enumerate() {
            if *h == Complex64::new(0.0, 0.0) {
                continue;
            }
            let (j1, j2) = ((idx / s) as i64 - k0, (idx % s) as i64 - k0);
            for k1 in 0..=k {
                for k2 in -k..=k {
                    out[k1 as usize * side + (k2 + k) as usize] += h * self.at(k1 - j1, k2 - j2);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fourier::{exact2d, exact2d_rows};

    fn cube(seed: u64, s: usize) -> Vec<Complex64> {
        // A real trigonometric polynomial: c[-j] = conj c[j].
        let n = s * s;
        let mut c = vec![Complex64::new(0.0, 0.0); n];
        let mut x = seed as f64 + 0.5;
        let mut next = || {
            x = (x * 7.31 + 0.37).fract();
            2.0 * x - 1.0
        };
        for i in 0..n / 2 {
            let v = Complex64::new(next(), next());
            c[i] = v;
            c[n - 1 - i] = v.conj();
        }
        c[n / 2] = Complex64::new(next(), 0.0);
        c
    }

    fn max_rel(a: &[Complex64], b: &[Complex64]) -> f64 {
        let scale = b.iter().map(|v| v.norm()).fold(0.0, f64::max);
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).norm())
            .fold(0.0, f64::max)
            / scale
    }

    #[test]
    fn regrouped_products_match_the_direct_integrals() {
        // K0 = 1 and K0 = 2, every basis cube and a dense one.
        for (k0, seed) in [(1usize, 1u64), (1, 2), (2, 3)] {
            let s = 2 * k0 + 1;
            let g = cube(seed, s);
            let kmax = 3;
            let nodes = if k0 == 1 {
                exact2d::nodes(&g, kmax, false).unwrap()
            } else {
                exact2d_rows::nodes(&g, kmax, false).unwrap()
            };
            assert!(nodes.iter().any(|n| !n.intervals.is_empty()));
            let ind = Indicator::new(&nodes, &g, k0, kmax);
            if k0 == 1 {
                // The closed-form rows on bare nodes against the arcs of
                // `nodes` integrated by the 1-D route.
                let mut one = vec![Complex64::new(0.0, 0.0); 9];
                one[4] = Complex64::new(1.0, 0.0);
                let (direct, _) = exact2d::integrate(&nodes, &one, kmax + 1);
                let bare = exact2d::bare_nodes(&g, kmax, false).unwrap();
                let (closed, _) = exact2d::integrate_indicator(&bare, &g, kmax + 1);
                let e = max_rel(&closed, &direct);
                assert!(e < 1e-13, "indicator rows: {e:e}");
                let (relu_full, _) = exact2d::integrate_relu(&nodes, &g, kmax);
                let (relu_bare, _) = exact2d::integrate_relu(&bare, &g, kmax);
                assert_eq!(relu_full, relu_bare);
            }
            let mut hs: Vec<Vec<Complex64>> = (0..s * s)
                .map(|i| {
                    let mut h = vec![Complex64::new(0.0, 0.0); s * s];
                    h[i] = Complex64::new(1.0, 0.0);
                    h
                })
                .collect();
            hs.push(cube(seed + 10, s));
            let mut grid = Vec::new();
            for h in &hs {
                ind.product_grid(h, &mut grid);
                let (direct, _) = if k0 == 1 {
                    exact2d::integrate(&nodes, h, kmax)
                } else {
                    exact2d_rows::integrate(&nodes, h, kmax)
                };
                let e = max_rel(&grid, &direct);
                assert!(e < 1e-13, "K0 = {k0}: {e:e}");
            }
        }
    }
}
