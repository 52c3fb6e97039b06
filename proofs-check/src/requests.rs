//! The typed requests of claim instances and the `inrsamp` command lines
//! that reproduce them (issue #13): proofs-check runs the library on the
//! request; the command line is printed with the result, and the tests
//! below check that the CLI builds the same request from it.

use crate::claim::{Cell, Claim};
use inrsamp::agreement::CompareRequest;
use inrsamp::certify::CertifySettings;
use inrsamp::certify::refine::SolveOptions;
use inrsamp::certify::report::CertifyRequest;
use inrsamp::certify::verdict::VerdictSettings;
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::{ProblemSpec, SpecInput};
use inrsamp::train::TrainSettings;
use inrsamp::train::restarts::Student;

/// The flags every inrsamp run of an instance shares (problem, teacher,
/// sphere grid).
fn common_args(claim: &Claim, cell: &Cell, seed: u64) -> Vec<String> {
    [
        "--d",
        &cell.d.to_string(),
        "--k0",
        &cell.k0.to_string(),
        "--k",
        &cell.k.to_string(),
        "--psi",
        &cell.psi,
        "--teacher",
        "random",
        "--width",
        &cell.width.to_string(),
        "--seed",
        &seed.to_string(),
        "--grid-points",
        &claim.family.grid_points.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The command line of a verdict instance (without `--json`).
pub fn certify_args(claim: &Claim, cell: &Cell, seed: u64) -> Vec<String> {
    let mut args = vec!["certify".to_string()];
    args.extend(common_args(claim, cell, seed));
    // d = 1: certify's default (refinement on exact columns, cheap); d >= 2:
    // refinement only when the claim asks for it.
    if cell.d >= 2 && !claim.family.refine {
        args.push("--no-refine".into());
    }
    if claim.family.off_grid {
        args.push("--off-grid".into());
    }
    if let Some(n) = claim.family.max_rounds {
        args.extend(["--max-rounds".to_string(), n.to_string()]);
    }
    if claim.family.decide {
        args.push("--decide".into());
    }
    args
}

/// The problem of an instance (the cell's flags, the instance seed) and its
/// random teacher, as `--teacher random --width W --seed S` builds them.
fn problem(cell: &Cell, seed: u64) -> Result<(ProblemSpec, ShallowInr), String> {
    let spec = SpecInput {
        d: Some(cell.d as i64),
        k0: Some(cell.k0 as i64),
        k: Some(cell.k as i64),
        psi: Some(cell.psi.clone()),
        seed: Some(seed),
        ..Default::default()
    }
    .build()
    .map_err(|e| e.to_string())?;
    let teacher =
        ShallowInr::random(cell.d, cell.k0, cell.width, seed).map_err(|e| e.to_string())?;
    Ok((spec, teacher))
}

/// The typed request of a verdict instance, built from the library's
/// defaults; `tests` check that [`certify_args`] builds the same request
/// through the CLI.
pub fn certify_request(claim: &Claim, cell: &Cell, seed: u64) -> Result<CertifyRequest, String> {
    let (spec, teacher) = problem(cell, seed)?;
    let mut options = SolveOptions::default();
    options.refine.enabled = cell.d == 1 || claim.family.refine;
    options.refine.max_rounds = claim.family.max_rounds;
    let verdict_settings = VerdictSettings {
        grid_points: claim.family.grid_points,
        off_grid: claim.family.off_grid,
        decide: claim.family.decide,
        ..Default::default()
    };
    Ok(CertifyRequest {
        spec,
        teacher,
        options,
        certify_settings: CertifySettings::default(),
        verdict_settings,
    })
}

/// The command line of an agreement instance (without `--json`).
pub fn compare_args(claim: &Claim, cell: &Cell, seed: u64) -> Vec<String> {
    let mut args = vec!["compare".to_string()];
    args.extend(common_args(claim, cell, seed));
    args.extend([
        "--restarts".to_string(),
        claim.family.restarts.to_string(),
        "--quiet".into(),
    ]);
    if cell.d == 1 {
        args.extend([
            "--grid".to_string(),
            AGREEMENT_GRID_D1.to_string(),
            "--student-width".into(),
            AGREEMENT_WIDTH_D1.to_string(),
        ]);
    }
    args
}

/// Training grid of the agreement claim in d = 1 (points per axis).
const AGREEMENT_GRID_D1: usize = 256;
/// Student width of the agreement claim in d = 1.
const AGREEMENT_WIDTH_D1: usize = 10;

/// The typed request of an agreement instance (library defaults; `tests`
/// check it against [`compare_args`] parsed by the CLI).
pub fn compare_request(claim: &Claim, cell: &Cell, seed: u64) -> Result<CompareRequest, String> {
    let (spec, teacher) = problem(cell, seed)?;
    let mut train = TrainSettings {
        tau: 1e-9,
        seed,
        ..Default::default()
    };
    if cell.d == 1 {
        train.grid = AGREEMENT_GRID_D1;
        train.width = AGREEMENT_WIDTH_D1;
    }
    Ok(CompareRequest {
        spec,
        teacher,
        student: Student::default(),
        train,
        restarts: claim.family.restarts,
        options: SolveOptions::default(),
        grid_points: claim.family.grid_points,
        off_grid: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::instance_seed;
    use crate::claim::Kind;
    use clap::Parser;
    use inrsamp::cli::{Cli, Command};

    /// The command line printed for every verdict instance (first two
    /// instances of every cell of every claim file) builds, through the
    /// CLI's own flag parsing, exactly the request proofs-check runs
    /// (issue #13: "the reproducing command it prints is still a real
    /// `inrsamp` command line").
    #[test]
    fn printed_command_builds_the_request_that_ran() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("claims");
        let mut compared = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let claim = Claim::from_file(&entry.unwrap().path()).unwrap();
            if !matches!(
                claim.kind,
                Kind::Certificate | Kind::ConvexRecovery | Kind::NecessityProbe
            ) {
                continue;
            }
            for (ci, cell) in claim.cells().iter().enumerate() {
                for i in 0..2 {
                    let seed = instance_seed(&claim, ci, i, cell);
                    let mut line = vec!["inrsamp".to_string()];
                    line.extend(certify_args(&claim, cell, seed));
                    let cli = Cli::try_parse_from(&line).unwrap();
                    let Command::Certify(args) = &cli.command else {
                        panic!("not a certify command: {line:?}");
                    };
                    let from_cli = inrsamp::cli::certify::request(args).unwrap();
                    let direct = certify_request(&claim, cell, seed).unwrap();
                    assert_eq!(from_cli, direct, "{}: {line:?}", claim.id);
                    compared += 1;
                }
            }
        }
        assert!(compared >= 40, "only {compared} instances compared");
    }

    /// A claim's `max_rounds` reaches the request and the printed command
    /// alike (no committed claim file sets it).
    #[test]
    fn a_claims_round_limit_reaches_the_request_and_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let text = "id = \"t\"\nstatement = \"s\"\nreference = \"r\"\nkind = \"convex-recovery\"\nexpect = \"record\"\n[family]\nd = [2]\nk0 = [1]\nk = [3]\nwidth = [2]\npsi = [\"std\"]\ninstances = 1\nrefine = true\n";
        std::fs::write(&path, format!("{text}max_rounds = 7\n")).unwrap();
        let claim = Claim::from_file(&path).unwrap();
        let cell = &claim.cells()[0];
        let direct = certify_request(&claim, cell, 5).unwrap();
        assert_eq!(direct.options.refine.max_rounds, Some(7));
        let mut line = vec!["inrsamp".to_string()];
        line.extend(certify_args(&claim, cell, 5));
        let cli = Cli::try_parse_from(&line).unwrap();
        let Command::Certify(args) = &cli.command else {
            panic!("not a certify command: {line:?}");
        };
        assert_eq!(inrsamp::cli::certify::request(args).unwrap(), direct);
        for bad in ["0", "10001"] {
            std::fs::write(&path, format!("{text}max_rounds = {bad}\n")).unwrap();
            let err = Claim::from_file(&path).unwrap_err();
            assert!(err.contains("family.max_rounds"), "{err}");
        }
    }

    /// A claim's `decide` reaches the request and the printed command alike
    /// (`--decide`), and is refused for claims that `certify` does not decide.
    #[test]
    fn a_claims_decide_reaches_the_request_and_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let text = "id = \"t\"\nstatement = \"s\"\nreference = \"r\"\nkind = \"necessity-probe\"\nexpect = \"record\"\n[family]\nd = [2]\nk0 = [1]\nk = [2]\nwidth = [2]\npsi = [\"mod\"]\ninstances = 1\nrefine = true\n";
        std::fs::write(&path, format!("{text}decide = true\n")).unwrap();
        let claim = Claim::from_file(&path).unwrap();
        let cell = &claim.cells()[0];
        let direct = certify_request(&claim, cell, 5).unwrap();
        assert!(direct.verdict_settings.decide);
        let mut line = vec!["inrsamp".to_string()];
        line.extend(certify_args(&claim, cell, 5));
        assert_eq!(line.iter().filter(|a| *a == "--decide").count(), 1);
        let cli = Cli::try_parse_from(&line).unwrap();
        let Command::Certify(args) = &cli.command else {
            panic!("not a certify command: {line:?}");
        };
        assert_eq!(inrsamp::cli::certify::request(args).unwrap(), direct);
        // Without the key: no flag, and the library's default (false).
        std::fs::write(&path, text).unwrap();
        let claim = Claim::from_file(&path).unwrap();
        assert!(!certify_args(&claim, &claim.cells()[0], 5).contains(&"--decide".to_string()));
        assert!(
            !certify_request(&claim, &claim.cells()[0], 5)
                .unwrap()
                .verdict_settings
                .decide
        );
        for kind in ["identity\"\nidentity = \"homogeneity", "agreement"] {
            let other = text.replace("necessity-probe", kind);
            std::fs::write(&path, format!("{other}decide = true\n")).unwrap();
            let err = Claim::from_file(&path).unwrap_err();
            assert!(err.contains("family.decide"), "{kind}: {err}");
        }
    }

    /// The same for the agreement claim's `compare` instances.
    #[test]
    fn printed_compare_command_builds_the_request_that_ran() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("claims/agreement.toml");
        let claim = Claim::from_file(&path).unwrap();
        assert_eq!(claim.kind, Kind::Agreement);
        let mut compared = 0;
        for (ci, cell) in claim.cells().iter().enumerate() {
            let seed = instance_seed(&claim, ci, 0, cell);
            let mut line = vec!["inrsamp".to_string()];
            line.extend(compare_args(&claim, cell, seed));
            let cli = Cli::try_parse_from(&line).unwrap();
            let Command::Compare(args) = &cli.command else {
                panic!("not a compare command: {line:?}");
            };
            let from_cli = inrsamp::cli::compare::request(args).unwrap();
            let direct = compare_request(&claim, cell, seed).unwrap();
            assert_eq!(from_cli, direct, "{line:?}");
            compared += 1;
        }
        assert!(compared >= 2, "only {compared} cells compared");
    }
}
