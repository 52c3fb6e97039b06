//! Pictures: plotters drawings rendered into memory, PNG-encoded and
//! written atomically; the font (DejaVu Sans, `data/fonts/`, its license
//! beside it) is bundled so that no system font library is needed.

use crate::error::{Error, Result};
use std::path::Path;

/// Registers the bundled font as "sans-serif" (once).
pub fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            plotters::style::FontStyle::Normal,
            include_bytes!("../../data/fonts/DejaVuSans.ttf"),
        );
    });
}

/// An error of drawing `path`.
pub fn draw_error<E: std::fmt::Display>(path: &Path) -> impl Fn(E) -> Error + '_ {
    move |e| Error::Numerical {
        what: format!("drawing {}: {e}", path.display()),
    }
}

/// Encodes an RGB buffer as PNG and writes it atomically to `path`.
pub fn write_rgb_png(path: &Path, rgb: &[u8], width: u32, height: u32) -> Result<()> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(rgb, width, height, image::ColorType::Rgb8)
        .map_err(draw_error(path))?;
    super::write_atomic(path, |w| w.write_all(&out))
}
