//! Command-line parsing (clap) and dispatch. Parsing stays here; each command's work lives in
//! its module (runner, data, metrics, report).

use crate::error::Result;
use crate::runner::execute::{self, RunOptions};
use crate::runner::grid::Grid;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "bench",
    version,
    about = "Benchmark privacy-preserving synthetic RNA-seq generators with the CAMDA metric suite",
    after_help = "Examples:\n  bench run experiments/quickstart.toml\n  bench run experiments/brca.toml --jobs 2 --out results\n  bench datasets list\n  bench datasets describe sim-brca"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every cell of a grid (dataset × generator × ε × seed × fold) and write results.
    #[command(
        after_help = "Examples:\n  bench run experiments/quickstart.toml\n  bench run experiments/brca.toml --jobs 1 --force\n  bench run experiments/brca.toml --dry-run\n  bench run experiments/brca.toml --shard 2/3   (then: bench merge results/brca)\n\nResults go to <out>/<grid name>/ (cells.csv, timings.csv, manifest.json, ...).\nA killed run resumes where it stopped: finished cells are kept in <out>/<grid name>/cells/."
    )]
    Run(RunArgs),
    /// Built-in and configured datasets.
    #[command(subcommand)]
    Datasets(DatasetsCommand),
    /// Score external synthetic data stored in the challenge kit's per-split files.
    #[command(
        after_help = "Example:\n  bench score --real-dir kit/real --synthetic-dir kit/synthetic/mygen --out eval\n\nReads X_train_real_split_{k}.csv, y_train_real_split_{k}.csv, X_test_real_split_{k}.csv,\ny_test_real_split_{k}.csv (real dir) and synthetic_data_split_{k}.csv,\nsynthetic_labels_split_{k}.csv (synthetic dir) for k = 1, 2, ...; genes are matched by name.\nWrites evaluation_split_{k}.csv and evaluation_results.csv (average row last)."
    )]
    Score(ScoreArgs),
    /// Run one built-in generator on a kit's real per-split files and write the submission.
    #[command(after_help = GENERATE_HELP)]
    Generate(GenerateArgs),
    /// Assemble one challenge submission folder from a grid run with save_synthetic.
    #[command(
        after_help = "Example:\n  bench export results/brca --generator pgm --epsilon 1 --seed 1 --out submission --with-real\n\nCopies synthetic_data_split_{k}.csv and synthetic_labels_split_{k}.csv of every fold from\n<results>/synthetic/; --with-real also writes the real X/y_{train,test}_real_split_{k}.csv\n(rebuilt from the grid), so `bench score --real-dir DIR --synthetic-dir DIR` can read the folder."
    )]
    Export(ExportArgs),
    /// Regenerate tables, plots and the HTML/Markdown report of a results directory.
    #[command(
        after_help = "Example:\n  bench report results/quickstart\n\nReads cells.csv (+ manifest.json, pca/, privacy/) and rewrites table1.csv,\ntable1_long.csv, plots/, report.html and report.md without rerunning any cell."
    )]
    Report(ReportArgs),
    /// Regression gate: compare a results directory with a stored baseline.
    #[command(
        after_help = "Examples:\n  bench check results/smoke --baseline experiments/baselines/smoke.cells.csv \\\n      --tolerance-file experiments/baselines/smoke.tolerances.toml\n  bench check results/smoke --baseline experiments/baselines/smoke.cells.csv --update\n\nExit status: 0 when every metric holds, 1 with a table of what moved\n(regressed, improved, changed, missing, new), 2 on bad input."
    )]
    Check(CheckArgs),
    /// Derive regression-gate tolerances from a multi-seed results directory.
    #[command(
        after_help = "Example:\n  bench tolerances results/smoke-seeds --out experiments/baselines/smoke.tolerances.toml\n\nTolerance of each iterative (logistic-regression) metric = FACTOR x pooled\nseed-to-seed standard deviation; deterministic metrics are compared exactly."
    )]
    Tolerances(TolerancesArgs),
    /// Time each pipeline stage on BRCA- and COMBINED-shaped simulated data (use a release build).
    #[command(
        after_help = "Examples:\n  cargo run --release -- perf\n  cargo run --release -- perf --shapes sim-brca --generators private-pgm --repeats 7\n  cargo run --release -- perf --shapes sim-brca --generators private-pgm --generator-params 'marginals = \"mst\"'\n\nEach stage runs in its own process, so its peak RSS is its own. Reports medians.\nmetrics:PROFILE:SHAPE is the whole profile as `bench run` scores one cell (families in parallel,\nper-fold cache cold: the TRTR model and other real-only parts are computed too); …/warm is the\nsame with the per-fold cache filled (each further cell of a fold in a grid); …/FAMILY is one\nmetric family alone, cold, and …/FAMILY/warm the same with its cache filled. load:SHAPE reads\nthe dataset back from the challenge layout (…/tidy: from tidy CSV); generator:KIND:SHAPE is fit +\nsample (…/fit, …/sample apart)."
    )]
    Perf(PerfArgs),
    /// Assemble cells.csv, timings.csv and the report from the cell files of a sharded run.
    #[command(after_help = crate::scale_cli::MERGE_HELP)]
    Merge(crate::scale_cli::MergeArgs),
    /// Write (and with --submit, submit) a Slurm job array running the grid's shards plus a merge job.
    #[command(after_help = crate::scale_cli::SLURM_HELP)]
    Slurm(crate::scale_cli::SlurmArgs),
}

#[derive(Args, Debug)]
struct PerfArgs {
    /// Shapes to measure.
    #[arg(long, value_delimiter = ',', default_value = "sim-brca,sim-combined")]
    shapes: Vec<String>,
    /// Generator kinds to time (fit + sample, default parameters, epsilon = 1 for DP kinds).
    #[arg(long, value_delimiter = ',', default_value = "private-pgm,independent,multivariate,dp-gaussian")]
    generators: Vec<String>,
    /// Metric profiles to time (whole profile and each metric family); a bundle (camda2026-full)
    /// stands for its profiles.
    #[arg(long, value_delimiter = ',', default_value = "camda2025")]
    profiles: Vec<String>,
    /// Runs per stage (the median is reported).
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Parameters (TOML, as in a grid's [[generators]] table) for every timed generator, e.g.
    /// 'marginals = "mst"'.
    #[arg(long, default_value = "")]
    generator_params: String,
    /// Also write the timings as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Internal: run one stage in this process and print JSON.
    #[arg(long, hide = true)]
    stage: Option<String>,
}

#[derive(Args, Debug)]
struct ScoreArgs {
    /// Directory with the real per-split files.
    #[arg(long)]
    real_dir: PathBuf,
    /// Directory with the synthetic per-split files (may equal --real-dir).
    #[arg(long)]
    synthetic_dir: PathBuf,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Metric profile (camda2025, camda2026, bio) or bundle (camda2026-full); the side table of
    /// a profile is written as <profile>_split_<k>.csv.
    #[arg(long, default_value = "camda2025")]
    profile: String,
}

const GENERATE_HELP: &str = "Examples:
  bench generate --generator private-pgm --epsilon 1 --seed 1 --real-dir kit --out submission
  bench generate --generator private-pgm --param marginals=mst --param bins=8 --epsilon 1 \\
      --real-dir kit --out submission
  bench generate --generator independent --dataset sim-brca --seed 1 --epsilon 2 --real-dir kit --out sub

Reads X_train_real_split_{k}.csv and y_train_real_split_{k}.csv (y_test for the class set, if
present) for every k found in --real-dir and writes synthetic_data_split_{k}.csv,
synthetic_labels_split_{k}.csv (label header = y_train's) and privacy/split_{k}.json to --out.
Split k uses the random streams of the bench run cell (--seed, --dataset, fold k), so a kit
exported from a grid (bench export --with-real) gives that grid's synthetic rows.

As an external generator of a grid (README \"External generators\"):
  [[generators]]
  name = \"pgm-ext\"
  kind = \"command\"
  command = [\"bench\", \"generate\", \"--generator\", \"private-pgm\", \"--request\", \"{request}\"]
  epsilons = [1]
--request reads bench's request.json (epsilon, delta, seed, dataset, split, rows, paths) and
writes the synthetic files and privacy.json where it says.";

#[derive(Args, Debug)]
struct GenerateArgs {
    /// Built-in generator kind (private-pgm, independent, multivariate, dp-gaussian, identity).
    #[arg(long)]
    generator: String,
    /// A generator parameter as in a grid's [[generators]] table (value parsed as TOML, a bare
    /// word as a string); repeatable.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// Privacy budget epsilon (required for DP kinds).
    #[arg(long, conflicts_with = "request")]
    epsilon: Option<f64>,
    /// Privacy budget delta.
    #[arg(long, default_value_t = 1e-5, conflicts_with = "request")]
    delta: f64,
    /// Seed of the random streams.
    #[arg(long, default_value_t = 1, conflicts_with = "request")]
    seed: u64,
    /// Dataset name of the random streams (the grid's dataset name reproduces its cells).
    #[arg(long, default_value = "kit", conflicts_with = "request")]
    dataset: String,
    /// Public value range lo,hi given to the generator (the grid's protocol.public_range).
    #[arg(long, value_delimiter = ',', num_args = 2, default_value = "0,20", conflicts_with = "request")]
    public_range: Vec<f64>,
    /// Kit folder with X_train_real_split_{k}.csv and y_train_real_split_{k}.csv.
    #[arg(long, required_unless_present = "request", conflicts_with = "request")]
    real_dir: Option<PathBuf>,
    /// Output folder of the submission.
    #[arg(long, required_unless_present = "request", conflicts_with = "request")]
    out: Option<PathBuf>,
    /// Answer one request.json of the external-generator protocol instead.
    #[arg(long)]
    request: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// Results directory of a grid run (the one containing cells.csv).
    results: PathBuf,
    /// Generator name (the grid's `name`).
    #[arg(long)]
    generator: String,
    /// Epsilon of the cells (`inf` for non-DP generators).
    #[arg(long)]
    epsilon: f64,
    /// Seed of the cells.
    #[arg(long)]
    seed: u64,
    /// Dataset name (needed when the grid has several).
    #[arg(long)]
    dataset: Option<String>,
    /// Output directory of the submission.
    #[arg(long)]
    out: PathBuf,
    /// Also write the real per-split files (real data: keep the folder private).
    #[arg(long)]
    with_real: bool,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// Results directory (the one containing cells.csv).
    results: PathBuf,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Results directory containing cells.csv.
    results: PathBuf,
    /// Baseline cells.csv to compare with.
    #[arg(long)]
    baseline: PathBuf,
    /// Per-metric tolerances (TOML); see README "Regression gate".
    #[arg(long)]
    tolerance_file: Option<PathBuf>,
    /// Replace the baseline with the current results instead of comparing.
    #[arg(long)]
    update: bool,
}

#[derive(Args, Debug)]
struct TolerancesArgs {
    /// Results directory of a grid run with at least 2 seeds.
    results: PathBuf,
    /// Where to write the tolerance file.
    #[arg(long)]
    out: PathBuf,
    /// Tolerance = FACTOR x pooled seed-to-seed standard deviation.
    #[arg(long, default_value_t = 0.5)]
    factor: f64,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Grid file (TOML).
    grid: PathBuf,
    /// Worker threads (default: all cores; at most 4 x the cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Results root directory.
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Rerun cells that already have results.
    #[arg(long)]
    force: bool,
    /// Print the expanded cell list and count, run nothing.
    #[arg(long)]
    dry_run: bool,
    /// No progress output.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Run only shard I of N (e.g. 2/3) and leave cells.csv and the report to `bench merge`.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<crate::runner::shard::Shard>,
}

fn parse_shard(text: &str) -> std::result::Result<crate::runner::shard::Shard, String> {
    crate::runner::shard::Shard::parse(text).map_err(|e| e.to_string())
}

#[derive(Subcommand, Debug)]
enum DatasetsCommand {
    /// List the built-in datasets.
    List,
    /// Calibration statistics of a built-in dataset, beside the real pan-cancer stand-in.
    #[command(
        after_help = "Example:\n  bench datasets describe sim-combined --seed 2\n\nThe real stand-in is read from ../shared/datasets/tcga_pancan6_rtcga_lm978/data.csv\n(or $BENCH_SHARED_DATASETS/tcga_pancan6_rtcga_lm978/data.csv) when present."
    )]
    Describe {
        /// Built-in dataset name (sim-brca, sim-combined).
        name: String,
        /// Simulator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a built-in dataset in the challenge layout (+ split YAML) or as tidy CSV.
    #[command(
        after_help = "Examples:\n  bench datasets export sim-brca --layout challenge --out data/sim\n  bench datasets export sim-combined --layout tidy --seed 3 --out data/sim"
    )]
    Export {
        /// Built-in dataset name (sim-brca, sim-combined).
        name: String,
        /// `challenge` (genes x samples TSV + meta CSV + 5-fold split YAML) or `tidy` (one CSV).
        #[arg(long, value_parser = ["challenge", "tidy"])]
        layout: String,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Simulator seed (also the split seed of the challenge layout's YAML).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// Run the command line; returns the process exit code (0 ok, 1 failed cells, 2 bad input).
pub fn main() -> i32 {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Datasets(DatasetsCommand::List) => {
            for d in crate::data::simulate::SimDataset::ALL {
                println!(
                    "{:<14} {} samples x 978 genes, {} classes (label column '{}'), simulator {}",
                    d.name(),
                    d.n_samples(),
                    d.class_counts().len(),
                    d.label_column(),
                    crate::data::simulate::SIM_VERSION
                );
            }
            Ok(0)
        }
        Command::Datasets(DatasetsCommand::Describe { name, seed }) => describe(&name, seed),
        Command::Datasets(DatasetsCommand::Export { name, layout, out, seed }) => export(&name, &layout, &out, seed),
        Command::Check(args) => check(args),
        Command::Score(args) => {
            let opts = crate::runner::score::ScoreOptions {
                real_dir: args.real_dir,
                synthetic_dir: args.synthetic_dir,
                out: args.out,
                profile: args.profile,
            };
            let summary = crate::runner::score::score(&opts)?;
            for w in &summary.warnings {
                eprintln!("warning: {w}");
            }
            eprintln!("scored splits {:?} -> {}", summary.splits, summary.results.display());
            Ok(0)
        }
        Command::Generate(args) => generate(args),
        Command::Export(args) => {
            let opts = crate::runner::synthetic_out::ExportOptions {
                results: args.results,
                dataset: args.dataset,
                generator: args.generator,
                epsilon: args.epsilon,
                seed: args.seed,
                out: args.out,
                with_real: args.with_real,
            };
            let folds = crate::runner::synthetic_out::export(&opts)?;
            eprintln!("wrote {folds} folds -> {}", opts.out.display());
            Ok(0)
        }
        Command::Report(args) => {
            let summary = crate::report::generate(&args.results)?;
            summary.print();
            Ok(0)
        }
        Command::Perf(args) => perf(args),
        Command::Merge(args) => crate::scale_cli::merge_command(&args),
        Command::Slurm(args) => crate::scale_cli::slurm_command(&args),
        Command::Tolerances(args) => {
            let text = crate::check::derive_tolerances(&args.results, args.factor)?;
            crate::io::write_atomic(&args.out, text.as_bytes())?;
            eprintln!("wrote {}", args.out.display());
            Ok(0)
        }
    }
}

fn generate(args: GenerateArgs) -> Result<i32> {
    use crate::runner::generate;
    let generator = generate::build_generator(&args.generator, &args.params)?;
    if let Some(request) = &args.request {
        generate::generate_request(generator.as_ref(), request)?;
        return Ok(0);
    }
    let (Some(real_dir), Some(out)) = (args.real_dir, args.out) else {
        unreachable!("clap requires --real-dir and --out without --request")
    };
    let [lo, hi] = args.public_range[..] else { unreachable!("clap takes two values") };
    crate::ensure!(lo.is_finite() && hi.is_finite() && lo < hi, "--public-range: expected lo,hi with lo < hi");
    let opts = generate::KitOptions {
        real_dir,
        out,
        epsilon: args.epsilon,
        delta: args.delta,
        seed: args.seed,
        dataset: args.dataset,
        public_range: (lo, hi),
    };
    let splits = generate::generate_kit(generator.as_ref(), &opts)?;
    eprintln!("generated splits {splits:?} -> {}", opts.out.display());
    Ok(0)
}

fn check(args: CheckArgs) -> Result<i32> {
    if args.update {
        crate::check::update_baseline(&args.results, &args.baseline)?;
        eprintln!("baseline {} updated from {}", args.baseline.display(), args.results.join("cells.csv").display());
        return Ok(0);
    }
    let tolerances = match &args.tolerance_file {
        Some(p) => crate::check::Tolerances::load(p)?,
        None => crate::check::Tolerances::default(),
    };
    let report = crate::check::check(&args.results, &args.baseline, &tolerances)?;
    if report.passed() {
        println!("check passed: {} metric values hold against {}", report.compared, args.baseline.display());
        Ok(0)
    } else {
        print!("{}", report.render());
        println!(
            "check FAILED: {} of {} compared values moved (or rows missing/new) against {}",
            report.findings.len(),
            report.compared,
            args.baseline.display()
        );
        Ok(1)
    }
}

fn run(args: RunArgs) -> Result<i32> {
    if let Some(jobs) = args.jobs {
        execute::check_jobs(jobs)?;
    }
    let grid = Grid::load(&args.grid)?;
    let opts = RunOptions {
        jobs: args.jobs,
        out: Some(args.out),
        force: args.force,
        dry_run: args.dry_run,
        progress: !args.quiet,
        shard: args.shard,
    };
    let summary = execute::run(&grid, &opts)?;
    if args.dry_run {
        return Ok(0);
    }
    if let Some(shard) = args.shard {
        return Ok(crate::scale_cli::report_shard(shard, &summary));
    }
    eprintln!(
        "{} cells: {} ran, {} cached, {} failed -> {}",
        summary.cells,
        summary.ran,
        summary.cached,
        summary.failures.len(),
        summary.out_dir.join("cells.csv").display()
    );
    let report = crate::report::generate(&summary.out_dir)?;
    report.print();
    for f in summary.failures.iter().take(20) {
        eprintln!("failed: {f}");
    }
    if summary.failures.len() > 20 {
        eprintln!("... and {} more failures (see cells.csv)", summary.failures.len() - 20);
    }
    Ok(if summary.failures.is_empty() { 0 } else { 1 })
}

fn perf(args: PerfArgs) -> Result<i32> {
    crate::ensure!(args.repeats >= 1, "--repeats must be at least 1");
    let generator_params: toml::Table = args
        .generator_params
        .parse()
        .map_err(|e| crate::error::Error::new(format!("--generator-params: not a TOML table: {e}")))?;
    if let Some(stage) = &args.stage {
        let timings = crate::perf::run_stage(stage, args.repeats, &generator_params)?;
        println!("{}", serde_json::to_string(&timings).expect("timings serialise"));
        return Ok(0);
    }
    let shapes = args
        .shapes
        .iter()
        .map(|s| {
            crate::data::simulate::SimDataset::from_name(s).ok_or_else(|| {
                crate::error::Error::new(format!("--shapes: unknown shape '{s}' (expected sim-brca, sim-combined)"))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; timings are only meaningful with --release");
    }
    let mut profiles = Vec::new();
    for p in &args.profiles {
        profiles.extend(
            crate::metrics::profile_members(p).map_err(|e| e.context("--profiles"))?.into_iter().map(String::from),
        );
    }
    let stages = crate::perf::stage_names(&shapes, &args.generators, &profiles);
    let timings = crate::perf::run_all(&stages, args.repeats, &args.generator_params)?;
    print!("{}", crate::perf::render(&timings));
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&timings).expect("timings serialise") + "\n";
        crate::io::write_atomic(path, text.as_bytes())?;
    }
    Ok(0)
}

fn builtin(name: &str) -> Result<crate::data::simulate::SimDataset> {
    crate::data::simulate::SimDataset::from_name(name)
        .ok_or_else(|| crate::error::Error::new(format!("unknown dataset '{name}' (built-in: sim-brca, sim-combined)")))
}

/// Where the shared real datasets are: `$BENCH_SHARED_DATASETS`, else `../shared/datasets`.
fn shared_datasets_dir() -> PathBuf {
    std::env::var_os("BENCH_SHARED_DATASETS").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("../shared/datasets"))
}

fn describe(name: &str, seed: u64) -> Result<i32> {
    use crate::data::stats::{calibration_stats, render_side_by_side};
    let which = builtin(name)?;
    let sim = crate::data::simulate::simulate(which, seed)?;
    println!("{name} (sim.v1, seed {seed}): {} samples x {} genes", sim.n_samples(), sim.n_genes());
    for (class, n) in sim.class_counts() {
        println!("  {class:<14} {n}");
    }
    let stats = calibration_stats(&sim);
    let real_path = shared_datasets_dir().join("tcga_pancan6_rtcga_lm978/data.csv");
    let left = format!("{name} seed {seed}");
    if real_path.exists() {
        let opts = crate::data::load::TidyOptions {
            id_column: "sample_id".into(),
            label_column: "label".into(),
            drop_unlabelled: false,
            na_label: None,
        };
        let real = crate::data::load::load_tidy("tcga_pancan6_rtcga_lm978", &real_path, &opts)?;
        let real_stats = calibration_stats(&real);
        println!("\nCalibration statistics (simulator.md section 3) beside the real stand-in {}:", real_path.display());
        print!("{}", render_side_by_side(&left, &stats, "pancan6 lm978 (real)", &real_stats));
    } else {
        println!(
            "\nCalibration statistics (simulator.md section 3); real stand-in not found at {}:",
            real_path.display()
        );
        for (statistic, value) in stats.rows() {
            println!("{statistic:<30} {value}");
        }
    }
    Ok(0)
}

fn export(name: &str, layout: &str, out: &std::path::Path, seed: u64) -> Result<i32> {
    let which = builtin(name)?;
    let d = crate::data::simulate::simulate(which, seed)?;
    let prefix = name.to_uppercase();
    match layout {
        "tidy" => {
            let path = out.join(format!("{name}.csv"));
            crate::data::export::export_tidy(&d, &path)?;
            eprintln!("wrote {}", path.display());
        }
        _ => {
            let files = crate::data::export::export_challenge(&d, out, &prefix)?;
            let splits = crate::data::split::stratified_kfold(&d.labels, 5, seed, crate::data::split::SplitRng::Numpy)?;
            let yaml = out.join(format!("{prefix}_splits.yaml"));
            let comment = format!("seed {seed}, k = 5, stratified k-fold (metrics.md 1.1), rng numpy");
            crate::data::split_yaml::write_splits(&yaml, &d, &splits, &comment)?;
            eprintln!("wrote {}, {} and {}", files.matrix.display(), files.meta.display(), yaml.display());
        }
    }
    Ok(0)
}
