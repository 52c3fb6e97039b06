//! Fuzzing harness (issue #14, item 6): every reader gets arbitrary bytes
//! and mutations of a valid file; the command line gets argument vectors
//! drawn from its flags and hostile values. The property is "no panic":
//! every input either parses or returns a typed error. The budget per
//! target is `FUZZ_CASES` (default 300, what the test suite runs; the
//! closing note reports a longer run).

use inrsamp::cli::{Cli, run};
use inrsamp::fourier::RealMap;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::Path;

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Arbitrary bytes, or a valid text with one slice replaced by random
/// bytes or by a hostile token.
fn input(valid: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    let tokens: Vec<&'static [u8]> = vec![
        b"NaN",
        b"inf",
        b"-inf",
        b"1e400",
        b"-1",
        b"0",
        b"1e-320",
        b"99999999999999999999",
        b"\"",
        b",",
        b"\n",
        b"[",
        b"]",
        b"{",
        b"}",
        b"\x00",
        b"\xff\xfe",
        b"=",
        b"\"\"\"",
        b"9223372036854775807",
        b"-9223372036854775808",
        b"[[",
        b"true",
    ];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        (
            0..=valid.len(),
            0usize..16,
            prop::collection::vec(any::<u8>(), 0..16),
            prop::sample::select(tokens),
            any::<bool>(),
        )
            .prop_map(move |(at, cut, bytes, token, use_token)| {
                let mut v = valid.to_vec();
                let end = (at + cut).min(v.len());
                let with: Vec<u8> = if use_token { token.to_vec() } else { bytes };
                v.splice(at..end, with);
                v
            }),
    ]
}

/// Runs `check` on `cases()` inputs written to a file named `name`;
/// returns the number of executions.
fn fuzz_file(name: &str, valid: &'static [u8], check: impl Fn(&Path)) -> u32 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let runs = std::cell::Cell::new(0u32);
    runner
        .run(&input(valid), |bytes| {
            std::fs::write(&path, &bytes).unwrap();
            check(&path);
            runs.set(runs.get() + 1);
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz {name}: {} executions, no panic", runs.get());
    runs.get()
}

#[test]
fn teacher_json_reader() {
    let valid = br#"{"d":1,"k0":1,"units":[{"a":1.0,"w":[0.2,1,0.3]},{"a":-0.5,"w":[0.1,-1,2]}]}"#;
    let n = fuzz_file("t.json", valid, |p| {
        if let Ok(net) = inrsamp::inr::network::ShallowInr::from_json_file(p) {
            let _ = net.validate(1, 1);
        }
    });
    assert_eq!(n, cases());
}

#[test]
fn config_toml_reader() {
    let valid = b"d = 2\nk0 = 1\nk = 3\npsi = \"mod\"\npsi_k = 3\nquad = 64\nquad_tol = 1e-6\nexact = true\nseed = 7\n";
    fuzz_file("c.toml", valid, |p| {
        if let Ok(s) = inrsamp::spec::SpecInput::from_toml_file(p) {
            let _ = s.build();
        }
    });
}

#[test]
fn measurement_csv_reader() {
    let valid = b"k1,re,im\n-2,0.1,0.2\n-1,0.3,0.4\n0,1.0,0\n1,0.3,-0.4\n2,0.1,-0.2\n";
    let map = RealMap::new(1, 2);
    fuzz_file("y.csv", valid, |p| {
        let _ = inrsamp::output::read_coefficients_csv(p, &map);
    });
}

#[test]
fn npy_and_csv_matrix_readers() {
    // A valid 2 x 2 float64 .npy (Fortran order) written by our writer.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.npy");
    inrsamp::output::matrix::write_npy_matrix(&p, 2, 2, &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let valid: &'static [u8] = Box::leak(std::fs::read(&p).unwrap().into_boxed_slice());
    fuzz_file("m.npy", valid, |p| {
        let _ = inrsamp::output::matrix::read_matrix(p);
        let _ = inrsamp::output::matrix::read_vector(p);
    });
    fuzz_file("m.csv", b"1,2\n3,4\n", |p| {
        let _ = inrsamp::output::matrix::read_matrix(p);
    });
}

/// Argument vectors from the flags of every subcommand and hostile values.
/// They are parsed; those of `measure` (cheap, bounded by the values
/// below) also run end to end, writing only inside a temporary folder.
#[test]
fn command_line_argument_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv").display().to_string();
    let values: Vec<String> = [
        "1",
        "2",
        "3",
        "0",
        "-1",
        "NaN",
        "inf",
        "1e308",
        "abc",
        "",
        "99999999999999999999",
        "2.5",
        "std",
        "mod",
        "pre",
        "random",
        "0.2,1,0.3",
        "1e200,1e200,1e200",
        "0,0,0",
        "1,2",
        "/dev/null",
        "/nonexistent/x",
        "-",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([out])
    .collect();
    let flags: Vec<&str> = vec![
        "--d",
        "--k0",
        "--k",
        "--psi",
        "--psi-k",
        "--quad",
        "--quad-tol",
        "--exact",
        "--exact=false",
        "--seed",
        "--json",
        "--w",
        "--teacher",
        "--width",
        "--teacher-file",
        "--out",
        "--config",
        "--threads",
        "--grid-points",
        "--eps",
        "--max-iter",
    ];
    let subcommands = [
        "measure", "measure", "measure", "measure", "solve", "certify", "fit", "compare", "lp",
        "demo",
    ];
    // Mostly flag-value pairs (so that many vectors parse), sometimes a
    // lone flag or a lone value.
    let arg = prop_oneof![
        8 => (prop::sample::select(flags.clone()), prop::sample::select(values.clone()))
            .prop_map(|(f, v)| vec![f.to_string(), v]),
        1 => prop::sample::select(flags).prop_map(|f| vec![f.to_string()]),
        1 => prop::sample::select(values).prop_map(|v| vec![v]),
    ];
    let strategy = (
        prop::sample::select(subcommands.to_vec()),
        prop::collection::vec(arg, 0..6).prop_map(|v| v.concat()),
    );
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let (parsed, ran) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner
        .run(&strategy, |(sub, args)| {
            let argv: Vec<String> = ["inrsamp".to_string(), sub.to_string()]
                .into_iter()
                .chain(args)
                .collect();
            use clap::Parser;
            if let Ok(cli) = Cli::try_parse_from(&argv) {
                parsed.set(parsed.get() + 1);
                // --threads would fix the global pool for the whole test binary.
                if sub == "measure" && cli.threads.is_none() {
                    let _ = run(&cli);
                    ran.set(ran.get() + 1);
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!(
        "fuzz argv: {} executions, {} parsed, {} measure runs, no panic",
        cases(),
        parsed.get(),
        ran.get()
    );
}
