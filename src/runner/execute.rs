//! Expand a grid into cells and run them in parallel, persisting each finished cell so that a
//! killed run resumes where it stopped.

use super::datasets::{load_dataset, splits_for};
use super::grid::{GeneratorSpec, Grid};
use super::merge::{Plan, PlannedCell};
use super::output_check::check_synthetic;
use super::progress::Progress;
use super::results::peak_rss_mb;
use super::shard::{self, Shard};
use super::synthetic_out;
use crate::data::dataset::{Dataset, Labelled};
use crate::data::split::{Fold, Split};
use crate::error::{Context, Error, Result};
use crate::generators::context::{check_deadline, scope, CellContext, Deadline, StreamId};
use crate::generators::scratch;
use crate::io::{csv_field, fmt_f64, write_atomic};
use crate::metrics::{self, EvalInput, PcaProjection, Profile, RealCache, ScoredProfile, SideTable, Value};
use crate::privacy::accountant::{Budget, PrivacyReport};
use crate::results::{
    write_results, CellFacts, CellKey, CellRecord, Manifest, ManifestDataset, ManifestGenerator, ManifestProfile,
    ManifestProtocol, Phase, ProfileRow, Status, Timings,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Options of `bench run`.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Worker threads (default: all cores).
    pub jobs: Option<usize>,
    /// Results root (default `results`); the grid writes to `<out>/<grid name>/`.
    pub out: Option<PathBuf>,
    /// Rerun cells that already have a result.
    pub force: bool,
    /// Print the expanded cells and stop.
    pub dry_run: bool,
    /// Show a progress bar / log lines on stderr.
    pub progress: bool,
    /// Run only this shard's cells and leave cells.csv/timings.csv to `bench merge`.
    pub shard: Option<Shard>,
}

/// Most worker threads per core `--jobs` accepts: more only adds contention (and a huge value
/// would start thousands of threads).
pub const MAX_JOBS_PER_CORE: usize = 4;

/// `--jobs` must be between 1 and [`MAX_JOBS_PER_CORE`] × the machine's cores.
pub fn check_jobs(jobs: usize) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let max = cores * MAX_JOBS_PER_CORE;
    crate::ensure!(
        (1..=max).contains(&jobs),
        "--jobs {jobs}: expected 1 to {max} ({MAX_JOBS_PER_CORE} x the {cores} cores of this machine)"
    );
    Ok(())
}

/// What a run did.
#[derive(Debug)]
pub struct RunSummary {
    pub out_dir: PathBuf,
    pub cells: usize,
    pub ran: usize,
    pub cached: usize,
    /// One line per failed cell: `cell_id: phase: message`.
    pub failures: Vec<String>,
}

/// One (dataset, seed, split) with its real-only metric cache, shared by all its cells.
struct FoldData {
    dataset: usize,
    fold: Fold,
    split_hash: String,
    real: RealCache,
}

/// One unit of work.
struct Cell<'g> {
    key: CellKey,
    generator: &'g GeneratorSpec,
    budget: Budget,
    fold: Arc<FoldData>,
    hash: String,
}

/// A loaded dataset and the content hash that keys its cells.
struct LoadedDataset {
    data: Dataset,
    hash: String,
}

/// Run a grid: load data, expand cells, run the missing ones in parallel, write results.
pub fn run(grid: &Grid, opts: &RunOptions) -> Result<RunSummary> {
    let out_dir = opts.out.clone().unwrap_or_else(|| PathBuf::from("results")).join(&grid.name);
    let profiles: Vec<Profile> = grid.profiles.iter().map(|p| metrics::profile(p)).collect::<Result<_>>()?;
    let datasets: Vec<LoadedDataset> = grid
        .datasets
        .iter()
        .map(|spec| {
            let data = load_dataset(spec)?;
            let hash = dataset_hash(&data);
            Ok(LoadedDataset { data, hash })
        })
        .collect::<Result<_>>()?;
    let folds = build_folds(grid, &datasets)?;
    let cells = expand_cells(grid, &datasets, &folds, &profiles);
    let profile_names: Vec<(String, String)> =
        profiles.iter().map(|p| (p.name.to_string(), p.version.to_string())).collect();
    let plan = Plan {
        grid: grid.name.clone(),
        bench_version: crate::VERSION.to_string(),
        profiles: profile_names.clone(),
        metric_columns: metric_columns(&profiles, &datasets),
        cells: cells.iter().map(|c| PlannedCell { id: c.key.id(), hash: c.hash.clone() }).collect(),
    };
    let cells = match opts.shard {
        Some(s) => shard_cells(cells, s, &datasets),
        None => cells,
    };
    if opts.dry_run {
        for c in &cells {
            println!("{}", c.key.id());
        }
        println!("{} cells", cells.len());
        return Ok(RunSummary { out_dir, cells: cells.len(), ran: 0, cached: 0, failures: vec![] });
    }
    if let Some(jobs) = opts.jobs {
        check_jobs(jobs)?;
    }
    prepare_out_dir(&out_dir, grid, &datasets, &profiles)?;
    // Real data left by external generators of a killed run (scratch::remove_stale).
    scratch::remove_stale(&scratch::root(&out_dir))?;
    plan.write(&out_dir)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::new(format!("cannot start {} worker threads: {e}", opts.jobs.unwrap_or(0))))?;
    let progress = Progress::new(cells.len(), opts.progress);
    // External commands run in the grid file's directory (an empty parent is the current one).
    let work_dir = std::path::absolute(grid.base_dir.join(".")).unwrap_or_else(|_| PathBuf::from("."));
    let outcomes: Vec<(CellRecord, bool)> = pool.install(|| {
        cells
            .par_iter()
            .map(|cell| {
                let outcome = match (!opts.force).then(|| cached_record(&out_dir, cell)).flatten() {
                    Some(rec) => (rec, true),
                    None => (run_and_persist(cell, &profiles, &datasets, &out_dir, &work_dir), false),
                };
                progress.cell_done(&outcome.0, outcome.1);
                outcome
            })
            .collect()
    });
    progress.finish();
    let records: Vec<&CellRecord> = outcomes.iter().map(|(r, _)| r).collect();
    if opts.shard.is_none() {
        write_results(&out_dir, &records, &plan.profiles, &plan.metric_columns)?;
    }
    let failures =
        records.iter().filter(|r| !r.is_ok()).map(|r| format!("{}: {}", r.key.id(), r.status.summary())).collect();
    Ok(RunSummary {
        out_dir,
        cells: records.len(),
        ran: outcomes.iter().filter(|(_, cached)| !cached).count(),
        cached: outcomes.iter().filter(|(_, cached)| *cached).count(),
        failures,
    })
}

/// The cells of shard `s` (see [`shard::assign`]), costed by dataset size and generator kind.
fn shard_cells<'g>(cells: Vec<Cell<'g>>, s: Shard, datasets: &[LoadedDataset]) -> Vec<Cell<'g>> {
    let costs: Vec<(String, f64)> = cells
        .iter()
        .map(|c| {
            let d = &datasets[c.fold.dataset].data;
            (c.key.id(), shard::expected_cost(d.n_samples(), d.n_genes(), &c.key.kind))
        })
        .collect();
    let shard_of = shard::assign(&costs, s.count);
    cells.into_iter().zip(shard_of).filter(|(_, i)| *i == s.index).map(|(c, _)| c).collect()
}

/// Union of the profiles' columns over all datasets, in profile order.
fn metric_columns(profiles: &[Profile], datasets: &[LoadedDataset]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for p in profiles {
        for d in datasets {
            for c in p.columns(&d.data.classes()) {
                if !cols.contains(&c) {
                    cols.push(c);
                }
            }
        }
    }
    cols
}

fn build_folds(grid: &Grid, datasets: &[LoadedDataset]) -> Result<Vec<Vec<Vec<Arc<FoldData>>>>> {
    let range = (grid.protocol.public_range[0], grid.protocol.public_range[1]);
    grid.datasets
        .iter()
        .zip(datasets)
        .enumerate()
        .map(|(di, (spec, loaded))| {
            grid.protocol
                .seeds
                .iter()
                .map(|&seed| {
                    let splits = splits_for(spec, &loaded.data, &grid.protocol, seed)?;
                    Ok(splits
                        .iter()
                        .map(|s| {
                            Arc::new(FoldData {
                                dataset: di,
                                fold: Fold::new(&loaded.data, s, range),
                                split_hash: split_hash(s),
                                real: RealCache::default(),
                            })
                        })
                        .collect())
                })
                .collect()
        })
        .collect()
}

fn expand_cells<'g>(
    grid: &'g Grid,
    datasets: &[LoadedDataset],
    folds: &[Vec<Vec<Arc<FoldData>>>],
    profiles: &[Profile],
) -> Vec<Cell<'g>> {
    let profile_tag: String = profiles.iter().map(|p| p.version).collect::<Vec<_>>().join(",");
    let mut cells = Vec::new();
    for (di, loaded) in datasets.iter().enumerate() {
        for g in &grid.generators {
            let params_hash = params_hash(&g.kind, &g.params);
            for budget in g.budgets() {
                for (si, &seed) in grid.protocol.seeds.iter().enumerate() {
                    for fold in &folds[di][si] {
                        let key = CellKey {
                            dataset: loaded.data.name.clone(),
                            generator: g.name.clone(),
                            kind: g.kind.clone(),
                            params_hash: params_hash.clone(),
                            epsilon: budget.epsilon(),
                            delta: budget.delta(),
                            seed,
                            fold: fold.fold.number,
                        };
                        let hash = hex(&sha256_parts(&[
                            CACHE_VERSION,
                            crate::VERSION,
                            &loaded.hash,
                            &fold.split_hash,
                            &params_hash,
                            &key.id(),
                            &budget_text(&budget),
                            &profile_tag,
                            &grid.protocol.public_range.map(f64_bits).join(","),
                        ]));
                        cells.push(Cell { key, generator: g, budget, fold: Arc::clone(fold), hash });
                    }
                }
            }
        }
    }
    cells
}

/// Create the results directory and write the run's manifest and grid copy; this is where an
/// unwritable output directory is reported, before any cell runs.
fn prepare_out_dir(out_dir: &Path, grid: &Grid, datasets: &[LoadedDataset], profiles: &[Profile]) -> Result<()> {
    for sub in ["cells", "privacy", "pca"] {
        std::fs::create_dir_all(out_dir.join(sub))
            .with_context(|| format!("cannot create output directory {}", out_dir.join(sub).display()))?;
    }
    write_atomic(&out_dir.join("grid.toml"), grid.text.as_bytes())?;
    let manifest = Manifest {
        bench_version: crate::VERSION.to_string(),
        datasets: grid
            .datasets
            .iter()
            .zip(datasets)
            .map(|(spec, d)| ManifestDataset {
                classes: d.data.classes(),
                content_hash: d.hash.clone(),
                label_column: d.data.label_column.clone(),
                n_genes: d.data.n_genes(),
                n_samples: d.data.n_samples(),
                name: d.data.name.clone(),
                reference: spec.reference.clone(),
                source: d.data.source.clone(),
            })
            .collect(),
        generators: grid
            .generators
            .iter()
            .map(|g| ManifestGenerator {
                delta: g.delta,
                dp: g.generator.is_dp(),
                epsilons: g.epsilons.clone(),
                kind: g.kind.clone(),
                name: g.name.clone(),
                params: g.params.clone(),
            })
            .collect(),
        grid: grid.name.clone(),
        grid_dir: Some(std::fs::canonicalize(&grid.base_dir).unwrap_or_else(|_| grid.base_dir.clone())),
        profiles: profiles
            .iter()
            .map(|p| ManifestProfile { name: p.name.to_string(), version: p.version.to_string() })
            .collect(),
        protocol: ManifestProtocol {
            folds: grid.protocol.folds,
            public_range: grid.protocol.public_range,
            seeds: grid.protocol.seeds.clone(),
            split_rng: grid.protocol.split_rng.as_str().to_string(),
            splits: grid.datasets.iter().map(|d| d.splits.as_ref().map(|p| p.display().to_string())).collect(),
        },
    };
    write_atomic(&out_dir.join("manifest.json"), manifest.to_json().as_bytes())
}

fn cache_path(out_dir: &Path, key: &CellKey) -> PathBuf {
    out_dir.join("cells").join(format!("{}.json", key.id()))
}

/// A previously finished cell with the same content hash, if any.
fn cached_record(out_dir: &Path, cell: &Cell<'_>) -> Option<CellRecord> {
    let text = std::fs::read_to_string(cache_path(out_dir, &cell.key)).ok()?;
    let rec: CellRecord = serde_json::from_str(&text).ok()?;
    let save = cell.generator.save_synthetic;
    let saved = !save.enabled() || synthetic_out::is_saved(out_dir, &cell.key, save);
    (rec.hash == cell.hash && rec.is_ok() && saved).then_some(rec)
}

fn run_and_persist(
    cell: &Cell<'_>,
    profiles: &[Profile],
    datasets: &[LoadedDataset],
    out_dir: &Path,
    work_dir: &Path,
) -> CellRecord {
    let dataset = &datasets[cell.fold.dataset].data;
    let context = CellContext {
        stream: StreamId {
            seed: cell.key.seed,
            dataset: datasets[cell.fold.dataset].hash.clone(),
            fold: cell.key.fold,
        },
        label_column: dataset.label_column.clone(),
        deadline: cell.generator.timeout.map(Deadline::starting_now),
        scratch: scratch::root(out_dir),
        work_dir: work_dir.to_path_buf(),
    };
    let (mut record, privacy, files) = run_cell(cell, profiles, datasets, &context);
    let id = cell.key.id();
    let persisted = (|| -> Result<()> {
        if let (Some(s), true) = (&files.synthetic, cell.generator.save_synthetic.enabled()) {
            let dataset = &datasets[cell.fold.dataset].data;
            let genes = &cell.fold.fold.schema.gene_ids;
            synthetic_out::save(out_dir, &cell.key, cell.generator.save_synthetic, s, genes, &dataset.label_column)?;
        }
        if let Some(p) = &privacy {
            let json = serde_json::to_string_pretty(p).expect("privacy report serialises") + "\n";
            write_atomic(&out_dir.join("privacy").join(format!("{id}.json")), json.as_bytes())?;
        }
        if !files.pca.is_empty() {
            write_atomic(&out_dir.join("pca").join(format!("{id}.csv")), render_pca(&files.pca).as_bytes())?;
        }
        for (profile, table) in &files.tables {
            write_atomic(&out_dir.join(profile).join(format!("{id}.csv")), table.to_csv().as_bytes())?;
        }
        // Failed cells are persisted too (for `bench merge`); the cache reruns them.
        let json = serde_json::to_string(&record).expect("cell record serialises") + "\n";
        write_atomic(&cache_path(out_dir, &cell.key), json.as_bytes())
    })();
    if let Err(e) = persisted {
        record.status = Status::Error { phase: Phase::Write, message: e.to_string() };
    }
    record
}

/// Fit, sample and score one cell. Errors and panics become an error record, never a crash.
fn run_cell(
    cell: &Cell<'_>,
    profiles: &[Profile],
    datasets: &[LoadedDataset],
    context: &CellContext,
) -> (CellRecord, Option<PrivacyReport>, CellFiles) {
    let fold = &cell.fold.fold;
    let dataset = &datasets[cell.fold.dataset].data;
    let mut record = CellRecord {
        hash: cell.hash.clone(),
        key: cell.key.clone(),
        dataset_source: dataset.source.clone(),
        status: Status::Ok,
        facts: CellFacts { n_train: fold.train().x.rows(), n_test: fold.test().x.rows(), ..CellFacts::default() },
        profiles: vec![],
        timings: Timings::default(),
        diagnostics: vec![],
    };
    // A failure once the deadline has passed is a timeout (a killed command fails that way).
    let deadline = context.deadline.as_ref();
    let fail = |mut record: CellRecord, phase: Phase, e: Error| {
        record.status = match deadline.filter(|d| d.expired()) {
            Some(d) => Status::timeout(phase, d.limit_seconds(), d.elapsed_seconds()),
            None => Status::Error { phase, message: e.to_string() },
        };
        record.timings.peak_rss_mb = peak_rss_mb();
        record
    };
    // Streams are keyed by (seed, dataset content, split, phase) and deliberately not by
    // generator: every generator of a cell row sees the same draws (common random numbers), which
    // makes `independent` (per-class) an exact ablation of Private-PGM label-star (generators.md
    // §6). The dataset enters by its content hash (`StreamId::dataset`, set in `run_and_persist`),
    // so renaming it in a grid changes no number.
    let stream = |phase: &str| context.stream.rng(phase);
    let in_context = |f: &mut dyn FnMut() -> Result<()>| scope(context.clone(), || guarded(f).and(check_deadline()));

    let t = Instant::now();
    let train = fold.train_fold();
    let mut model = None;
    let fitted = in_context(&mut || {
        model = Some(cell.generator.generator.fit(&train, &cell.budget, &mut stream("fit"))?);
        Ok(())
    });
    record.timings.fit_seconds = t.elapsed().as_secs_f64();
    let model = match (fitted, model) {
        (Ok(()), Some(m)) => m,
        (Err(e), _) => return (fail(record, Phase::Fit, e), None, CellFiles::default()),
        (Ok(()), None) => unreachable!("a successful fit stores its model"),
    };
    let privacy = model.privacy().clone();
    fill_privacy(&mut record, &privacy);
    record.diagnostics = model.diagnostics().into_iter().collect();

    let t = Instant::now();
    let n = model.sample_size(train.n_rows());
    let mut sampled = None;
    let drawn = in_context(&mut || {
        sampled = Some(check_synthetic(&model.sample(n, &mut stream("sample"))?, &fold.schema, n)?);
        Ok(())
    });
    record.timings.sample_seconds = t.elapsed().as_secs_f64();
    let synthetic = match (drawn, sampled) {
        (Ok(()), Some(s)) => s,
        (Err(e), _) => return (fail(record, Phase::Sample, e), Some(privacy), CellFiles::default()),
        (Ok(()), None) => unreachable!("a successful sample stores its rows"),
    };
    record.facts.n_synthetic = Some(synthetic.x.rows());

    let t = Instant::now();
    let synthetic = Labelled { x: synthetic.x, labels: synthetic.labels };
    let input = EvalInput {
        gene_ids: &fold.schema.gene_ids,
        train: fold.train(),
        test: fold.test(),
        synthetic: &synthetic,
        real: &cell.fold.real,
    };
    let mut files = CellFiles::default();
    for profile in profiles {
        match guarded(|| profile.score(&input, &dataset.classes())) {
            Ok(mut scored) => {
                // camda2025 and camda2026 both draw the shared projection: keep it once.
                for p in scored.pca.drain(..) {
                    if !files.pca.iter().any(|q| q.definition == p.definition) {
                        files.pca.push(p);
                    }
                }
                files.tables.extend(scored.tables.drain(..).map(|t| (profile.name, t)));
                record.diagnostics.append(&mut scored.diagnostics);
                record.profiles.push(profile_row(profile, scored));
            }
            Err(e) => {
                let e = e.context(format!("profile {}", profile.name));
                return (
                    fail(record, Phase::Score, e),
                    Some(privacy),
                    CellFiles { synthetic: Some(synthetic), ..CellFiles::default() },
                );
            }
        }
    }
    record.timings.score_seconds = t.elapsed().as_secs_f64();
    record.timings.peak_rss_mb = peak_rss_mb();
    files.synthetic = Some(synthetic);
    (record, Some(privacy), files)
}

/// The per-cell files beside the cell record: the PCA projections (`pca/<cell>.csv`) and each
/// profile's side table (`<profile>/<cell>.csv`, e.g. `bio/<cell>.csv` holding `de_pairs`,
/// metrics.md §5.1).
#[derive(Default)]
struct CellFiles {
    pca: Vec<PcaProjection>,
    tables: Vec<(&'static str, SideTable)>,
    /// The synthetic rows, when sampling succeeded (saved when `save_synthetic` is on).
    synthetic: Option<Labelled>,
}

/// Run `f`, turning a panic into an error that carries the panic message.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::new(format!("internal error (panic): {msg}")))
        }
    }
}

/// A profile's values for the cell record: numbers and text (attack names) apart.
fn profile_row(profile: &Profile, scored: ScoredProfile) -> ProfileRow {
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for (column, value) in scored.values {
        match value {
            Value::Number(v) => values.push((column, v)),
            Value::Text(text) => labels.push((column, text)),
        }
    }
    ProfileRow {
        profile: profile.name.into(),
        profile_version: profile.version.into(),
        values,
        labels,
        nan_reasons: scored.nan_reasons.join(";"),
    }
}

fn fill_privacy(record: &mut CellRecord, p: &PrivacyReport) {
    let facts = &mut record.facts;
    facts.dp = Some(p.dp);
    facts.end_to_end_dp = Some(p.end_to_end_dp());
    facts.rho_spent = p.rho_spent;
    facts.epsilon_spent = p.epsilon_spent;
    facts.budget_split = p.split_string();
    facts.non_private_steps = p.non_private_steps.join(";");
    facts.warnings = p.warnings.join(";");
}

fn render_pca(projections: &[PcaProjection]) -> String {
    let mut out = String::from("definition,set,label,pc1,pc2\n");
    for p in projections {
        for (set, points, labels) in
            [("real", &p.real, &p.real_labels), ("synthetic", &p.synthetic, &p.synthetic_labels)]
        {
            for (pt, label) in points.iter().zip(labels.iter()) {
                out.push_str(&format!(
                    "{},{set},{},{},{}\n",
                    csv_field(&p.definition),
                    csv_field(label),
                    fmt_f64(pt[0]),
                    fmt_f64(pt[1])
                ));
            }
        }
    }
    out
}

/// `phase: message` of a failed cell.
/// Version of the per-cell cache (`cells/<id>.json`): bump it when the record format or the
/// cell hash changes, so that older caches are recomputed rather than misread.
/// 2: typed records; (ε, δ) and the public range hashed by their bit patterns.
/// 3: random streams keyed by the dataset's content hash instead of its name.
const CACHE_VERSION: &str = "cache-3";

/// The exact bits of an f64 as hex text (a canonical spelling for hashing).
fn f64_bits(v: f64) -> String {
    format!("{:016x}", v.to_bits())
}

/// The budget of a cell for its hash: `nonprivate`, or ε and δ by their bit patterns.
fn budget_text(b: &Budget) -> String {
    match b {
        Budget::Dp { epsilon, delta } => format!("dp:{}:{}", f64_bits(*epsilon), f64_bits(*delta)),
        Budget::NonPrivate => "nonprivate".into(),
    }
}

fn sha256_parts(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Content hash of a dataset: IDs, labels and the exact bits of every value.
fn dataset_hash(d: &Dataset) -> String {
    let mut h = Sha256::new();
    for s in d.sample_ids.iter().chain(&d.gene_ids).chain(&d.labels) {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    for v in d.x.as_slice() {
        h.update(v.to_bits().to_le_bytes());
    }
    hex(&h.finalize())
}

fn split_hash(s: &Split) -> String {
    let mut h = Sha256::new();
    for i in s.train.iter().chain([&usize::MAX]).chain(&s.test) {
        h.update((*i as u64).to_le_bytes());
    }
    hex(&h.finalize())
}

/// Short stable hash of a generator's kind and parameters (canonical JSON, keys sorted).
fn params_hash(kind: &str, params: &toml::Table) -> String {
    let canonical = serde_json::to_string(params).expect("TOML parameters serialise as JSON");
    hex(&sha256_parts(&[kind, &canonical]))[..12].to_string()
}
