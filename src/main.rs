use std::process::ExitCode;

fn main() -> ExitCode {
    one_malloc_arena();
    let cli = ops_tui::cli::Cli::from_env();
    ops_tui::cmd::main(cli)
}

/// glibc gives every thread that allocates its own arena and keeps freed
/// memory in each of them; with the watches decoding on the runtime's worker
/// threads and the UI loop on the main thread, that made the resident memory
/// at 20,000 pods about 40% larger than with one arena. Threads keep their
/// small per-thread caches either way. `MALLOC_ARENA_MAX`, when set, wins.
///
/// Blocks of 1 MiB and more (a list's or the metrics API's body, the
/// vectors a list becomes) are mapped and given back to the system when
/// freed. glibc would otherwise raise that threshold to the largest block
/// freed so far, up to 32 MiB, and keep the next such block in the heap,
/// where it stays resident. `MALLOC_MMAP_THRESHOLD_`, when set, wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena() {
    // SAFETY: mallopt only changes a tuning parameter of the allocator,
    // and this runs before any other thread exists.
    unsafe {
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}
