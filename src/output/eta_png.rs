//! Pictures of the certificate function eta (docs/theory.md 5, 9):
//! - D = 3: a map of eta over the sphere in (phi, theta), blue -1, white 0,
//!   red +1, and **black where |eta| > 1** (a violation), with the support
//!   atoms (circles) and the boundary of their caps (dots);
//! - any other D: the profiles of eta along 4 great circles through each
//!   atom, `t` the angle from the atom, with the lines |eta| = 1 and the cap
//!   band shaded.
//!
//! The caption (verdict, margin, bracket) is given by the caller.

use super::eta::{great_circle_values, sphere_grid_values};
use super::png::{draw_error, register_font, write_rgb_png};
use crate::certify::eta::EtaField;
use crate::error::Result;
use plotters::prelude::*;
use std::f64::consts::{PI, TAU};
use std::path::Path;

/// Points per theta range of the D = 3 map (the picture's resolution).
pub const MAP_RESOLUTION: usize = 181;

/// Points per great circle of the profiles.
pub const CIRCLE_RESOLUTION: usize = 721;

fn diverging(e: f64) -> RGBColor {
    if !e.is_finite() || e.abs() > 1.0 {
        return RGBColor(0, 0, 0);
    }
    let t = e.abs();
    let fade = (255.0 * (1.0 - t)) as u8;
    if e >= 0.0 {
        RGBColor(255, fade, fade)
    } else {
        RGBColor(fade, fade, 255)
    }
}

fn angles(w: &[f64]) -> (f64, f64) {
    let n = crate::numeric::norm2(w).max(f64::MIN_POSITIVE);
    let theta = (w[2] / n).clamp(-1.0, 1.0).acos();
    let phi = w[1].atan2(w[0]).rem_euclid(TAU);
    (theta, phi)
}

/// Writes the picture of eta for the unit directions `atoms`.
pub fn write_eta_png(
    path: &Path,
    field: &EtaField,
    dim: usize,
    atoms: &[Vec<f64>],
    cap_radius: f64,
    caption: &str,
    seed: u64,
) -> Result<()> {
    register_font();
    if dim == 3 {
        sphere_map(path, field, atoms, cap_radius, caption)
    } else {
        profiles(path, field, atoms, cap_radius, caption, seed)
    }
}

fn sphere_map(
    path: &Path,
    field: &EtaField,
    atoms: &[Vec<f64>],
    cap: f64,
    caption: &str,
) -> Result<()> {
    let rows = sphere_grid_values(field, MAP_RESOLUTION)?;
    let (nt, np) = (MAP_RESOLUTION, 2 * MAP_RESOLUTION);
    let (px, left, top) = (2u32, 60i32, 50i32);
    let (width, height) = (np as u32 * px + 80, nt as u32 * px + 110);
    let mut buf = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error(path))?;
        let at = |theta: f64, phi: f64| {
            (
                left + (phi / TAU * np as f64 * px as f64) as i32,
                top + (theta / PI * (nt - 1) as f64 * px as f64) as i32,
            )
        };
        // Rows are theta-major: row idx is (idx / np, idx % np) on the grid.
        for (idx, (_, _, _, e)) in rows.iter().enumerate() {
            let (x, y) = (
                left + (idx % np) as i32 * px as i32,
                top + (idx / np) as i32 * px as i32,
            );
            root.draw(&Rectangle::new(
                [(x, y), (x + px as i32, y + px as i32)],
                diverging(*e).filled(),
            ))
            .map_err(draw_error(path))?;
        }
        for a in atoms {
            let (theta, phi) = angles(a);
            root.draw(&Circle::new(at(theta, phi), 6, BLACK.stroke_width(2)))
                .map_err(draw_error(path))?;
            // The cap boundary: directions at angle `cap` around the atom.
            let n = crate::numeric::norm2(a).max(f64::MIN_POSITIVE);
            let c: Vec<f64> = a.iter().map(|v| v / n).collect();
            let helper = if c[2].abs() < 0.9 {
                [0.0, 0.0, 1.0]
            } else {
                [1.0, 0.0, 0.0]
            };
            let dot: f64 = helper.iter().zip(&c).map(|(x, y)| x * y).sum();
            let mut u: Vec<f64> = helper.iter().zip(&c).map(|(h, ci)| h - dot * ci).collect();
            let un = crate::numeric::norm2(&u);
            u.iter_mut().for_each(|x| *x /= un);
            let v = [
                c[1] * u[2] - c[2] * u[1],
                c[2] * u[0] - c[0] * u[2],
                c[0] * u[1] - c[1] * u[0],
            ];
            for k in 0..72 {
                let s = TAU * k as f64 / 72.0;
                let w: Vec<f64> = (0..3)
                    .map(|i| cap.cos() * c[i] + cap.sin() * (s.cos() * u[i] + s.sin() * v[i]))
                    .collect();
                let (th, ph) = angles(&w);
                root.draw(&Circle::new(at(th, ph), 1, BLACK.filled()))
                    .map_err(draw_error(path))?;
            }
        }
        let font = ("sans-serif", 14.0).into_font();
        root.draw(&Text::new(caption.to_string(), (10, 10), font.clone()))
            .map_err(draw_error(path))?;
        root.draw(&Text::new(
            "eta over S^2: phi (0..2pi) across, theta (0..pi) down; blue -1, white 0, red +1, black |eta| > 1; circles: atoms, dots: caps".to_string(),
            (10, 28),
            ("sans-serif", 11.0).into_font(),
        ))
        .map_err(draw_error(path))?;
        root.present().map_err(draw_error(path))?;
    }
    write_rgb_png(path, &buf, width, height)
}

fn profiles(
    path: &Path,
    field: &EtaField,
    atoms: &[Vec<f64>],
    cap: f64,
    caption: &str,
    seed: u64,
) -> Result<()> {
    let rows = great_circle_values(field, atoms, 4, CIRCLE_RESOLUTION, seed)?;
    let lo = rows.iter().map(|r| r.3).fold(-1.1f64, f64::min).max(-3.0);
    let hi = rows.iter().map(|r| r.3).fold(1.1f64, f64::max).min(3.0);
    let (width, height) = (900u32, 520u32);
    let mut buf = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error(path))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 14.0))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(50)
            .build_cartesian_2d(-PI..PI, lo..hi)
            .map_err(draw_error(path))?;
        chart
            .configure_mesh()
            .x_desc("angle t from the atom along a great circle (rad)")
            .y_desc("eta")
            .draw()
            .map_err(draw_error(path))?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(-cap, lo), (cap, hi)],
                RGBColor(225, 225, 225).filled(),
            )))
            .map_err(draw_error(path))?;
        for level in [-1.0, 1.0] {
            chart
                .draw_series(LineSeries::new(
                    [(-PI, level), (PI, level)],
                    RGBColor(200, 0, 0).stroke_width(1),
                ))
                .map_err(draw_error(path))?;
        }
        let palette = [
            RGBColor(31, 119, 180),
            RGBColor(255, 127, 14),
            RGBColor(44, 160, 44),
            RGBColor(148, 103, 189),
            RGBColor(140, 86, 75),
            RGBColor(23, 190, 207),
        ];
        for (ai, _) in atoms.iter().enumerate() {
            for ci in 0..4 {
                let mut pts: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| r.0 == ai && r.1 == ci)
                    .map(|r| {
                        let t = if r.2 > PI { r.2 - TAU } else { r.2 };
                        (t, r.3.clamp(lo, hi))
                    })
                    .collect();
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                chart
                    .draw_series(LineSeries::new(
                        pts,
                        palette[ai % palette.len()].stroke_width(1),
                    ))
                    .map_err(draw_error(path))?;
            }
        }
        root.present().map_err(draw_error(path))?;
    }
    write_rgb_png(path, &buf, width, height)
}
