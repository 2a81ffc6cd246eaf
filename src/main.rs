//! The `vaglio` binary: everything happens in the library.

/// mimalloc instead of the system allocator: the linkage and the datamart
/// allocate many small strings and vectors, and glibc's malloc and free were
/// the largest items of a `vaglio run` profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vaglio::cli::main()
}
