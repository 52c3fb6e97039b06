//! Analytical phantoms with exact Fourier coefficients (docs/theory.md 8,
//! Figure 3): the MRI brain phantoms of Guerquin-Kern et al. (2012) and
//! Shepp-Logan from `data/phantoms/` (bundled in the binary), a user's JSON
//! file in the same format, and the dot phantom (a shallow INR).
//!
//! Convention: `f^[k] = integral over [0,1)^2 of f(x) exp(-2 pi i k.x) dx`
//! with the phantom centred in the unit square, `f(x) = phantom(x - (1/2,
//! 1/2))`. Hence `f^[k] = (-1)^(k1+k2) F_minus(k)`, where `F_minus` is the
//! transform about the field of view's centre (the reference values of
//! data/phantoms/README.md) and the toolbox's own data is `conj F_minus`.

pub mod dots;
pub mod image;
pub mod make;
pub mod region;
pub mod spectrum;

use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::inr::network::ShallowInr;
use region::{RawRegion, Region};
use serde::{Deserialize, Serialize};
use spectrum::Cube;
use std::path::Path;

/// Largest cutoff `K` of a phantom's coefficients.
pub const MAX_K: usize = 511;
/// Largest phantom file read.
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// Most regions in one phantom file.
pub const MAX_REGIONS: usize = 100_000;

/// The bundled phantoms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhantomName {
    /// The realistic brain (`regions.json`, 109 regions).
    Brain,
    /// The simplified brain (`simple_brain.json`, 5 regions).
    SimpleBrain,
    /// Shepp-Logan with Toft's contrast (10 ellipses).
    SheppLogan,
    /// The rotated rectangle test object.
    Rectangle,
    /// Random round dots, exactly a shallow INR (see [`dots`]).
    Dots,
}

impl PhantomName {
    /// Every name, as spelled on the command line.
    pub const ALL: [(&'static str, PhantomName); 5] = [
        ("brain", PhantomName::Brain),
        ("simple-brain", PhantomName::SimpleBrain),
        ("shepp-logan", PhantomName::SheppLogan),
        ("rectangle", PhantomName::Rectangle),
        ("dots", PhantomName::Dots),
    ];

    /// Parses a name, listing the known ones on failure.
    pub fn parse(text: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .find(|(n, _)| *n == text)
            .map(|(_, p)| *p)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
                Error::setting(
                    "name",
                    text,
                    format!("unknown phantom; expected one of {}", names.join(", ")),
                )
            })
    }
}

/// A phantom: additive regions (toolbox coordinates) or a shallow INR (torus
/// coordinates).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Phantom {
    /// `sum_j weight_j 1[x - (1/2, 1/2) in region_j]`.
    Regions {
        /// The regions.
        regions: Vec<Region>,
    },
    /// A shallow INR with d = 2, K0 = 1.
    Inr {
        /// The network.
        net: ShallowInr,
    },
}

#[derive(Deserialize)]
struct RawFile {
    fov: Option<Vec<f64>>,
    regions: Vec<RawRegion>,
}

impl Phantom {
    /// A bundled phantom (`dots` with [`dots::DotSettings`]).
    pub fn builtin(name: PhantomName, dot_settings: &dots::DotSettings) -> Result<Self> {
        let (file, text) = match name {
            PhantomName::Brain => (
                "regions.json",
                include_str!("../../data/phantoms/regions.json"),
            ),
            PhantomName::SimpleBrain => (
                "simple_brain.json",
                include_str!("../../data/phantoms/simple_brain.json"),
            ),
            PhantomName::SheppLogan => (
                "shepp_logan_toft.json",
                include_str!("../../data/phantoms/shepp_logan_toft.json"),
            ),
            PhantomName::Rectangle => (
                "rectangle.json",
                include_str!("../../data/phantoms/rectangle.json"),
            ),
            PhantomName::Dots => {
                let dots = dot_settings.dots()?;
                return Ok(Phantom::Inr {
                    net: dots::dots_inr(&dots),
                });
            }
        };
        Self::from_json_str(text, &format!("data/phantoms/{file}"))
    }

    /// A phantom file: `{"fov": [1, 1], "regions": [...]}` (see
    /// data/phantoms/README.md); `path` names it in messages.
    pub fn from_json_str(text: &str, path: &str) -> Result<Self> {
        let err = |reason: String| region::region_error(path, reason);
        let raw: RawFile = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
        if let Some(fov) = &raw.fov
            && fov.as_slice() != [1.0, 1.0]
        {
            return Err(err(format!(
                "fov = {fov:?}: only a field of view of [1, 1] is supported (coordinates in FOV units)"
            )));
        }
        if raw.regions.is_empty() || raw.regions.len() > MAX_REGIONS {
            return Err(err(format!(
                "`regions` must hold between 1 and {MAX_REGIONS} regions, got {}",
                raw.regions.len()
            )));
        }
        let regions = raw
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| r.validate(&format!("regions[{i}]")).map_err(err))
            .collect::<Result<Vec<_>>>()?;
        for r in &regions {
            let b = r.bounding_box();
            if b[0] < -0.5 || b[1] > 0.5 || b[2] < -0.5 || b[3] > 0.5 {
                return Err(err(format!(
                    "a region reaches outside the field of view [-1/2, 1/2]^2 (box {b:?}); \
                     on the torus it would overlap its periodic copies"
                )));
            }
        }
        Ok(Phantom::Regions { regions })
    }

    /// A phantom file on disk.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = crate::limits::read_text(path, MAX_FILE_BYTES)?;
        Self::from_json_str(&text, &path.display().to_string())
    }

    /// `f(x)` at a torus point (builds the evaluator each call: for many
    /// points use [`Phantom::sampler`]).
    pub fn value_at(&self, x: [f64; 2]) -> f64 {
        self.sampler()(x)
    }

    /// The function `x -> f(x)` on the torus, set up once.
    pub fn sampler(&self) -> Box<dyn Fn([f64; 2]) -> f64 + Sync + '_> {
        match self {
            Phantom::Regions { regions } => Box::new(move |x: [f64; 2]| {
                let p = [x[0] - 0.5, x[1] - 0.5];
                regions
                    .iter()
                    .filter(|r| r.contains(p))
                    .map(|r| r.weight)
                    .sum()
            }),
            Phantom::Inr { net } => {
                let features = crate::inr::features::Features::new(2, 1);
                Box::new(move |x: [f64; 2]| net.eval(&features, &x))
            }
        }
    }

    /// The exact coefficients `f^[k]`, `|k|_inf <= K`, in our convention.
    pub fn coefficients(&self, k: usize) -> Result<Cube> {
        if k == 0 || k > MAX_K {
            return Err(Error::setting("k", k, format!("between 1 and {MAX_K}")));
        }
        match self {
            Phantom::Regions { regions } => {
                let mut cube = spectrum::regions_cube(regions, k);
                let ki = k as i64;
                for k1 in -ki..=ki {
                    for k2 in -ki..=ki {
                        if (k1 + k2).rem_euclid(2) == 1 {
                            let i = cube.index(k1, k2);
                            cube.values[i] = -cube.values[i];
                        }
                    }
                }
                Ok(cube)
            }
            Phantom::Inr { net } => {
                let spec = crate::spec::SpecInput {
                    d: Some(2),
                    k0: Some(1),
                    k: Some(k as i64),
                    exact: Some(true),
                    ..Default::default()
                }
                .build()?;
                let y = crate::measurement::measure_exact(&spec, net)?;
                let map = RealMap::new(2, k);
                let mut cube = Cube::zeros(k);
                for (kk, c) in map.to_complex(&y)? {
                    let i = cube.index(kk[0], kk[1]);
                    cube.values[i] = c;
                }
                Ok(cube)
            }
        }
    }
}

/// The real measurement vector `A_K f` (docs/theory.md 1) of a cube.
pub fn real_vector(cube: &Cube) -> Vec<f64> {
    let map = RealMap::new(2, cube.k);
    let mut half = vec![cube.get(0, 0)];
    half.extend(map.half_set().iter().map(|k| cube.get(k[0], k[1])));
    let mut y = vec![0.0; map.len()];
    map.to_real(&half, &mut y);
    y
}
