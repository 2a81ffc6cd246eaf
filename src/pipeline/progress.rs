//! The run's progress: one spinner on standard error, and with
//! `VAGLIO_TIMINGS` each stage's time and peak memory.

/// The run's one progress display: a spinner whose message names the stage
/// (`[3/10] linking refezione: blocking index done`); the linkage moves it
/// on through its own stages. Hidden off a terminal and with `--quiet`.
/// With `VAGLIO_TIMINGS` set, each stage's wall time and the peak memory
/// so far go to standard error (what `scripts/bench` reads).
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    done: usize,
    total: usize,
    timings: Option<(String, std::time::Instant)>,
}

impl Progress {
    pub fn new(on: bool, total: usize) -> Progress {
        let bar = on.then(|| {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} vaglio run {prefix} {msg} ({elapsed})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            pb
        });
        let timings =
            std::env::var_os("VAGLIO_TIMINGS").map(|_| (String::new(), std::time::Instant::now()));
        Progress {
            bar,
            done: 0,
            total,
            timings,
        }
    }

    /// Prints the stage that ends with its time and the peak memory so far.
    fn time(&mut self, next: &str) {
        if let Some((stage, start)) = &mut self.timings {
            if stage.is_empty() {
                *stage = next.to_string();
                *start = std::time::Instant::now();
                return;
            }
            eprintln!(
                "stage {:<32} {:>8.3} s   {}",
                stage,
                start.elapsed().as_secs_f64(),
                crate::memory::memory_note()
            );
            *stage = next.to_string();
            *start = std::time::Instant::now();
        }
    }

    pub fn stage(&mut self, what: &str) {
        self.time(what);
        self.done += 1;
        if let Some(pb) = &self.bar {
            pb.set_prefix(format!("[{}/{}]", self.done.min(self.total), self.total));
            pb.set_message(what.to_string());
        }
    }

    pub fn bar(&self) -> Option<indicatif::ProgressBar> {
        self.bar.clone()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.time("");
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}
