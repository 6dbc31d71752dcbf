//! `bench merge RESULTS_DIR`: assemble `cells.csv` and `timings.csv` from the per-cell files that
//! the shards of a run (`bench run GRID --shard I/N`) wrote into one results directory.
//!
//! Every run, sharded or not, writes `plan.json`: the grid's full cell list with each cell's
//! content hash, the profiles and the metric columns. The merge needs nothing else — no dataset
//! is loaded — and checks the cell files against the plan: a planned cell without a file of the
//! same content hash is *missing* (or *stale* when a file from another grid or bench version
//! holds its key), a cell claimed by more than one file is *duplicated*. The merge is a pure
//! function of the files, so running it again rewrites the same bytes.

use crate::error::{Context, Result};
use crate::io::write_atomic;
use crate::results::{write_results, CellRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the plan inside a results directory.
pub const PLAN_FILE: &str = "plan.json";

/// One planned cell: its id (`CellKey::id`) and content hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedCell {
    pub id: String,
    pub hash: String,
}

/// What a complete results directory holds: written by every `bench run`, read by the merge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub grid: String,
    pub bench_version: String,
    /// (profile name, version) in output order.
    pub profiles: Vec<(String, String)>,
    /// The metric columns of cells.csv in output order.
    pub metric_columns: Vec<String>,
    pub cells: Vec<PlannedCell>,
}

impl Plan {
    /// Write `<dir>/plan.json` atomically (every shard writes the same bytes).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("plan serialises") + "\n";
        write_atomic(&dir.join(PLAN_FILE), text.as_bytes())
    }

    /// Read `<dir>/plan.json`.
    pub fn read(dir: &Path) -> Result<Plan> {
        let path = dir.join(PLAN_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!("cannot read {} (every `bench run` of the grid writes it; run a shard first)", path.display())
        })?;
        serde_json::from_str(&text).map_err(|e| crate::error::Error::new(format!("{}: {e}", path.display())))
    }
}

/// What a merge found and did.
#[derive(Debug, Default)]
pub struct MergeSummary {
    pub planned: usize,
    /// Planned cells with exactly one matching file.
    pub found: usize,
    /// Planned cells without a file.
    pub missing: Vec<String>,
    /// Planned cells whose only files hold another content hash (other grid or bench version).
    pub stale: Vec<String>,
    /// Planned cells claimed by more than one file: (cell id, the files).
    pub duplicated: Vec<(String, Vec<PathBuf>)>,
    /// Cell files that are not in the plan (left alone, not merged).
    pub unplanned: Vec<PathBuf>,
    /// Cell files that cannot be parsed: `path: error`.
    pub unreadable: Vec<String>,
    /// Failed cells among the merged ones: `cell_id: phase: message`.
    pub failures: Vec<String>,
    /// Whether cells.csv and timings.csv were written.
    pub wrote: bool,
}

impl MergeSummary {
    /// Whether every planned cell was found exactly once.
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty() && self.duplicated.is_empty() && self.unreadable.is_empty()
    }
}

/// Merge the cell files of `dir` into `dir/cells.csv` and `dir/timings.csv`. When cells are
/// missing, stale, duplicated or unreadable nothing is written unless `partial` (then the found
/// cells are written; duplicated cells are left out).
pub fn merge(dir: &Path, partial: bool) -> Result<MergeSummary> {
    let plan = Plan::read(dir)?;
    let mut summary = MergeSummary { planned: plan.cells.len(), ..Default::default() };
    let files = read_cell_files(&dir.join("cells"), &mut summary.unreadable)?;
    let mut by_id: BTreeMap<String, Vec<(PathBuf, CellRecord)>> = BTreeMap::new();
    for (path, record) in files {
        by_id.entry(record.key.id()).or_default().push((path, record));
    }
    let mut records = Vec::with_capacity(plan.cells.len());
    for cell in &plan.cells {
        let files = by_id.remove(&cell.id).unwrap_or_default();
        let (current, other): (Vec<_>, Vec<_>) = files.into_iter().partition(|(_, r)| r.hash == cell.hash);
        match current.len() {
            0 if other.is_empty() => summary.missing.push(cell.id.clone()),
            0 => summary.stale.push(cell.id.clone()),
            1 => records.extend(current.into_iter().map(|(_, r)| r)),
            _ => summary.duplicated.push((cell.id.clone(), current.into_iter().map(|(p, _)| p).collect())),
        }
    }
    summary.found = records.len();
    summary.unplanned = by_id.into_values().flatten().map(|(p, _)| p).collect();
    summary.failures =
        records.iter().filter(|r| !r.is_ok()).map(|r| format!("{}: {}", r.key.id(), r.status.summary())).collect();
    if summary.complete() || partial {
        let refs: Vec<&CellRecord> = records.iter().collect();
        write_results(dir, &refs, &plan.profiles, &plan.metric_columns)?;
        summary.wrote = true;
    }
    Ok(summary)
}

/// Every `*.json` in `cells_dir` (temporary files of interrupted writes start with a dot and are
/// skipped), sorted by path. Unparsable files are collected in `unreadable`.
fn read_cell_files(cells_dir: &Path, unreadable: &mut Vec<String>) -> Result<Vec<(PathBuf, CellRecord)>> {
    let entries = match std::fs::read_dir(cells_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", cells_dir.display())),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name.ends_with(".json") && !name.starts_with('.')
        })
        .collect();
    paths.sort();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<CellRecord>(&t).map_err(|e| e.to_string()));
        match parsed {
            Ok(record) => out.push((path, record)),
            Err(e) => unreadable.push(format!("{}: {e}", path.display())),
        }
    }
    Ok(out)
}
