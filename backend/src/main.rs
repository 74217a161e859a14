//! The `trellis` binary: see `trellis --help`.

fn main() -> std::process::ExitCode {
    trellis::cli::main()
}
