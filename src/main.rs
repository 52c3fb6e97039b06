//! The `inrsamp` binary: parse, call the library, turn errors into messages
//! and exit codes (0 success, 1 bad input or failure, 2 usage error, 3 a
//! result that is not fully solved or certified; see README).

use clap::Parser;
use inrsamp::cli::{Cli, run};
use std::io::Write;

fn main() {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a panic.
            let _ = stdout.write_all(out.text.as_bytes());
            let _ = stdout.flush();
            std::process::exit(out.exit);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
