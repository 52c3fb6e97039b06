//! Progress of `fit` and `compare`: a bar on a terminal (indicatif), else
//! lines on stderr (never a panic), and
//! the CSV log, streamed to a temporary file that becomes `--log` with the
//! run's other outputs (see `output::file`).

use crate::error::{Error, Result};
use crate::output::PendingFile;
use crate::train::{Observer, Record};
use std::path::Path;

/// Progress on stderr and the CSV log (streamed to a temporary file that
/// becomes `--log` with the run's other outputs, or is removed on failure).
pub(super) struct Progress {
    pub(super) quiet: bool,
    pub(super) total: usize,
    pub(super) restart: usize,
    log: Option<PendingFile>,
    log_error: Option<std::io::Error>,
    /// A bar on a terminal (indicatif); plain lines otherwise.
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub(super) fn new(quiet: bool, total: usize, log: Option<&Path>) -> Result<Self> {
        let log = match log {
            Some(p) => {
                let mut f = PendingFile::create("log", p)?;
                log_row(
                    f.writer(),
                    &[
                        "restart",
                        "outer",
                        "steps",
                        "loss",
                        "regularizer",
                        "residual",
                        "mse",
                        "rel_mse",
                        "rho",
                    ]
                    .map(String::from),
                )
                .map_err(|e| Error::io(p, e))?;
                Some(f)
            }
            None => None,
        };
        let bar = terminal_bar(
            quiet,
            total as u64,
            "{bar:30} {pos}/{len} {msg} ({elapsed}, ETA {eta})",
        );
        Ok(Progress {
            quiet,
            total,
            restart: 0,
            log,
            log_error: None,
            bar,
        })
    }

    pub(super) fn finish(self, target: Option<&Path>) -> Result<()> {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if let (Some(e), Some(t)) = (self.log_error, target) {
            return Err(Error::io(t, e));
        }
        match self.log {
            Some(f) => f.finish(),
            None => Ok(()),
        }
    }
}

/// A progress bar with `template` when stderr is a terminal and `quiet` is
/// off; `None` otherwise (callers then print plain lines).
pub(super) fn terminal_bar(
    quiet: bool,
    total: u64,
    template: &str,
) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    (!quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    })
}

/// One CSV row of the training log (csv crate), written through at once.
fn log_row(w: &mut dyn std::io::Write, fields: &[String]) -> std::io::Result<()> {
    let mut wr = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    wr.write_record(fields)?;
    wr.flush()
}

impl Observer for Progress {
    fn restart(&mut self, index: usize, of: usize, seed: u64) {
        self.restart = index;
        if of > 1 && !self.quiet {
            super::progress_line(&format!(
                "restart {}/{} (initialization seed {})",
                index + 1,
                of,
                seed
            ));
        }
    }

    fn observe(&mut self, r: &Record) {
        if let Some(b) = &self.bar {
            if r.outer == 1 {
                b.reset();
            }
            b.set_position(r.outer as u64);
            b.set_message(format!(
                "restart {}: loss {:.3e}, |r| {:.2e}",
                self.restart + 1,
                r.loss,
                r.residual
            ));
        } else if !self.quiet {
            super::progress_line(&format!(
                "[{}/{}] steps {} loss {:.6e} R {:.6} |r| {:.3e} rel_mse {:.3e}",
                r.outer, self.total, r.steps, r.loss, r.regularizer, r.residual, r.rel_mse
            ));
        }
        if let Some(f) = &mut self.log {
            // A failed row is remembered and fails the run at the end.
            let row = log_row(
                f.writer(),
                &[
                    self.restart.to_string(),
                    r.outer.to_string(),
                    r.steps.to_string(),
                    format!("{:e}", r.loss),
                    format!("{:e}", r.regularizer),
                    format!("{:e}", r.residual),
                    format!("{:e}", r.mse),
                    format!("{:e}", r.rel_mse),
                    format!("{:e}", r.rho),
                ],
            );
            if let Err(e) = row {
                self.log_error.get_or_insert(e);
            }
        }
    }
}

/// Refinement rounds: a bar with the bracket on a terminal, one plain line
/// per round otherwise (from round 1 on: the first grid solve is not a
/// refinement).
pub(super) struct RoundProgress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    max_rounds: usize,
}

impl RoundProgress {
    /// For a solve that refines (`refine`) up to `max_rounds` rounds.
    pub(super) fn new(refine: bool, max_rounds: usize) -> Self {
        let bar = terminal_bar(
            !refine,
            max_rounds as u64,
            "refinement {bar:30} {pos}/{len} rounds {elapsed} {msg}",
        );
        RoundProgress {
            plain: refine && bar.is_none(),
            bar,
            max_rounds,
        }
    }

    /// One round's record.
    pub(super) fn observe(&mut self, r: &crate::certify::refine::RoundRecord) {
        let gap = (r.lp_value - r.lower_estimate) / r.lp_value.abs().max(f64::MIN_POSITIVE);
        let smoothed = r
            .smoothed_sup
            .map_or(String::new(), |s| format!(" (smoothed {s:.6})"));
        let msg = format!(
            "value {:.10}, lower estimate {:.10} (gap {:.1e}), sup |eta| {:.6}{smoothed}, {} columns",
            r.lp_value, r.lower_estimate, gap, r.sup_estimate, r.columns
        );
        if let Some(b) = &self.bar {
            b.set_position(r.round as u64);
            b.set_message(msg);
        } else if self.plain && r.round >= 1 {
            super::progress_line(&format!(
                "refinement round {}/{}: {msg}, {:.1} s",
                r.round, self.max_rounds, r.seconds
            ));
        }
    }

    /// Clears the bar.
    pub(super) fn finish(self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
