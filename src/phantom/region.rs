//! Regions of analytical phantoms (docs/theory.md 8, Figure 3): ellipses,
//! polygons and closed curves of quadratic Bezier pieces, in the toolbox's
//! coordinates (`x` in `[-1/2, 1/2]^2`, `[x1, x2]` pairs, `x1` the first
//! image index), read from the JSON files of `data/phantoms/`.
//!
//! Geometry (data/phantoms/README.md): a closed Bezier curve with control
//! points `c_0..c_{N-1}` has `N` pieces `B_i(t) = r_i + beta_i t + gamma_i t^2`,
//! `t` in `[0, 1]`, with `r_i = (c_{i-1}+c_i)/2`, `beta_i = c_i - c_{i-1}`,
//! `gamma_i = (c_{i+1} - 2 c_i + c_{i-1})/2`; a polygon is the same with
//! straight edges `r_i = v_i`, `beta_i = v_{i+1} - v_i`, `gamma_i = 0`. Both
//! must run counter-clockwise (positive signed area).

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Fewest control points (or vertices) of a closed curve.
pub const MIN_POINTS: usize = 3;

/// One quadratic piece `x(t) = r + beta t + gamma t^2`, `t` in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// Start point.
    pub r: [f64; 2],
    /// Linear coefficient (`x'(0)`).
    pub beta: [f64; 2],
    /// Quadratic coefficient (`x''/2`).
    pub gamma: [f64; 2],
}

impl Piece {
    /// `x(t)`.
    pub fn at(&self, t: f64) -> [f64; 2] {
        [
            self.r[0] + t * (self.beta[0] + t * self.gamma[0]),
            self.r[1] + t * (self.beta[1] + t * self.gamma[1]),
        ]
    }

    /// `x'(t)`.
    pub fn tangent(&self, t: f64) -> [f64; 2] {
        [
            self.beta[0] + 2.0 * t * self.gamma[0],
            self.beta[1] + 2.0 * t * self.gamma[1],
        ]
    }

    /// This piece's share of the signed area,
    /// `1/2 [r x (beta + gamma) + (1/3) beta x gamma]`.
    pub fn area_share(&self) -> f64 {
        let bg = [self.beta[0] + self.gamma[0], self.beta[1] + self.gamma[1]];
        0.5 * (cross(self.r, bg) + cross(self.beta, self.gamma) / 3.0)
    }
}

/// The 2-D cross product `u1 v2 - u2 v1`.
pub fn cross(u: [f64; 2], v: [f64; 2]) -> f64 {
    u[0] * v[1] - u[1] * v[0]
}

/// The geometry of one region.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Shape {
    /// Ellipse with centre, angle (radians) and full axis lengths.
    Ellipse {
        /// Centre `c`.
        center: [f64; 2],
        /// The `w1` axis points along `(cos angle, sin angle)`.
        angle: f64,
        /// Full axis lengths `[w1, w2]`.
        width: [f64; 2],
    },
    /// Closed polygon, vertices in counter-clockwise order.
    Polygon {
        /// Vertices.
        vertex: Vec<[f64; 2]>,
    },
    /// Closed curve of quadratic Bezier pieces (uniform quadratic B-spline).
    Bezier {
        /// Control points, in order along the curve.
        control: Vec<[f64; 2]>,
    },
}

/// One region `weight * 1[x in shape]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    /// Intensity added inside the region (negative values cut holes).
    pub weight: f64,
    /// The geometry.
    pub shape: Shape,
}

/// A region as it appears in the JSON files (unknown keys such as `index`,
/// `gray_level` or `table_row` are provenance and are kept out).
#[derive(Debug, Clone, Deserialize)]
pub struct RawRegion {
    /// The region number in the source (for messages).
    pub index: Option<i64>,
    /// `ellipse`, `polygon` or `bezier`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Intensity.
    pub weight: Option<f64>,
    /// Bezier control points.
    pub control: Option<Vec<Vec<f64>>>,
    /// Polygon vertices.
    pub vertex: Option<Vec<Vec<f64>>>,
    /// Ellipse centre.
    pub center: Option<Vec<f64>>,
    /// Ellipse angle.
    pub angle: Option<f64>,
    /// Ellipse full axis lengths.
    pub width: Option<Vec<f64>>,
}

impl RawRegion {
    /// The validated region; `at` names it in messages (`regions[3]`).
    pub fn validate(&self, at: &str) -> std::result::Result<Region, String> {
        let at = match self.index {
            Some(i) => format!("{at} (index {i})"),
            None => at.to_string(),
        };
        let weight = self
            .weight
            .filter(|w| w.is_finite())
            .ok_or_else(|| format!("{at}: `weight` is missing or not a finite number"))?;
        let pair = |v: &Vec<f64>, what: &str| -> std::result::Result<[f64; 2], String> {
            match v.as_slice() {
                [a, b] if a.is_finite() && b.is_finite() => Ok([*a, *b]),
                [_, _] => Err(format!(
                    "{at}: `{what}` has a coordinate that is not finite"
                )),
                _ => Err(format!(
                    "{at}: `{what}` must be a pair [x1, x2], got {} numbers",
                    v.len()
                )),
            }
        };
        let points = |v: &Option<Vec<Vec<f64>>>,
                      what: &str|
         -> std::result::Result<Vec<[f64; 2]>, String> {
            let v = v
                .as_ref()
                .ok_or_else(|| format!("{at}: `{what}` is missing"))?;
            if v.len() < MIN_POINTS {
                return Err(format!(
                    "{at}: a closed curve needs at least {MIN_POINTS} points in `{what}`, got {}",
                    v.len()
                ));
            }
            v.iter().map(|p| pair(p, what)).collect()
        };
        let shape = match self.kind.as_deref() {
            Some("ellipse") => {
                let center = pair(
                    self.center
                        .as_ref()
                        .ok_or_else(|| format!("{at}: `center` is missing"))?,
                    "center",
                )?;
                let width = pair(
                    self.width
                        .as_ref()
                        .ok_or_else(|| format!("{at}: `width` is missing"))?,
                    "width",
                )?;
                if !(width[0] > 0.0 && width[1] > 0.0) {
                    return Err(format!("{at}: `width` must be positive, got {width:?}"));
                }
                let angle = self
                    .angle
                    .filter(|a| a.is_finite())
                    .ok_or_else(|| format!("{at}: `angle` is missing or not finite"))?;
                Shape::Ellipse {
                    center,
                    angle,
                    width,
                }
            }
            Some("polygon") => Shape::Polygon {
                vertex: points(&self.vertex, "vertex")?,
            },
            Some("bezier") => Shape::Bezier {
                control: points(&self.control, "control")?,
            },
            Some(other) => {
                return Err(format!(
                    "{at}: unknown region type `{other}` (expected ellipse, polygon or bezier)"
                ));
            }
            None => return Err(format!("{at}: `type` is missing")),
        };
        let region = Region { weight, shape };
        let area = region.signed_area();
        if !area.is_finite() {
            return Err(format!("{at}: the area is not finite"));
        }
        if area <= 0.0 {
            return Err(format!(
                "{at}: the curve runs clockwise or is degenerate (signed area {area:.6e}); \
                 list its points counter-clockwise in the (x1, x2) frame"
            ));
        }
        Ok(region)
    }
}

impl Region {
    /// The boundary pieces (empty for an ellipse).
    pub fn pieces(&self) -> Vec<Piece> {
        match &self.shape {
            Shape::Ellipse { .. } => Vec::new(),
            Shape::Polygon { vertex } => {
                let n = vertex.len();
                (0..n)
                    .map(|i| {
                        let (v, u) = (vertex[i], vertex[(i + 1) % n]);
                        Piece {
                            r: v,
                            beta: [u[0] - v[0], u[1] - v[1]],
                            gamma: [0.0, 0.0],
                        }
                    })
                    .collect()
            }
            Shape::Bezier { control } => {
                let n = control.len();
                (0..n)
                    .map(|i| {
                        let (p, c, q) =
                            (control[(i + n - 1) % n], control[i], control[(i + 1) % n]);
                        Piece {
                            r: [(p[0] + c[0]) / 2.0, (p[1] + c[1]) / 2.0],
                            beta: [c[0] - p[0], c[1] - p[1]],
                            gamma: [
                                (q[0] - 2.0 * c[0] + p[0]) / 2.0,
                                (q[1] - 2.0 * c[1] + p[1]) / 2.0,
                            ],
                        }
                    })
                    .collect()
            }
        }
    }

    /// The signed area (positive for counter-clockwise curves).
    pub fn signed_area(&self) -> f64 {
        match &self.shape {
            Shape::Ellipse { width, .. } => PI * width[0] * width[1] / 4.0,
            _ => self.pieces().iter().map(Piece::area_share).sum(),
        }
    }

    /// A box `[min1, max1, min2, max2]` containing the region (Bezier
    /// curves lie in the convex hull of their control points).
    pub fn bounding_box(&self) -> [f64; 4] {
        let hull = |pts: &[[f64; 2]]| {
            pts.iter().fold(
                [
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                ],
                |b, p| {
                    [
                        b[0].min(p[0]),
                        b[1].max(p[0]),
                        b[2].min(p[1]),
                        b[3].max(p[1]),
                    ]
                },
            )
        };
        match &self.shape {
            Shape::Ellipse { center, width, .. } => {
                let r = width[0].max(width[1]) / 2.0;
                [center[0] - r, center[0] + r, center[1] - r, center[1] + r]
            }
            Shape::Polygon { vertex } => hull(vertex),
            Shape::Bezier { control } => hull(control),
        }
    }

    /// Whether `x` lies inside (nonzero winding number of the boundary; the
    /// boundary itself, a set of measure zero, may go either way).
    pub fn contains(&self, x: [f64; 2]) -> bool {
        let b = self.bounding_box();
        if x[0] < b[0] || x[0] > b[1] || x[1] < b[2] || x[1] > b[3] {
            return false;
        }
        match &self.shape {
            Shape::Ellipse {
                center,
                angle,
                width,
            } => {
                let (s, c) = angle.sin_cos();
                let (d1, d2) = (x[0] - center[0], x[1] - center[1]);
                let u1 = 2.0 / width[0] * (c * d1 + s * d2);
                let u2 = 2.0 / width[1] * (-s * d1 + c * d2);
                u1 * u1 + u2 * u2 <= 1.0
            }
            _ => self.pieces().iter().map(|p| crossings(p, x)).sum::<i32>() != 0,
        }
    }
}

/// Signed crossings of the ray `{x + (0, s): s > 0}` by a piece, counted on
/// `t` in `[0, 1)` so that a joint between pieces counts once; the sign is
/// that of `dx1/dt`.
fn crossings(p: &Piece, x: [f64; 2]) -> i32 {
    // gamma1 t^2 + beta1 t + (r1 - x1) = 0.
    let (a, b, c) = (p.gamma[0], p.beta[0], p.r[0] - x[0]);
    let mut roots = [f64::NAN; 2];
    let scale = b.abs().max(c.abs()).max(a.abs());
    if scale == 0.0 {
        return 0;
    }
    if a.abs() <= 1e-14 * scale {
        if b != 0.0 {
            roots[0] = -c / b;
        }
    } else {
        let disc = b * b - 4.0 * a * c;
        if disc < 0.0 {
            return 0;
        }
        // The stable pair of roots: q = -(b + sign(b) sqrt(disc)) / 2.
        let sign = if b >= 0.0 { 1.0 } else { -1.0 };
        let q = -0.5 * (b + sign * disc.sqrt());
        roots[0] = q / a;
        if q != 0.0 {
            roots[1] = c / q;
        }
    }
    let mut total = 0;
    for t in roots {
        if (0.0..1.0).contains(&t) {
            let y = p.at(t);
            let d = p.tangent(t)[0];
            if y[1] > x[1] && d != 0.0 {
                total += if d > 0.0 { 1 } else { -1 };
            }
        }
    }
    total
}

/// An error naming the phantom file (for [`RawRegion::validate`] messages).
pub fn region_error(path: &str, reason: String) -> Error {
    Error::Parse {
        path: path.to_string(),
        reason,
    }
}
