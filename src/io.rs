//! File output helpers: every result file is written to a temporary file in the same directory
//! and renamed into place, so a killed run never leaves a half-written file.

pub mod csv;

use crate::error::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` atomically (temp file + rename), creating parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create directory {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// Remove the temporary files [`write_atomic`] leaves when its process is killed between create
/// and rename: `.<name>.tmp.<pid>` under `dir` (up to 3 levels deep) whose process no longer runs.
/// Liveness is read from `/proc/<pid>`; where there is no `/proc`, nothing is removed. Returns
/// how many files were removed. Errors while walking are ignored: cleanup never fails a run.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    if !Path::new("/proc/self").exists() {
        return 0;
    }
    remove_stale_in(dir, 3)
}

fn remove_stale_in(dir: &Path, depth: usize) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() && depth > 0 {
            removed += remove_stale_in(&path, depth - 1);
        } else if kind.is_file() && stale_temp_pid(&entry.file_name().to_string_lossy()).is_some_and(is_dead) {
            removed += usize::from(std::fs::remove_file(&path).is_ok());
        }
    }
    removed
}

/// The pid of a `write_atomic` temp file name (`.<name>.tmp.<pid>`).
fn stale_temp_pid(name: &str) -> Option<u32> {
    let (stem, pid) = name.rsplit_once(".tmp.")?;
    (stem.starts_with('.') && stem.len() > 1).then_some(())?;
    pid.parse().ok()
}

fn is_dead(pid: u32) -> bool {
    pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Shortest round-trip formatting of an f64 (`NaN`, `inf`, `-inf` for the special values),
/// as every CSV bench writes uses (data-formats.md §4, metrics.md §0.3).
pub fn fmt_f64(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        // Rust's Display for f64 is the shortest representation that round-trips.
        format!("{v}")
    }
}

/// Parse a number as [`fmt_f64`] writes it (shortest round-trip, `NaN`, `inf`, `-inf`).
pub fn parse_f64(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "inf" | "+inf" | "Infinity" => Some(f64::INFINITY),
        "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok(),
    }
}

/// Quote a CSV field per RFC 4180 when it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_quotes() {
        assert_eq!(fmt_f64(0.1), "0.1");
        assert_eq!(fmt_f64(1e-10), "0.0000000001");
        assert_eq!(fmt_f64(f64::NAN), "NaN");
        assert_eq!(fmt_f64(f64::INFINITY), "inf");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(parse_f64("0.5"), Some(0.5));
        assert_eq!(parse_f64("inf"), Some(f64::INFINITY));
        assert!(parse_f64("NaN").unwrap().is_nan());
        assert_eq!(parse_f64("x"), None);
        assert_eq!(parse_f64(""), None);
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
    }

    #[test]
    fn stale_temp_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cells")).unwrap();
        // pid 2^31 - 2 exceeds Linux's pid_max (at most 2^22), so no such process runs.
        let dead = dir.path().join("cells/.a.json.tmp.2147483646");
        let mine = dir.path().join(format!(".b.csv.tmp.{}", std::process::id()));
        let other = dir.path().join("notes.tmp.1");
        for p in [&dead, &mine, &other] {
            std::fs::write(p, "x").unwrap();
        }
        assert_eq!(remove_stale_temp_files(dir.path()), 1);
        assert!(!dead.exists() && mine.exists() && other.exists());
        assert_eq!(stale_temp_pid(".x.tmp.12"), Some(12));
        assert_eq!(stale_temp_pid("x.tmp.12"), None);
    }

    #[test]
    fn atomic_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/out.csv");
        write_atomic(&p, b"x\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"x\n");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1);
    }
}
