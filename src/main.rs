//! The `vaglio` binary: everything happens in the library.

fn main() -> std::process::ExitCode {
    vaglio::cli::main()
}
