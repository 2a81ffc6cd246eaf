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

/// SQLite allocates through mimalloc too, and keeps no statistics of its
/// allocations (they cost a global lock per allocation; vaglio sets no
/// SQLite heap limit that would read them). Writing a city's datamart
/// allocates and frees millions of small records and sorter buffers: glibc's
/// malloc and that lock were a tenth of SQLite's time. Must run before
/// SQLite is first used; SQLite copies the methods.
fn sqlite_allocator() {
    use libmimalloc_sys::{mi_free, mi_malloc, mi_realloc, mi_usable_size};
    use rusqlite::ffi;
    use std::ffi::{c_int, c_void};

    unsafe extern "C" fn malloc(n: c_int) -> *mut c_void {
        // SAFETY: mi_malloc accepts any size; SQLite never asks for a negative one.
        unsafe { mi_malloc(n.max(0) as usize) }
    }
    unsafe extern "C" fn free(p: *mut c_void) {
        // SAFETY: p came from malloc or realloc above (or is null).
        unsafe { mi_free(p) }
    }
    unsafe extern "C" fn realloc(p: *mut c_void, n: c_int) -> *mut c_void {
        // SAFETY: as for malloc and free.
        unsafe { mi_realloc(p, n.max(0) as usize) }
    }
    unsafe extern "C" fn size(p: *mut c_void) -> c_int {
        // SAFETY: SQLite asks only for the size of its live allocations,
        // which are below 2 GiB (its own limit).
        unsafe { c_int::try_from(mi_usable_size(p)).unwrap_or(c_int::MAX) }
    }
    unsafe extern "C" fn roundup(n: c_int) -> c_int {
        n.saturating_add(7) & !7
    }
    unsafe extern "C" fn init(_: *mut c_void) -> c_int {
        0
    }
    unsafe extern "C" fn shutdown(_: *mut c_void) {}

    let methods = ffi::sqlite3_mem_methods {
        xMalloc: Some(malloc),
        xFree: Some(free),
        xRealloc: Some(realloc),
        xSize: Some(size),
        xRoundup: Some(roundup),
        xInit: Some(init),
        xShutdown: Some(shutdown),
        pAppData: std::ptr::null_mut(),
    };
    // SAFETY: called once, first thing in main, before any thread or any
    // use of SQLite; both calls only store settings (SQLite copies the
    // struct). If they failed, SQLite would keep its defaults.
    unsafe {
        ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
        ffi::sqlite3_config(
            ffi::SQLITE_CONFIG_MALLOC,
            &methods as *const ffi::sqlite3_mem_methods,
        );
    }
}

fn main() -> std::process::ExitCode {
    sqlite_allocator();
    #[cfg(unix)]
    ignore_file_size_signal();
    vaglio::memory::on_release(release_memory);
    vaglio::cli::main()
}
