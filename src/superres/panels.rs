//! Figure 3 panels (docs/theory.md 8): one row of reconstructions (ground
//! truth | zero-filled | each method) on one shared grey scale (the ground
//! truth's range), and below it the error maps |image - truth| on a second
//! shared scale (0 black, the largest error white), each tile captioned with
//! its MSE.

use crate::error::Result;
use crate::output::png::{draw_error, register_font, write_rgb_png};
use crate::phantom::image::Picture;
use plotters::prelude::*;
use std::path::Path;

/// One tile: a title and a picture.
pub struct Tile<'a> {
    /// Caption above the tile.
    pub title: String,
    /// The picture.
    pub picture: &'a Picture,
}

/// Draws the panel: `tiles[0]` is the ground truth.
pub fn write_panel(path: &Path, caption: &str, tiles: &[Tile]) -> Result<()> {
    register_font();
    let Some(truth) = tiles.first() else {
        return Ok(());
    };
    let side = truth.picture.side;
    // Pixels per image pixel: tiles at least 192 px wide.
    let px = (192usize.div_ceil(side)).max(1);
    let tile = (side * px) as i32;
    let (gap, top, label) = (12i32, 40i32, 34i32);
    let n = tiles.len() as i32;
    let width = (n * tile + (n + 1) * gap) as u32;
    let height = (top + 2 * (label + tile) + gap + 20) as u32;
    let (lo, hi) = truth.picture.range();
    let span = if hi > lo { hi - lo } else { 1.0 };
    let err_max = tiles[1..]
        .iter()
        .flat_map(|t| t.picture.values.iter().zip(&truth.picture.values))
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut buf = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        let font = ("sans-serif", 13.0).into_font();
        root.draw(&Text::new(
            caption.to_string(),
            (gap, 10),
            ("sans-serif", 15.0).into_font(),
        ))
        .map_err(draw_error(path))?;
        for (ti, t) in tiles.iter().enumerate() {
            let x0 = gap + ti as i32 * (tile + gap);
            for (row, scale) in [(0, None), (1, Some(err_max))] {
                if row == 1 && ti == 0 {
                    root.draw(&Text::new(
                        format!("error maps: |image - truth|, white = {err_max:.3}"),
                        (x0, top + label + tile + gap + 12),
                        font.clone(),
                    ))
                    .map_err(draw_error(path))?;
                    continue;
                }
                let y0 = top + row * (label + tile + gap) + label;
                let title = if row == 0 {
                    t.title.clone()
                } else {
                    format!("MSE {:.3e}", t.picture.mse(truth.picture))
                };
                root.draw(&Text::new(title, (x0, y0 - 18), font.clone()))
                    .map_err(draw_error(path))?;
                for (i, chunk) in t.picture.values.chunks(side).enumerate() {
                    for (j, &v) in chunk.iter().enumerate() {
                        let g = match scale {
                            None => (v - lo) / span,
                            Some(m) => (v - truth.picture.values[i * side + j]).abs() / m,
                        };
                        let g = (g.clamp(0.0, 1.0) * 255.0).round() as u8;
                        let (x, y) = (x0 + (j * px) as i32, y0 + (i * px) as i32);
                        root.draw(&Rectangle::new(
                            [(x, y), (x + px as i32, y + px as i32)],
                            RGBColor(g, g, g).filled(),
                        ))
                        .map_err(draw_error(path))?;
                    }
                }
            }
        }
        root.present().map_err(draw_error(path))?;
    }
    write_rgb_png(path, &buf, width, height)
}
