//! What the process uses: its peak resident memory, for the stage timings
//! that `VAGLIO_TIMINGS` prints.

/// Peak resident memory of this process (Linux `VmHWM`), in MB; `None`
/// where the system does not say.
pub fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1000)
}
