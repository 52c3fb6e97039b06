//! The `inrsamp` binary: parse, call the library, turn errors into messages
//! and exit codes (0 success, 1 bad input or failure, 2 usage error).

use clap::Parser;
use inrsamp::cli::{Cli, Command, demo, measure};
use std::io::Write;

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Measure(a) => measure::run(a),
        Command::Demo(a) => demo::run(a),
    };
    match result {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a panic.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
