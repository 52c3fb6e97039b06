//! `inrsamp compare`: the convex minimizer of (11) against the trained INR
//! on the same measurements (docs/theory.md 6, last claim): cost gap, distance
//! between the functions, and matching of INR units to convex atoms.

use super::fit::TrainArgs;
use super::progress::Progress;
use super::solver_args::SolverArgs;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::agreement::{CompareRequest, compare};
use crate::error::Result;
use crate::train::Method;
use clap::Args;

/// Flags of `inrsamp compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// Problem flags.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Teacher flags.
    #[command(flatten)]
    pub teacher: TeacherArgs,
    /// Training flags.
    #[command(flatten)]
    pub train: TrainArgs,
    /// Solver flags.
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Leave the teacher's directions off the convex grid.
    #[arg(long = "off-grid")]
    pub off_grid: bool,
}

/// The request these flags describe (validated).
pub fn request(args: &CompareArgs) -> Result<CompareRequest> {
    let spec = args.problem.spec()?;
    let teacher = args.teacher.teacher(&spec)?;
    let train = args.train.settings(spec.seed, 1e-9)?;
    Ok(CompareRequest {
        teacher,
        student: args.train.student(),
        train,
        restarts: args.train.restarts,
        options: args.solver.options()?,
        grid_points: args.solver.grid_points()?,
        off_grid: args.off_grid,
        spec,
    })
}

/// Runs the subcommand.
pub fn run(args: &CompareArgs) -> Result<Outcome> {
    let req = request(args)?;
    let total = match req.train.method {
        Method::Al => req.train.outer_max,
        Method::Penalized => 2 * req.train.steps.div_ceil(100),
    };
    let mut progress = Progress::new(args.train.quiet, total, args.train.log.as_deref())?;
    let r = compare(&req, &mut progress)?;
    progress.finish(args.train.log.as_deref())?;
    let text = if args.problem.json {
        super::json_line(&r)?
    } else {
        r.to_string()
    };
    Ok(Outcome {
        text,
        exit: if r.decided() { 0 } else { 3 },
    })
}
