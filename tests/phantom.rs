//! Phantoms: exact coefficients against the reference values of
//! data/phantoms/README.md (computed there by an independent quadrature and
//! closed forms), the rectangle's sinc formula, areas, rasterization limits,
//! the dot phantom against a fine grid, and bad input.

use approx::assert_abs_diff_eq;
use inrsamp::phantom::dots::DotSettings;
use inrsamp::phantom::spectrum::{self, Cube};
use inrsamp::phantom::{Phantom, PhantomName};
use num_complex::Complex64;
use std::f64::consts::PI;
use std::time::Instant;

/// The README's F_minus (transform about the centre of the field of view):
/// ours times (-1)^(k1+k2).
fn f_minus(cube: &Cube, k1: i64, k2: i64) -> Complex64 {
    let s = if (k1 + k2).rem_euclid(2) == 0 {
        1.0
    } else {
        -1.0
    };
    cube.get(k1, k2) * s
}

fn builtin(name: PhantomName) -> Phantom {
    Phantom::builtin(name, &DotSettings::default()).expect("bundled phantom")
}

/// Reference values from data/phantoms/README.md, "Reference values".
const BRAIN: [(i64, i64, f64, f64); 10] = [
    (0, 0, 0.148406810444362, 0.0),
    (1, 0, 0.0364070277856223, -0.00237590590211290),
    (0, 1, 0.0801620597586793, -0.00249165022897266),
    (3, -2, 0.00393615223442356, 0.00278491235782948),
    (10, 7, -0.000414444274881712, 0.000205077435901640),
    (-25, 12, -0.000626969336854273, -4.84350077550167e-06),
    (40, 40, 1.99572883171925e-05, -0.000285579557296812),
    (-64, 5, 0.000231846027204957, -2.55025178628212e-06),
    (100, -3, 6.54591210796373e-06, 9.42959162734125e-05),
    (128, 128, -2.91229137787852e-05, -1.54220073691219e-05),
];

const SHEPP_LOGAN: [(i64, i64, f64, f64); 6] = [
    (0, 0, 0.123816151211979, 0.0),
    (1, 0, 0.00639504384621058, 0.00974292539605719),
    (0, 1, 0.0512764704888829, -0.00292035677096764),
    (3, -2, -0.00577342246448258, 0.00383780843824776),
    (10, 7, 0.00413043861294594, -0.00187365724394122),
    (-25, 12, 0.000717291744663505, -9.91924737394763e-05),
];

fn check_reference(name: PhantomName, k: usize, table: &[(i64, i64, f64, f64)]) {
    let cube = builtin(name).coefficients(k).expect("coefficients");
    let scale = table[0].2; // the largest coefficient, F(0)
    let mut worst: f64 = 0.0;
    for &(k1, k2, re, im) in table {
        let f = f_minus(&cube, k1, k2);
        let err = (f - Complex64::new(re, im)).norm() / scale;
        assert!(
            err <= 1e-10,
            "{name:?} k = ({k1}, {k2}): {f} vs {re} + {im}i, relative {err:.2e}"
        );
        worst = worst.max(err);
    }
    eprintln!("{name:?}: worst relative error {worst:.2e}");
}

#[test]
fn brain_matches_the_reference_values() {
    check_reference(PhantomName::Brain, 128, &BRAIN);
}

#[test]
fn shepp_logan_matches_the_reference_values() {
    check_reference(PhantomName::SheppLogan, 25, &SHEPP_LOGAN);
}

#[test]
fn simple_brain_area_and_rectangle_sinc() {
    let sb = builtin(PhantomName::SimpleBrain)
        .coefficients(1)
        .expect("coefficients");
    assert_abs_diff_eq!(sb.get(0, 0).re, 0.27336700598262, epsilon = 1e-12);
    // Rectangle: 0.2 sinc(0.5 q1) sinc(0.4 q2), q = Rot(pi/3) k (README).
    let cube = builtin(PhantomName::Rectangle)
        .coefficients(12)
        .expect("coefficients");
    let sinc = |u: f64| {
        if u == 0.0 {
            1.0
        } else {
            (PI * u).sin() / (PI * u)
        }
    };
    let (s, c) = (PI / 3.0).sin_cos();
    let mut worst: f64 = 0.0;
    for k1 in -12i64..=12 {
        for k2 in -12i64..=12 {
            let (a, b) = (k1 as f64, k2 as f64);
            let q = [c * a - s * b, s * a + c * b];
            let exact = 0.2 * sinc(0.5 * q[0]) * sinc(0.4 * q[1]);
            worst = worst.max((f_minus(&cube, k1, k2) - Complex64::new(exact, 0.0)).norm());
        }
    }
    assert!(worst <= 1e-14, "rectangle: worst error {worst:.2e}");
}

/// The polygon closed form against the contour quadrature on the same edges
/// (a twin), and the quadrature at 20 vs 32 nodes per panel on the brain.
#[test]
fn closed_form_and_quadrature_agree() {
    let Phantom::Regions { regions } = builtin(PhantomName::Rectangle) else {
        panic!("the rectangle is made of regions")
    };
    let pieces = regions[0].pieces();
    let k = 40;
    let nodes = spectrum::contour_nodes(&pieces, k, 1.0, spectrum::NODES_PER_PANEL);
    let quad = spectrum::contour_cube(&nodes, k);
    let mut worst: f64 = 0.0;
    for k1 in -40i64..=40 {
        for k2 in -40i64..=40 {
            if (k1, k2) != (0, 0) {
                let closed = spectrum::polygon(&pieces, [k1, k2]);
                worst = worst.max((closed - quad.get(k1, k2)).norm());
            }
        }
    }
    assert!(
        worst <= 1e-14,
        "polygon closed form vs quadrature: {worst:.2e}"
    );

    let Phantom::Regions { regions } = builtin(PhantomName::Brain) else {
        panic!("the brain is made of regions")
    };
    let k = 64;
    let nodes = |n: usize| -> Vec<spectrum::Node> {
        regions
            .iter()
            .flat_map(|r| spectrum::contour_nodes(&r.pieces(), k, r.weight, n))
            .collect()
    };
    let t = Instant::now();
    let a = spectrum::contour_cube(&nodes(spectrum::NODES_PER_PANEL), k);
    eprintln!("brain contour, K = {k}: {:.2} s", t.elapsed().as_secs_f64());
    let b = spectrum::contour_cube(&nodes(32), k);
    let diff = a
        .values
        .iter()
        .zip(&b.values)
        .map(|(x, y)| (x - y).norm())
        .fold(0.0, f64::max);
    assert!(diff <= 1e-14, "20 vs 32 nodes per panel: {diff:.2e}");
}

/// `(1/R^2) sum_p f(x_p) exp(-2 pi i k.x_p)` over the pixel centres.
fn pixel_sum(pic: &inrsamp::phantom::image::Picture, k: [i64; 2]) -> Complex64 {
    let r = pic.side;
    let mut s = Complex64::new(0.0, 0.0);
    for i in 0..r {
        for j in 0..r {
            let x = [(i as f64 + 0.5) / r as f64, (j as f64 + 0.5) / r as f64];
            let t = -2.0 * PI * (k[0] as f64 * x[0] + k[1] as f64 * x[1]);
            s += Complex64::from_polar(pic.values[i * r + j], t);
        }
    }
    s / (r * r) as f64
}

/// A rasterization converges to the exact coefficients as the pixels shrink
/// (point sampling of an indicator: the error is the edge discretization).
#[test]
fn rasterization_converges_to_the_exact_coefficients() {
    use inrsamp::phantom::image::raster;
    let freqs = [[0, 0], [1, 0], [0, 1], [3, -2], [5, 4]];
    for name in [PhantomName::SimpleBrain, PhantomName::SheppLogan] {
        let p = builtin(name);
        let cube = p.coefficients(5).expect("coefficients");
        let scale = cube.get(0, 0).norm();
        let mut errors = Vec::new();
        for r in [128, 512, 2048] {
            let pic = raster(r, 1, p.sampler()).expect("raster");
            let e = freqs
                .iter()
                .map(|k| (pixel_sum(&pic, *k) - cube.get(k[0], k[1])).norm() / scale)
                .fold(0.0, f64::max);
            errors.push(e);
        }
        eprintln!("{name:?}: rasterization errors at R = 128, 512, 2048: {errors:?}");
        assert!(
            errors[1] < errors[0] / 2.0 && errors[2] < errors[1] / 2.0,
            "{errors:?}"
        );
        assert!(errors[2] < 1e-4, "{errors:?}");
    }
}

/// The dot phantom's exact coefficients against a fine-grid quadrature of
/// the same INR (an independent route: point values, not the measurement
/// code), which converges like N^-2 for a function with kinks.
#[test]
fn dot_phantom_coefficients_match_a_fine_grid() {
    use inrsamp::phantom::image::raster;
    let settings = DotSettings {
        count: 5,
        seed: 11,
        ..DotSettings::default()
    };
    let p = Phantom::builtin(PhantomName::Dots, &settings).expect("dots");
    let cube = p.coefficients(6).expect("coefficients");
    let scale = cube.max_abs();
    let freqs = [[0, 0], [1, 0], [2, -3], [6, 6], [-4, 5]];
    let mut errors = Vec::new();
    for n in [256, 1024] {
        let pic = raster(n, 1, p.sampler()).expect("raster");
        let e = freqs
            .iter()
            .map(|k| (pixel_sum(&pic, *k) - cube.get(k[0], k[1])).norm() / scale)
            .fold(0.0, f64::max);
        errors.push(e);
    }
    eprintln!("dots: grid errors at N = 256, 1024: {errors:?}");
    // N^-2: a factor 16 from 256 to 1024 (allow 8).
    assert!(errors[1] < errors[0] / 8.0, "{errors:?}");
    assert!(errors[1] < 1e-5, "{errors:?}");
    // The INR is the sum of the dots' formula (own dot: its height at its centre).
    let Phantom::Inr { net } = &p else {
        panic!("dots are an INR")
    };
    let features = inrsamp::inr::features::Features::new(2, 1);
    let dots = settings.dots().expect("dots");
    for d in &dots {
        let formula: f64 = dots
            .iter()
            .map(|e| {
                let s = 2.0 * PI * PI * e.radius * e.radius;
                let g = s - 2.0
                    + (2.0 * PI * (d.center[0] - e.center[0])).cos()
                    + (2.0 * PI * (d.center[1] - e.center[1])).cos();
                e.height / s * g.max(0.0)
            })
            .sum();
        assert!(
            formula >= d.height * (1.0 - 1e-12),
            "{formula} < {}",
            d.height
        );
        assert_abs_diff_eq!(net.eval(&features, &d.center), formula, epsilon = 1e-12);
    }
}

/// The zero-filled inverse FFT against a direct sum of the Fourier series.
#[test]
fn zero_filled_matches_the_direct_series() {
    use inrsamp::phantom::image::zero_filled;
    let cube = builtin(PhantomName::SheppLogan)
        .coefficients(6)
        .expect("coefficients");
    let r = 20;
    let pic = zero_filled(&cube, r).expect("ifft");
    let mut worst: f64 = 0.0;
    for (i, j) in [(0, 0), (3, 17), (10, 10), (19, 2)] {
        let x = [(i as f64 + 0.5) / r as f64, (j as f64 + 0.5) / r as f64];
        let mut s = Complex64::new(0.0, 0.0);
        for k1 in -6i64..=6 {
            for k2 in -6i64..=6 {
                let t = 2.0 * PI * (k1 as f64 * x[0] + k2 as f64 * x[1]);
                s += cube.get(k1, k2) * Complex64::from_polar(1.0, t);
            }
        }
        assert!(s.im.abs() < 1e-14, "a real image has a real series");
        worst = worst.max((s.re - pic.values[i * r + j]).abs());
    }
    assert!(worst < 1e-13, "{worst:.2e}");
    assert!(
        zero_filled(&cube, 12).is_err(),
        "R < 2K + 1 must be refused"
    );
}

fn parse_error(text: &str) -> String {
    match Phantom::from_json_str(text, "test.json") {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_phantom_files_are_named() {
    let ok = r#"{"fov":[1,1],"regions":[{"type":"polygon","weight":1,"vertex":[[0,0],[0.1,0],[0,0.1]]}]}"#;
    assert!(Phantom::from_json_str(ok, "t").is_ok());
    let cases = [
        (
            r#"{"regions":[{"type":"blob","weight":1}]}"#,
            "unknown region type `blob`",
        ),
        (
            r#"{"regions":[{"type":"bezier","weight":1,"control":[[0,0],[0.1,0]]}]}"#,
            "at least 3 points",
        ),
        (
            r#"{"regions":[{"type":"polygon","weight":1,"vertex":[[0,0],[0,0.1],[0.1,0]]}]}"#,
            "clockwise",
        ),
        (
            r#"{"regions":[{"type":"ellipse","weight":1,"center":[0,0],"angle":0,"width":[0.1,-1]}]}"#,
            "`width` must be positive",
        ),
        (
            r#"{"regions":[{"type":"ellipse","weight":1,"center":[0],"angle":0,"width":[0.1,0.1]}]}"#,
            "pair",
        ),
        (
            r#"{"regions":[{"type":"polygon","weight":NaN,"vertex":[]}]}"#,
            "test.json",
        ),
        (r#"{"regions":[]}"#, "between 1 and"),
        (r#"{"fov":[2,2],"regions":[]}"#, "fov"),
        (
            r#"{"regions":[{"type":"polygon","weight":1,"vertex":[[0,0],[0.7,0],[0,0.1]]}]}"#,
            "outside the field of view",
        ),
    ];
    for (text, want) in cases {
        let e = parse_error(text);
        assert!(e.contains(want), "{text}: {e}");
    }
    // The toolbox's export demo lists region 5 clockwise (its README says so).
    let demo = include_str!("../data/phantoms/export_demo.json");
    let e = parse_error(demo);
    assert!(e.contains("index 5") && e.contains("clockwise"), "{e}");
}

/// The coefficients do not depend on the thread count (bit for bit).
#[test]
fn coefficients_are_identical_for_any_thread_count() {
    let p = builtin(PhantomName::Brain);
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| p.coefficients(24).expect("coefficients"))
    };
    let one = on(1);
    for threads in [2, 3, 7] {
        assert_eq!(one.values, on(threads).values, "{threads} threads");
    }
}
