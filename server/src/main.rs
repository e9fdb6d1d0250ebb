//! The `cognate` binary: parses the command line and runs it. Errors end
//! the process with one clear line and a non-zero exit, never a backtrace.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cognate::cli::Cli::parse();
    // On a thread of its own, in parallel with the start (see warm_up_random).
    let _ = std::thread::Builder::new()
        .name("random-warm-up".into())
        .spawn(cognate_core::crypto::warm_up_random);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cognate: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cognate::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cognate: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
