//! What `bench run` says while cells finish: a progress bar on a terminal, one log line per
//! cell otherwise, and a failed cell's one-line error either way.

use crate::results::{CellRecord, Phase};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// Progress on stderr: a bar on a terminal, one log line per cell otherwise.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    log_lines: bool,
    total: usize,
    done: std::sync::atomic::AtomicUsize,
}

impl Progress {
    pub(crate) fn new(total: usize, enabled: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (enabled && terminal).then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} cells  {elapsed_precise} elapsed, ETA {eta}  {msg}")
                    .expect("valid progress template"),
            );
            bar
        });
        Progress { bar, log_lines: enabled && !terminal, total, done: Default::default() }
    }

    pub(crate) fn cell_done(&self, r: &CellRecord, cached: bool) {
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let status = if cached {
            "cached".to_string()
        } else if r.is_ok() {
            "ok".into()
        } else {
            format!("{} ({})", r.status.label().to_uppercase(), r.status.phase().map_or("", Phase::as_str))
        };
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} {status}", r.key.id()));
            bar.inc(1);
            if !r.is_ok() {
                bar.println(format!("error: {}: {}", r.key.id(), r.status.summary()));
            }
        } else if self.log_lines {
            let t = &r.timings;
            eprintln!(
                "[{n}/{}] {} {status} (fit {:.2}s, sample {:.2}s, score {:.2}s)",
                self.total,
                r.key.id(),
                t.fit_seconds,
                t.sample_seconds,
                t.score_seconds
            );
            if !r.is_ok() {
                eprintln!("error: {}: {}", r.key.id(), r.status.summary());
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
