//! Plot-ready CSV of the certificate function `eta` (tidy: one row per point).
//!
//! - D = 3: a (theta, phi) grid of the sphere, `w = (sin theta cos phi,
//!   sin theta sin phi, cos theta)`; columns `theta,phi,w0,w1,w2,eta`;
//!   `resolution` values of theta in [0, pi], `2 resolution` of phi in [0, 2 pi).
//! - any D: great circles through each support atom `a` towards seeded random
//!   unit directions `u` orthogonal to it, `w(t) = cos t a + sin t u`,
//!   `t in [0, 2 pi)`; columns `atom,circle,t,eta`.

use crate::certify::eta::EtaField;
use crate::error::Result;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use std::f64::consts::{PI, TAU};
use std::path::Path;

/// A (theta, phi) grid row: theta, phi, w, eta(w).
pub type SphereRow = (f64, f64, [f64; 3], f64);

/// A great-circle row: atom, circle, t, eta(cos t a + sin t u).
pub type CircleRow = (usize, usize, f64, f64);

/// Writes the (theta, phi) grid for D = 3.
pub fn write_sphere_grid(path: &Path, field: &EtaField, resolution: usize) -> Result<()> {
    let rows = sphere_grid_values(field, resolution)?;
    super::write_atomic(path, |out| {
        let mut wr = csv::Writer::from_writer(out);
        wr.write_record(["theta", "phi", "w0", "w1", "w2", "eta"])?;
        for (t, p, w, e) in rows {
            wr.write_record([
                format!("{t:.10}"),
                format!("{p:.10}"),
                format!("{:.12e}", w[0]),
                format!("{:.12e}", w[1]),
                format!("{:.12e}", w[2]),
                format!("{e:.15e}"),
            ])?;
        }
        wr.flush()
    })
}

/// eta on the (theta, phi) grid of S^2: `resolution` values of theta in
/// [0, pi], `2 resolution` of phi in [0, 2 pi); rows in theta-major order.
pub fn sphere_grid_values(field: &EtaField, resolution: usize) -> Result<Vec<SphereRow>> {
    let nt = resolution.max(2);
    let np = 2 * nt;
    crate::limits::check_memory(
        "eta-resolution",
        resolution,
        crate::limits::f64_bytes(&[(nt as u128).saturating_mul(np as u128), 12]),
        "the eta grid of the sphere",
    )?;
    let rows: Vec<Result<SphereRow>> = (0..nt * np)
        .into_par_iter()
        .map(|idx| {
            let theta = PI * (idx / np) as f64 / (nt - 1) as f64;
            let phi = TAU * (idx % np) as f64 / np as f64;
            let w = [
                theta.sin() * phi.cos(),
                theta.sin() * phi.sin(),
                theta.cos(),
            ];
            Ok((theta, phi, w, field.value(&w)?))
        })
        .collect();
    rows.into_iter().collect()
}

/// Writes great circles through each atom (unit directions).
pub fn write_great_circles(
    path: &Path,
    field: &EtaField,
    atoms: &[Vec<f64>],
    circles: usize,
    resolution: usize,
    seed: u64,
) -> Result<()> {
    let rows = great_circle_values(field, atoms, circles, resolution, seed)?;
    super::write_atomic(path, |out| {
        let mut wr = csv::Writer::from_writer(out);
        wr.write_record(["atom", "circle", "t", "eta"])?;
        for (a, c, t, e) in rows {
            wr.write_record([
                a.to_string(),
                c.to_string(),
                format!("{t:.10}"),
                format!("{e:.15e}"),
            ])?;
        }
        wr.flush()
    })
}

/// eta on `circles` great circles through each atom towards seeded random
/// orthogonal unit directions, `resolution` points per circle.
pub fn great_circle_values(
    field: &EtaField,
    atoms: &[Vec<f64>],
    circles: usize,
    resolution: usize,
    seed: u64,
) -> Result<Vec<CircleRow>> {
    let dim = atoms.first().map_or(0, |a| a.len()) as u128;
    crate::limits::check_memory(
        "eta-resolution",
        resolution,
        crate::limits::f64_bytes(&[
            (atoms.len() as u128)
                .saturating_mul(circles as u128)
                .saturating_mul(resolution.max(2) as u128),
            2 * dim + 6,
        ]),
        "the great circles of eta through the atoms",
    )?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut jobs = Vec::new();
    for (ai, a) in atoms.iter().enumerate() {
        for ci in 0..circles {
            let mut u: Vec<f64> = (0..a.len())
                .map(|_| StandardNormal.sample(&mut rng))
                .collect();
            let dot: f64 = u.iter().zip(a).map(|(x, y)| x * y).sum();
            u.iter_mut().zip(a).for_each(|(x, y)| *x -= dot * y);
            let n = u.iter().map(|x| x * x).sum::<f64>().sqrt();
            u.iter_mut().for_each(|x| *x /= n);
            for k in 0..resolution.max(2) {
                jobs.push((
                    ai,
                    ci,
                    TAU * k as f64 / resolution.max(2) as f64,
                    a.clone(),
                    u.clone(),
                ));
            }
        }
    }
    let rows: Vec<Result<CircleRow>> = jobs
        .into_par_iter()
        .map(|(ai, ci, t, a, u)| {
            let w: Vec<f64> = a
                .iter()
                .zip(&u)
                .map(|(x, y)| t.cos() * x + t.sin() * y)
                .collect();
            Ok((ai, ci, t, field.value(&w)?))
        })
        .collect();
    rows.into_iter().collect()
}

/// The eta CSV of a problem: the (theta, phi) grid when D = 3, great circles
/// (4 per atom) through the unit directions `atoms` otherwise.
pub fn write_eta_csv(
    path: &Path,
    field: &EtaField,
    dim: usize,
    atoms: &[Vec<f64>],
    resolution: usize,
    seed: u64,
) -> Result<()> {
    if dim == 3 {
        write_sphere_grid(path, field, resolution)
    } else {
        write_great_circles(path, field, atoms, 4, resolution, seed)
    }
}

/// The `--eta-csv` and `--eta-png` outputs of one eta field (either may be
/// absent), as `solve` and `certify` write them.
pub struct EtaOutputs<'a> {
    /// `--eta-csv`.
    pub csv: Option<&'a Path>,
    /// `--eta-png`.
    pub png: Option<&'a Path>,
    /// `--eta-resolution` of the CSV.
    pub resolution: usize,
    /// Cap radius marked in the picture.
    pub cap_radius: f64,
    /// Caption of the picture.
    pub caption: String,
}

/// Writes the outputs of `out` for `field`, with the support directions
/// `dirs` marked.
pub fn write_eta_outputs(
    out: &EtaOutputs,
    field: &EtaField,
    dim: usize,
    dirs: &[Vec<f64>],
    seed: u64,
) -> Result<()> {
    if let Some(path) = out.csv {
        write_eta_csv(path, field, dim, dirs, out.resolution, seed)?;
    }
    if let Some(path) = out.png {
        super::eta_png::write_eta_png(path, field, dim, dirs, out.cap_radius, &out.caption, seed)?;
    }
    Ok(())
}
