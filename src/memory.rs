//! What the process uses, for the stage timings that `VAGLIO_TIMINGS`
//! prints: time per stage and peak resident memory.

static RELEASE: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Registers how to give free memory back to the system (the binary's
/// allocator knows how; the library does not choose an allocator).
pub fn on_release(f: fn()) {
    let _ = RELEASE.set(f);
}

/// Gives free memory back to the system, if the program said how
/// ([`on_release`]): called where a stage has just let go of much.
pub fn release() {
    if let Some(f) = RELEASE.get() {
        f();
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), in MB; `None`
/// where the system does not say.
pub fn peak_rss_mb() -> Option<u64> {
    status_mb("VmHWM:")
}

/// Resident memory of this process now (Linux `VmRSS`), in MB.
pub fn rss_mb() -> Option<u64> {
    status_mb("VmRSS:")
}

fn status_mb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1000)
}

/// CPU time (user + system) this process has used so far, in seconds
/// (Linux `/proc/self/stat`, in clock ticks of 1/100 s).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: count after it.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// `peak N MB  now M MB  cpu C s`, `?` where the system does not say.
pub fn memory_note() -> String {
    let mb = |m: Option<u64>| m.map_or("?".into(), |m| m.to_string());
    let cpu = cpu_seconds().map_or("?".into(), |c| format!("{c:.2}"));
    format!(
        "peak {:>6} MB  now {:>6} MB  cpu {:>6} s",
        mb(peak_rss_mb()),
        mb(rss_mb()),
        cpu
    )
}

/// Stage timings on standard error when `VAGLIO_TIMINGS` is set.
pub struct Stages {
    on: bool,
    /// The progress message when the linkage began (`linking refezione`).
    base: String,
    last: std::time::Instant,
    progress: Option<indicatif::ProgressBar>,
}

impl Stages {
    /// Starts timing; `progress`'s message names what is timed.
    pub fn new(progress: Option<indicatif::ProgressBar>) -> Stages {
        let base = progress
            .as_ref()
            .map(|pb| pb.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "linking".into());
        Stages {
            base,
            on: std::env::var_os("VAGLIO_TIMINGS").is_some(),
            last: std::time::Instant::now(),
            progress,
        }
    }

    /// Marks the end of a stage: prints its time with `VAGLIO_TIMINGS`, and
    /// moves the progress display on.
    pub fn stage(&mut self, name: &str) {
        if self.on {
            eprintln!(
                "{name:>20}: {:>8.3} s   {}",
                self.last.elapsed().as_secs_f64(),
                memory_note()
            );
        }
        if let Some(pb) = &self.progress {
            pb.set_message(format!("{}: {name} done", self.base));
        }
        self.last = std::time::Instant::now();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn cpu_time_is_read_and_grows() {
        let a = super::cpu_seconds().unwrap();
        let mut x = 0u64;
        let t = std::time::Instant::now();
        while t.elapsed().as_millis() < 60 {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        let b = super::cpu_seconds().unwrap();
        assert!(b >= a + 0.03, "{a} then {b} ({x})");
        assert!(super::memory_note().contains(" cpu "));
    }
}
