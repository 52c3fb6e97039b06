//! `inrsamp certify`: the verdict against a known teacher.

use super::progress::RoundProgress;
use super::solver_args::SolverArgs;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::certify::CertifySettings;
use crate::certify::eta::EtaField;
use crate::certify::report::{CertifyRequest, certify_observed};
use crate::certify::verdict::{Verdict, VerdictSettings, verdict_plan};
use crate::error::Result;
use clap::Args;
use std::path::PathBuf;

/// Flags of `inrsamp certify`.
#[derive(Debug, Clone, Args)]
pub struct CertifyArgs {
    /// Problem flags.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Teacher flags.
    #[command(flatten)]
    pub teacher: TeacherArgs,
    /// Solver flags.
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Cap radius (radians) around each support atom, in (0, 0.25]: inside,
    /// the Hessian and dense samples check |eta| <= 1; outside, the margin
    /// 1 - max |eta| is reported (proved by branch-and-bound for D <= 5 with
    /// exact columns). Shrunk to half the smallest atom separation.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true)]
    pub cap: f64,
    /// When no other certificate candidate passes the strict tier, the LP is
    /// solved and refined once more on the grid plus this many fresh
    /// directions, and its dual is checked like the others (0: never; at
    /// most 10 000 000).
    #[arg(long = "dense-dual-points", default_value_t = 18_000)]
    pub dense_dual_points: usize,
    /// Leave the teacher's directions off the grid.
    #[arg(long = "off-grid")]
    pub off_grid: bool,
    /// Stop refinement as soon as a measure cheaper than the teacher is
    /// verified (the verdict is then not_recovered): faster where the
    /// minimizer is far from the teacher, but the bracket is not tightened.
    /// Dual smoothing is then off unless `--dual-smoothing` is given.
    #[arg(long)]
    pub decide: bool,
    /// Always make the final thorough search of the refinement's lambda.
    /// By default the teacher's certificate (strict tier) is checked first,
    /// and when it passes and its lower end closes the bracket, that end is
    /// used and the search is skipped (1 to 2 s of a d = 2 run; README,
    /// "Certificate first"). This flag gives the slower twin.
    #[arg(long = "no-certificate-first")]
    pub no_certificate_first: bool,
    /// CSV of eta for the certificate (D = 3: theta/phi grid; else great circles).
    #[arg(long = "eta-csv")]
    pub eta_csv: Option<PathBuf>,
    /// PNG of eta for the certificate: D = 3 a map over the sphere (black
    /// where |eta| > 1, atoms and caps marked), else profiles along great
    /// circles through each atom; the verdict, margin and bracket as caption.
    #[arg(long = "eta-png")]
    pub eta_png: Option<PathBuf>,
    /// After a `unique` verdict, search the certificate's `eta` again by
    /// brute force (40 000 random directions of another seed, 64x the
    /// ascents, each to its end: 10 to 60 s in D = 9) and re-tier it with
    /// the smaller margin; a certificate the twin breaks makes the verdict
    /// `inconclusive` (README, "The twin search").
    #[arg(long)]
    pub twin: bool,
    /// CSV of the certificate's dual polynomial `q(x) = sum_k lambda_k
    /// exp(2 pi i k.x)` over `|k|_inf <= K`, columns `k1[,k2[,k3]],re,im`:
    /// `eta(w) = (1/psi(w)) int q(x) relu(g_w(x)) dx`, so that the printed
    /// claims can be checked by other code (README, "Exporting a
    /// certificate"). Without a certificate (no verified teacher measure),
    /// the `lambda` of the bracket's lower end.
    #[arg(long = "certificate-csv")]
    pub certificate_csv: Option<PathBuf>,
    /// Points per theta range (D = 3) or per great circle (at least 2).
    #[arg(long = "eta-resolution", default_value_t = 181,
          value_parser = clap::value_parser!(u64).range(2..))]
    pub eta_resolution: u64,
}

/// The request these flags describe (validated).
pub fn request(args: &CertifyArgs) -> Result<CertifyRequest> {
    let spec = args.problem.spec()?;
    let teacher = args.teacher.teacher(&spec)?;
    let options = args.solver.options_with(true)?;
    let certify_settings = CertifySettings {
        cap_radius: args.cap,
        dense_dual_points: args.dense_dual_points,
        ..Default::default()
    };
    certify_settings.validate()?;
    let verdict_settings = VerdictSettings {
        grid_points: args.solver.grid_points()?,
        off_grid: args.off_grid,
        decide: args.decide,
        certificate_first: !args.no_certificate_first,
        ..Default::default()
    };
    Ok(CertifyRequest {
        spec,
        teacher,
        options,
        certify_settings,
        verdict_settings,
    })
}

/// Runs the subcommand.
pub fn run(args: &CertifyArgs) -> Result<Outcome> {
    let req = request(args)?;
    let mut progress = RoundProgress::new(
        req.options.refine.enabled,
        req.options.refine.rounds_for(&req.spec.psi),
    );
    let r = certify_observed(&req, &mut |round| progress.observe(round));
    progress.finish();
    let mut r = r?;
    if args.twin {
        crate::certify::twin::apply_twin(&mut r, &req.spec, &req.certify_settings)?;
    }
    if args.eta_csv.is_some() || args.eta_png.is_some() {
        let spec = &req.spec;
        let plan = verdict_plan(spec)?;
        let field = EtaField::new(spec, &plan, r.lambda.clone())?;
        // Unit directions of the teacher's units (a unit with w = 0 has none).
        let dirs: Vec<Vec<f64>> = req
            .teacher
            .units
            .iter()
            .filter(|u| crate::numeric::norm2(&u.w) > 0.0)
            .map(|u| {
                let n = crate::numeric::norm2(&u.w);
                u.w.iter().map(|v| v / n).collect()
            })
            .collect();
        let out = crate::output::eta::EtaOutputs {
            csv: args.eta_csv.as_deref(),
            png: args.eta_png.as_deref(),
            resolution: args.eta_resolution as usize,
            cap_radius: r.cap_radius,
            caption: r.margin_caption(),
        };
        crate::output::eta::write_eta_outputs(&out, &field, spec.feature_dim(), &dirs, spec.seed)?;
    }
    if let Some(path) = &args.certificate_csv {
        let map = crate::fourier::RealMap::new(req.spec.d, req.spec.k);
        crate::output::write_coefficients_csv(path, &map, &r.lambda)?;
    }
    let text = if args.problem.json {
        super::json_line(&r)?
    } else {
        r.to_string()
    };
    Ok(Outcome {
        text,
        exit: if r.verdict == Verdict::Inconclusive {
            3
        } else {
            0
        },
    })
}
