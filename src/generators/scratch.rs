//! Private scratch directories of external generators (README "External generators").
//!
//! Each external cell gets `<results>/tmp/<host>-<pid>-<n>/` (mode 0700), holding the real train
//! fold, the request and the command's output; [`PrivateDir`] deletes it when dropped, whatever
//! happened. A run killed with SIGKILL cannot drop it, so every `bench run` first calls
//! [`remove_stale`]: a directory of this host whose bench process (`<pid>`) is gone is deleted,
//! after killing any process left running with it (found by its `BENCH_REQUEST` environment
//! variable, which every external command inherits).

use crate::error::{Context, Result};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable holding the request path of an external command.
pub const ENV_REQUEST: &str = "BENCH_REQUEST";

/// The scratch root of a results directory.
pub fn root(results: &Path) -> PathBuf {
    results.join("tmp")
}

/// A directory only this user can read, deleted with everything in it when dropped.
#[derive(Debug)]
pub struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    /// Create `<root>/<host>-<pid>-<n>` with mode 0700 (and `root` with mode 0700 if absent).
    pub fn create(root: &Path) -> Result<PrivateDir> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let root = std::path::absolute(root).with_context(|| format!("cannot resolve {}", root.display()))?;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&root)
            .with_context(|| format!("cannot create {}", root.display()))?;
        let name = format!("{}-{}-{}", host(), std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let path = root.join(name);
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .with_context(|| format!("cannot create private directory {}", path.display()))?;
        Ok(PrivateDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Delete the scratch directories of dead bench processes of this host under `root` (killing
/// what still runs from them); returns how many were removed. Directories of live processes and
/// of other hosts (a shared file system) are left alone.
pub fn remove_stale(root: &Path) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(root) else { return Ok(0) };
    let this_host = host();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((owner_host, pid)) = owner(&name) else { continue };
        if owner_host != this_host || pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = entry.path();
        kill_processes_of(&path);
        std::fs::remove_dir_all(&path).with_context(|| format!("cannot remove stale {}", path.display()))?;
        removed += 1;
    }
    Ok(removed)
}

/// `(host, pid)` of a scratch directory name `<host>-<pid>-<n>`.
fn owner(name: &str) -> Option<(&str, u32)> {
    let mut parts = name.rsplitn(3, '-');
    let n = parts.next()?;
    let pid = parts.next()?.parse().ok()?;
    let host = parts.next()?;
    n.parse::<u64>().ok()?;
    Some((host, pid))
}

/// This machine's host name, restricted to `[A-Za-z0-9._]` (`localhost` if unknown).
fn host() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name: String =
        raw.trim().chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}

/// SIGKILL every process whose environment names a request inside `dir` (orphans of a killed
/// run: the commands' own children, which the parent-death signal does not reach).
fn kill_processes_of(dir: &Path) {
    let needle = format!("{ENV_REQUEST}={}/", dir.display());
    let Ok(procs) = std::fs::read_dir("/proc") else { return };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
        let Ok(environ) = std::fs::read(p.path().join("environ")) else { continue };
        if environ.split(|&b| b == 0).any(|var| var.starts_with(needle.as_bytes())) {
            // SAFETY: kill(2) with a pid read from /proc and a valid signal number.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_dirs_are_0700_and_removed_on_drop() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = PrivateDir::create(root.path()).unwrap();
        let path = dir.path().to_path_buf();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o700);
        std::fs::write(path.join("X_train_real_split_1.csv"), "g\n1\n").unwrap();
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn stale_dirs_of_dead_processes_are_removed_and_live_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        // pid 0 never names a /proc entry of a process; our own pid is alive.
        let dead = root.path().join(format!("{}-0-0", host()));
        let live = root.path().join(format!("{}-1-0", host()));
        let foreign = root.path().join("other_host-0-0");
        for d in [&dead, &live, &foreign] {
            std::fs::create_dir(d).unwrap();
        }
        assert_eq!(remove_stale(root.path()).unwrap(), 1);
        assert!(!dead.exists() && live.exists() && foreign.exists());
        assert_eq!(owner("my-host-12-3"), Some(("my-host", 12)));
        assert_eq!(owner("nonsense"), None);
    }
}
