//! The `vaglio` binary: everything happens in the library.

/// mimalloc instead of the system allocator: the linkage and the datamart
/// allocate many small strings and vectors, and glibc's malloc and free were
/// the largest items of a `vaglio run` profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives the memory mimalloc holds free back to the system: called by the
/// library where a stage has just let go of much (a city's registry table,
/// the linkage's indexes), so that the next stage does not add to it.
fn release_memory() {
    // SAFETY: mi_collect only walks mimalloc's own free lists; it is safe
    // to call from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Over a file-size limit (`ulimit -f`) the system kills a writing process
/// with SIGXFSZ, leaving no message; ignored, the write fails with EFBIG
/// instead, and vaglio reports it as it does a full disk (exit 2, the
/// file named, nothing earlier replaced).
#[cfg(unix)]
fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN before any thread
    // starts has no other effect.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

fn main() -> std::process::ExitCode {
    #[cfg(unix)]
    ignore_file_size_signal();
    vaglio::memory::on_release(release_memory);
    vaglio::cli::main()
}
