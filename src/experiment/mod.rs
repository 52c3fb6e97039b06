//! The experiment engine (issue #11): phase-transition sweeps of the
//! paper's Figure 2 (docs/theory.md 8) by two routes, the convex verdict of
//! (11) and the augmented-Lagrangian fit of (3).
//!
//! A plan ([`config::ExperimentConfig`], a TOML file or a preset) expands
//! into jobs; [`run::run_plan`] runs them in parallel and appends one
//! [`record::Record`] per job to a CSV, fsynced as each finishes, so a
//! killed sweep resumes where it stopped; [`report`] turns records into
//! tables and heat maps; [`status`] says how far a (sharded) plan has got.

pub mod config;
pub mod record;
pub mod report;
pub mod run;
pub mod status;

pub use config::{ExperimentConfig, Job, Route, Shard};
pub use record::Record;
pub use run::{RunOptions, RunSummary, run_plan};
