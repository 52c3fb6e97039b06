//! The `inrsamp` binary: parse, call the library, turn errors into messages
//! and exit codes (0 success, 1 bad input or failure, 2 usage error, 3 a
//! result that is not fully solved or certified, 130 interrupted, 141 stdout
//! closed; see README). Writes to stdout and stderr never panic.

use clap::Parser;
use inrsamp::cli::{Cli, run, stderr_failed};
use std::io::Write;

/// Exit code when stdout is a closed pipe (as a shell reports SIGPIPE).
const EXIT_BROKEN_PIPE: i32 = 141;

fn main() {
    inrsamp::output::file::install_signal_cleanup();
    let cli = Cli::parse();
    let code = match run(&cli) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Ok(()) if stderr_failed() => {
                    // stderr is gone: say it where the output went.
                    let _ = writeln!(stdout, "error: writing progress to stderr failed");
                    1
                }
                Ok(()) => out.exit,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_BROKEN_PIPE,
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "error: writing to stdout: {e}");
                    1
                }
            }
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            1
        }
    };
    std::process::exit(code);
}
