//! The TOML grid: datasets × generators × ε × seeds × folds, with metric profiles.
//!
//! Parsing is strict: unknown keys, wrong types, empty lists, ε and δ outside their sane ranges
//! ([`super::grid_checks`]) are errors that name the file, the line and the key; TOML and serde
//! errors are put in plain words by [`super::grid_errors`]. The schema is documented in README.md and in
//! experiments/quickstart.toml.

use super::grid_checks::{check_delta, check_epsilon};
use super::grid_errors::{at_named_key, found_value, grid_toml_error, line_of, line_of_key, named_key};
use super::synthetic_out::SaveSynthetic;
use crate::data::split::SplitRng;
use crate::error::{Error, Result};
use crate::generators::{self, Generator};
use crate::metrics;
use crate::privacy::accountant::Budget;
use crate::{bail, ensure};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A parsed, validated grid.
pub struct Grid {
    /// Results go to `<out>/<name>/`; defaults to the file stem.
    pub name: String,
    /// The grid file as read (copied into the results directory).
    pub text: String,
    /// Directory of the grid file: relative paths in it are resolved from here.
    pub base_dir: PathBuf,
    /// The metric profiles, bundles (`camda2026-full`) expanded to their members, in order.
    pub profiles: Vec<String>,
    pub protocol: Protocol,
    pub datasets: Vec<DatasetSpec>,
    pub generators: Vec<GeneratorSpec>,
}

/// How data is split and which seeds run.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    #[serde(default = "default_folds")]
    pub folds: usize,
    #[serde(default = "default_seeds")]
    pub seeds: Vec<u64>,
    #[serde(default)]
    pub split_rng: SplitRng,
    /// Public value range `[lo, hi]` given to generators (DP clipping, DP bin edges).
    #[serde(default = "default_public_range")]
    pub public_range: [f64; 2],
}

fn default_folds() -> usize {
    5
}
fn default_seeds() -> Vec<u64> {
    vec![1]
}
fn default_public_range() -> [f64; 2] {
    [0.0, 20.0]
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol {
            folds: default_folds(),
            seeds: default_seeds(),
            split_rng: SplitRng::default(),
            public_range: default_public_range(),
        }
    }
}

/// Where a dataset comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum DatasetSource {
    /// A built-in simulator (`sim-brca`, `sim-combined`) with its seed and optional gene names.
    Simulator { simulator: String, seed: u64, gene_names: Option<PathBuf> },
    /// Challenge layout: genes × samples TSV + meta CSV.
    Challenge { matrix: PathBuf, meta: PathBuf, sample_column: String, label_column: String },
    /// Tidy samples × genes CSV.
    Tidy { path: PathBuf, id_column: String, label_column: String },
}

/// One `[[datasets]]` entry.
#[derive(Clone, Debug)]
pub struct DatasetSpec {
    pub name: String,
    pub source: DatasetSource,
    pub drop_unlabelled: bool,
    pub na_label: Option<String>,
    /// Optional split YAML (challenge layout); otherwise stratified k-fold per seed.
    pub splits: Option<PathBuf>,
    /// Which published table is shown as context in the report (`BRCA`, `COMBINED`).
    pub reference: Option<String>,
}

/// One `[[generators]]` entry.
pub struct GeneratorSpec {
    pub name: String,
    pub kind: String,
    /// The kind's own parameters (everything but name, kind, epsilons, delta).
    pub params: toml::Table,
    /// ε values for DP generators; `None` for non-DP generators.
    pub epsilons: Option<Vec<f64>>,
    pub delta: Option<f64>,
    pub generator: Box<dyn Generator>,
    /// Whether its cells' synthetic sets are written (the entry's `save_synthetic`, else the
    /// grid's; see `synthetic_out`).
    pub save_synthetic: SaveSynthetic,
    /// Wall-clock limit of each cell's fit + sample in seconds (the entry's `timeout`, else the
    /// grid's; `None`: no limit). Not part of the cell hash: only finished cells are cached.
    pub timeout: Option<f64>,
}

impl GeneratorSpec {
    /// The budgets this generator runs at: one per ε, or one non-private run.
    pub fn budgets(&self) -> Vec<Budget> {
        match (&self.epsilons, self.delta) {
            (Some(eps), Some(delta)) => eps.iter().map(|&epsilon| Budget::Dp { epsilon, delta }).collect(),
            _ => vec![Budget::NonPrivate],
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GridFile {
    name: Option<String>,
    #[serde(default = "default_metrics")]
    metrics: Vec<String>,
    #[serde(default)]
    protocol: Protocol,
    datasets: Vec<toml::Spanned<DatasetEntry>>,
    generators: Vec<toml::Spanned<toml::Table>>,
    /// `true`, `false` or `"gz"`: write every cell's synthetic set (README "Synthetic output").
    save_synthetic: Option<toml::Value>,
    /// Seconds each cell's fit + sample may take (README "Timeouts").
    timeout: Option<toml::Value>,
}

fn default_metrics() -> Vec<String> {
    vec!["camda2025".into()]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetEntry {
    name: String,
    format: Option<String>,
    // simulator
    simulator: Option<String>,
    seed: Option<u64>,
    gene_names: Option<PathBuf>,
    // challenge
    matrix: Option<PathBuf>,
    meta: Option<PathBuf>,
    sample_column: Option<String>,
    // tidy
    path: Option<PathBuf>,
    id_column: Option<String>,
    // both file layouts
    label_column: Option<String>,
    #[serde(default)]
    drop_unlabelled: bool,
    na_label: Option<String>,
    splits: Option<PathBuf>,
    reference: Option<String>,
}

impl Grid {
    /// Read and validate a grid file.
    pub fn load(path: &Path) -> Result<Grid> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(format!("cannot read grid file {}: {e}", path.display())))?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "grid".into());
        Grid::parse(&text, &stem, &base_dir).map_err(|e| e.context(path.display()))
    }

    /// The grid copied into a results directory by `bench run` (`<results>/grid.toml`), with
    /// relative paths resolved from the original grid's directory (`grid_dir` of manifest.json).
    pub fn load_copy(results: &Path) -> Result<Grid> {
        let manifest_path = results.join("manifest.json");
        let manifest = std::fs::read_to_string(&manifest_path).map_err(|e| {
            Error::new(format!("cannot read {}: {e} (is this a results directory?)", manifest_path.display()))
        })?;
        let manifest: serde_json::Value = serde_json::from_str(&manifest)
            .map_err(|e| Error::new(format!("{}: not valid JSON: {e}", manifest_path.display())))?;
        let path = results.join("grid.toml");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::new(format!("cannot read grid file {}: {e}", path.display())))?;
        let base_dir = manifest["grid_dir"].as_str().map(PathBuf::from).unwrap_or_else(|| results.to_path_buf());
        let name = manifest["grid"].as_str().unwrap_or("grid").to_string();
        Grid::parse(&text, &name, &base_dir).map_err(|e| e.context(path.display()))
    }

    /// Parse grid text; `default_name` is used when the grid has no `name`.
    pub fn parse(text: &str, default_name: &str, base_dir: &Path) -> Result<Grid> {
        let file: GridFile = toml::from_str(text).map_err(|e| grid_toml_error(text, &e))?;
        let located = |e: Error| at_named_key(text, e);
        let name = file.name.unwrap_or_else(|| default_name.to_string());
        check_grid_name(&name).map_err(located)?;
        let protocol = file.protocol;
        validate_protocol(&protocol).map_err(located)?;
        let profiles = profile_names(&file.metrics).map_err(located)?;
        let has_entries = || -> Result<()> {
            ensure!(!file.datasets.is_empty(), "key 'datasets': at least one [[datasets]] entry is required");
            ensure!(!file.generators.is_empty(), "key 'generators': at least one [[generators]] entry is required");
            Ok(())
        };
        has_entries().map_err(located)?;
        let mut datasets = Vec::new();
        for (i, entry) in file.datasets.into_iter().enumerate() {
            let line = line_of(text, entry.span().start);
            let spec =
                dataset_spec(entry.into_inner(), base_dir).map_err(|e| entry_error(text, "datasets", i, line, e))?;
            ensure!(
                !datasets.iter().any(|d: &DatasetSpec| d.name == spec.name),
                "line {line}: datasets[{i}]: dataset name '{}' used twice",
                spec.name
            );
            datasets.push(spec);
        }
        let save_synthetic = file
            .save_synthetic
            .as_ref()
            .map(SaveSynthetic::from_toml)
            .transpose()
            .map_err(located)?
            .unwrap_or_default();
        let timeout = file
            .timeout
            .as_ref()
            .map(|v| parse_timeout(v).map_err(|e| located(e.context("key 'timeout'"))))
            .transpose()?;
        let mut generators = Vec::new();
        for (i, entry) in file.generators.into_iter().enumerate() {
            let line = line_of(text, entry.span().start);
            let spec = generator_spec(entry.into_inner(), save_synthetic, timeout)
                .map_err(|e| entry_error(text, "generators", i, line, e))?;
            ensure!(
                !generators.iter().any(|g: &GeneratorSpec| g.name == spec.name),
                "line {line}: generators[{i}]: generator name '{}' used twice",
                spec.name
            );
            generators.push(spec);
        }
        Ok(Grid {
            name,
            text: text.to_string(),
            base_dir: base_dir.to_path_buf(),
            profiles,
            protocol,
            datasets,
            generators,
        })
    }
}

fn check_grid_name(name: &str) -> Result<()> {
    ensure!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
        "key 'name': '{name}' must be non-empty and use only letters, digits, '-', '_' and '.'"
    );
    Ok(())
}

/// The profiles of the `metrics` list, composite names expanded (each profile once; errors
/// name the item, `key 'metrics[i]'`).
fn profile_names(metrics_list: &[String]) -> Result<Vec<String>> {
    ensure!(!metrics_list.is_empty(), "key 'metrics': list is empty (expected e.g. [\"camda2025\"])");
    let mut profiles: Vec<String> = Vec::new();
    for (i, m) in metrics_list.iter().enumerate() {
        for name in metrics::profile_members(m).map_err(|e| e.context(format!("key 'metrics[{i}]'")))? {
            let via = if name == m { String::new() } else { format!(" (via '{m}')") };
            ensure!(!profiles.iter().any(|p| p == name), "key 'metrics[{i}]': profile '{name}' listed twice{via}");
            profiles.push(name.to_string());
        }
    }
    Ok(profiles)
}

/// An error of entry `list[i]` (starting at line `line`) prefixed with the line of the key it
/// names, when it names one, else with the entry's line.
fn entry_error(text: &str, list: &str, i: usize, line: usize, e: Error) -> Error {
    let key_line = named_key(e.message()).and_then(|k| line_of_key(text, &format!("{list}[{i}].{k}")));
    e.context(format!("line {}: {list}[{i}]", key_line.unwrap_or(line)))
}

fn validate_protocol(p: &Protocol) -> Result<()> {
    ensure!(p.folds >= 2, "key 'protocol.folds': must be at least 2, got {}", p.folds);
    ensure!(!p.seeds.is_empty(), "key 'protocol.seeds': list is empty (expected e.g. [1])");
    for (i, s) in p.seeds.iter().enumerate() {
        ensure!(!p.seeds[..i].contains(s), "key 'protocol.seeds': seed {s} listed twice");
    }
    let [lo, hi] = p.public_range;
    ensure!(
        lo.is_finite() && hi.is_finite() && lo < hi,
        "key 'protocol.public_range': expected [lo, hi] with lo < hi, got [{lo}, {hi}]"
    );
    Ok(())
}

fn dataset_spec(e: DatasetEntry, base_dir: &Path) -> Result<DatasetSpec> {
    ensure!(
        !e.name.is_empty() && !e.name.contains(['/', '\\']) && !e.name.contains("__"),
        "key 'name': '{}' must be non-empty, without '/', '\\' or '__'",
        e.name
    );
    let builtin = crate::data::simulate::SimDataset::from_name(&e.name).is_some();
    let format =
        e.format.clone().unwrap_or_else(|| if builtin || e.simulator.is_some() { "simulator" } else { "" }.into());
    let resolve = |p: &PathBuf| if p.is_absolute() { p.clone() } else { base_dir.join(p) };
    let unexpected = |keys: &[(&str, bool)], format: &str| -> Result<()> {
        for (k, present) in keys {
            ensure!(!present, "key '{k}' does not apply to format = \"{format}\"");
        }
        Ok(())
    };
    let source = match format.as_str() {
        "simulator" => {
            unexpected(
                &[
                    ("matrix", e.matrix.is_some()),
                    ("meta", e.meta.is_some()),
                    ("path", e.path.is_some()),
                    ("sample_column", e.sample_column.is_some()),
                    ("id_column", e.id_column.is_some()),
                    ("label_column", e.label_column.is_some()),
                    ("na_label", e.na_label.is_some()),
                    ("drop_unlabelled", e.drop_unlabelled),
                ],
                "simulator",
            )?;
            let simulator = e.simulator.clone().unwrap_or_else(|| e.name.clone());
            ensure!(
                crate::data::simulate::SimDataset::from_name(&simulator).is_some(),
                "key 'simulator': unknown simulator '{simulator}' (expected sim-brca or sim-combined)"
            );
            DatasetSource::Simulator {
                simulator,
                seed: e.seed.unwrap_or(1),
                gene_names: e.gene_names.as_ref().map(resolve),
            }
        }
        "challenge" => {
            unexpected(
                &[
                    ("simulator", e.simulator.is_some()),
                    ("seed", e.seed.is_some()),
                    ("gene_names", e.gene_names.is_some()),
                    ("path", e.path.is_some()),
                    ("id_column", e.id_column.is_some()),
                ],
                "challenge",
            )?;
            let matrix =
                e.matrix.as_ref().ok_or_else(|| Error::new("key 'matrix' is required for format = \"challenge\""))?;
            let meta =
                e.meta.as_ref().ok_or_else(|| Error::new("key 'meta' is required for format = \"challenge\""))?;
            let label_column = e.label_column.clone().ok_or_else(|| {
                Error::new(
                    "key 'label_column' is required for format = \"challenge\" (e.g. \"Subtype\" or \"cancer_type\")",
                )
            })?;
            DatasetSource::Challenge {
                matrix: resolve(matrix),
                meta: resolve(meta),
                sample_column: e.sample_column.clone().unwrap_or_else(|| "samplesID".into()),
                label_column,
            }
        }
        "tidy" => {
            unexpected(
                &[
                    ("simulator", e.simulator.is_some()),
                    ("seed", e.seed.is_some()),
                    ("gene_names", e.gene_names.is_some()),
                    ("matrix", e.matrix.is_some()),
                    ("meta", e.meta.is_some()),
                    ("sample_column", e.sample_column.is_some()),
                ],
                "tidy",
            )?;
            let path = e.path.as_ref().ok_or_else(|| Error::new("key 'path' is required for format = \"tidy\""))?;
            DatasetSource::Tidy {
                path: resolve(path),
                id_column: e.id_column.clone().unwrap_or_else(|| "sample_id".into()),
                label_column: e.label_column.clone().unwrap_or_else(|| "label".into()),
            }
        }
        "" => bail!(
            "key 'format' is required for dataset '{}' (expected \"simulator\", \"challenge\" or \"tidy\")",
            e.name
        ),
        other => bail!("key 'format': unknown format '{other}' (expected \"simulator\", \"challenge\" or \"tidy\")"),
    };
    let reference = match &e.reference {
        Some(r) => {
            ensure!(r == "BRCA" || r == "COMBINED", "key 'reference': expected \"BRCA\" or \"COMBINED\", got '{r}'");
            Some(r.clone())
        }
        None => match &source {
            DatasetSource::Simulator { simulator, .. } if simulator == "sim-brca" => Some("BRCA".into()),
            DatasetSource::Simulator { simulator, .. } if simulator == "sim-combined" => Some("COMBINED".into()),
            _ => None,
        },
    };
    Ok(DatasetSpec {
        name: e.name,
        source,
        drop_unlabelled: e.drop_unlabelled,
        na_label: e.na_label,
        splits: e.splits.as_ref().map(resolve),
        reference,
    })
}

/// A `timeout` value: a finite number of seconds > 0.
fn parse_timeout(value: &toml::Value) -> Result<f64> {
    match number(value) {
        Some(t) if t.is_finite() && t > 0.0 => Ok(t),
        _ => bail!("expected a number of seconds > 0, got {value}"),
    }
}

fn generator_spec(
    mut table: toml::Table,
    save_default: SaveSynthetic,
    timeout_default: Option<f64>,
) -> Result<GeneratorSpec> {
    let name = take_string(&mut table, "name")?;
    ensure!(
        !name.is_empty() && !name.contains(['/', '\\']) && !name.contains("__"),
        "key 'name': '{name}' must be non-empty, without '/', '\\' or '__'"
    );
    let kind = take_string(&mut table, "kind")?;
    let epsilons = table.remove("epsilons");
    let delta = table.remove("delta");
    let save_synthetic = match table.remove("save_synthetic") {
        Some(v) => SaveSynthetic::from_toml(&v).map_err(|e| e.context(format!("generator '{name}'")))?,
        None => save_default,
    };
    let timeout = match table.remove("timeout") {
        Some(v) => Some(parse_timeout(&v).map_err(|e| e.context(format!("generator '{name}': key 'timeout'")))?),
        None => timeout_default,
    };
    let generator = generators::build(&kind, &table).map_err(|e| e.context(format!("generator '{name}'")))?;
    let (epsilons, delta) = if generator.is_dp() {
        let eps_value = epsilons.ok_or_else(|| {
            Error::new(format!(
                "generator '{name}': key 'epsilons' is required for DP kind '{kind}' (e.g. epsilons = [1, 5])"
            ))
        })?;
        let eps = parse_epsilons(&name, &eps_value)?;
        let delta = match delta {
            None => 1e-5,
            Some(v) => number(&v).ok_or_else(|| {
                Error::new(format!("generator '{name}': key 'delta': expected a number, found {}", found_value(&v)))
            })?,
        };
        check_delta("delta", delta).map_err(|e| e.context(format!("generator '{name}'")))?;
        (Some(eps), Some(delta))
    } else {
        ensure!(
            epsilons.is_none() && delta.is_none(),
            "generator '{name}': kind '{kind}' is not differentially private; remove 'epsilons'/'delta' (it runs once with epsilon = inf)"
        );
        (None, None)
    };
    Ok(GeneratorSpec { name, kind, params: table, epsilons, delta, generator, save_synthetic, timeout })
}

fn parse_epsilons(name: &str, value: &toml::Value) -> Result<Vec<f64>> {
    let list = value.as_array().ok_or_else(|| {
        Error::new(format!(
            "generator '{name}': key 'epsilons': expected a list of numbers, found {}",
            found_value(value)
        ))
    })?;
    ensure!(!list.is_empty(), "generator '{name}': key 'epsilons' is empty (expected e.g. [1, 5])");
    let mut out: Vec<f64> = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let eps = number(v).ok_or_else(|| {
            Error::new(format!("generator '{name}': key 'epsilons[{i}]': expected a number, found {}", found_value(v)))
        })?;
        check_epsilon(&format!("epsilons[{i}]"), eps).map_err(|e| e.context(format!("generator '{name}'")))?;
        ensure!(!out.contains(&eps), "generator '{name}': key 'epsilons[{i}]': epsilon {eps} listed twice");
        out.push(eps);
    }
    Ok(out)
}

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

fn take_string(table: &mut toml::Table, key: &str) -> Result<String> {
    match table.remove(key) {
        Some(toml::Value::String(s)) => Ok(s),
        Some(other) => bail!("key '{key}': expected a string, found {}", found_value(&other)),
        None => bail!("key '{key}' is required"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
name = "t"
[protocol]
folds = 3
seeds = [1, 2]
[[datasets]]
name = "sim-brca"
[[generators]]
name = "id"
kind = "identity"
"#;

    fn err(text: &str) -> String {
        match Grid::parse(text, "g", Path::new(".")) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_a_minimal_grid() {
        let g = Grid::parse(OK, "x", Path::new(".")).unwrap();
        assert_eq!(g.name, "t");
        assert_eq!(g.protocol.seeds, vec![1, 2]);
        assert_eq!(g.profiles, vec!["camda2025"]);
        assert!(matches!(&g.datasets[0].source, DatasetSource::Simulator { seed: 1, .. }));
        assert_eq!(g.generators[0].budgets(), vec![Budget::NonPrivate]);
    }

    #[test]
    fn bundle_names_expand_to_their_profiles() {
        let with = |metrics: &str| OK.replacen("[protocol]", &format!("metrics = {metrics}\n[protocol]"), 1);
        let g = Grid::parse(&with(r#"["camda2025", "camda2026-full"]"#), "x", Path::new(".")).unwrap();
        let mut want = vec!["camda2025"];
        want.extend(crate::metrics::profile_members("camda2026-full").unwrap());
        assert_eq!(g.profiles, want);
        let e = err(&with(r#"["bio", "camda2026-full"]"#));
        assert_eq!(e, "line 3: key 'metrics[1]': profile 'bio' listed twice (via 'camda2026-full')");
    }

    #[test]
    fn errors_name_the_key_and_line() {
        let e = err(&OK.replace("folds = 3", "folds = 3\nfoldz = 2"));
        assert!(e.contains("line 5") && e.contains("foldz"), "{e}");
        let e = err(&OK.replace("kind = \"identity\"", "kind = \"nope\""));
        assert!(e.contains("generators[0]") && e.contains("unknown generator kind 'nope'"), "{e}");
        let e = err(&OK.replace("seeds = [1, 2]", "seeds = []"));
        assert!(e.contains("protocol.seeds"), "{e}");
        let e = err(&OK.replace("kind = \"identity\"", "kind = \"identity\"\nepsilons = [1]"));
        assert!(e.contains("not differentially private"), "{e}");
        let e = err("[[datasets]\n");
        assert!(e.contains("line 1"), "{e}");
        let e = err(&OK.replace("kind = \"identity\"", "kind = \"identity\"\ntimeout = 0"));
        assert!(e.contains("generator 'id': key 'timeout': expected a number of seconds > 0, got 0"), "{e}");
        let e = err(&format!("timeout = \"1h\"\n{OK}"));
        assert!(e.starts_with("line 1: key 'timeout': expected a number of seconds > 0"), "{e}");
        let e = err(&OK.replace("name = \"sim-brca\"", "name = \"mine\"\nformat = \"tidy\""));
        assert!(e.contains("key 'path' is required"), "{e}");
    }

    /// Grid-wide checks after parsing say the line of the key they name, as the parser does.
    #[test]
    fn grid_wide_errors_name_their_line() {
        let no_generators = OK.replace("[[generators]]\nname = \"id\"\nkind = \"identity\"\n", "");
        let e = err(&format!("generators = []\n{no_generators}"));
        assert_eq!(e, "line 1: key 'generators': at least one [[generators]] entry is required");
        let e = err(&format!("metrics = []\n{OK}"));
        assert_eq!(e, "line 1: key 'metrics': list is empty (expected e.g. [\"camda2025\"])");
        let e = err(&format!("metrics = [\n  \"camda2025\",\n  \"nope\",\n]\n{OK}"));
        assert!(e.starts_with("line 3: key 'metrics[1]': unknown metric profile 'nope'"), "{e}");
        let e = err(&OK.replace("name = \"t\"", "name = \"a b\""));
        assert!(e.starts_with("line 2: key 'name': 'a b' must be non-empty"), "{e}");
        let e = err(&format!("save_synthetic = 3\n{OK}"));
        assert!(e.starts_with("line 1: key 'save_synthetic': expected true, false"), "{e}");
    }
}
