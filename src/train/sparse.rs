//! The real map from tensor-real coefficients to the real measurement
//! vector (docs/theory.md 1), stored by rows of nonzeros: each measurement
//! combines at most `2^d` tensor entries, so the dense `M x T` product that
//! it replaces cost `M T` (1.2e6 per unit and step at d = 2, K = 16) where
//! this costs at most `2^d M`. Sums run over the nonzeros in the dense
//! order, so results equal the dense products up to the sign of zeros.

/// A sparse matrix in compressed rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseRows {
    cols: usize,
    start: Vec<usize>,
    index: Vec<usize>,
    value: Vec<f64>,
}

impl SparseRows {
    /// From a dense row-major `rows x cols` matrix (exact zeros dropped).
    pub fn from_dense(dense: &[f64], cols: usize) -> Self {
        let rows = dense.len().checked_div(cols).unwrap_or(0);
        let mut start = Vec::with_capacity(rows + 1);
        let (mut index, mut value) = (Vec::new(), Vec::new());
        start.push(0);
        for r in 0..rows {
            for (c, &v) in dense[r * cols..(r + 1) * cols].iter().enumerate() {
                if v != 0.0 {
                    index.push(c);
                    value.push(v);
                }
            }
            start.push(index.len());
        }
        SparseRows {
            cols,
            start,
            index,
            value,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.start.len() - 1
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `out = A x`.
    pub fn apply(&self, x: &[f64], out: &mut [f64]) {
        for (r, o) in out.iter_mut().enumerate() {
            let (a, b) = (self.start[r], self.start[r + 1]);
            *o = self.index[a..b]
                .iter()
                .zip(&self.value[a..b])
                .map(|(&c, &v)| v * x[c])
                .sum();
        }
    }

    /// `out = A^T y`.
    pub fn apply_transpose(&self, y: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        for (r, &yr) in y.iter().enumerate() {
            if yr != 0.0 {
                let (a, b) = (self.start[r], self.start[r + 1]);
                for (&c, &v) in self.index[a..b].iter().zip(&self.value[a..b]) {
                    out[c] += yr * v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_products_equal_dense_ones() {
        // A 3 x 4 matrix with zeros, against the products written out.
        let dense = [1.0, 0.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 3.0, 0.0, -1.0];
        let s = SparseRows::from_dense(&dense, 4);
        assert_eq!((s.rows(), s.cols()), (3, 4));
        let x = [2.0, -1.0, 4.0, 0.25];
        let mut out = [0.0; 3];
        s.apply(&x, &mut out);
        assert_eq!(out, [2.0 - 8.0, 0.0, 1.0 - 3.0 - 0.25]);
        let y = [1.0, 5.0, -2.0];
        let mut t = [0.0; 4];
        s.apply_transpose(&y, &mut t);
        assert_eq!(t, [1.0 - 1.0, -6.0, -2.0, 2.0]);
    }
}
