//! `cells.csv` and `timings.csv`: written and read by header name with the `csv` crate and
//! serde. A row of cells.csv is [`KeyColumns`] + [`StateColumns`] + [`CellFacts`] + the metric
//! columns (the union of the run's profiles' columns, in profile order) + [`TrailingColumns`];
//! timings.csv is [`KeyColumns`] + status + times.

use super::record::{CellFacts, CellKey, CellRecord, CellRow, Phase, Status};
use super::text::{f64_text, opt_f64_text};
use crate::error::{Error, Result};
use crate::io::csv::{read_text, CsvReader};
use crate::io::{fmt_f64, parse_f64, write_atomic};
use crate::{bail, ensure};
use csv::StringRecord;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The columns of `cells.csv` before the metric columns, in order: the fields of
/// [`KeyColumns`], [`StateColumns`] and [`CellFacts`] (a test checks that they agree). The first
/// [`KEY_COLUMN_COUNT`] identify the cell and also lead `timings.csv`.
pub const LEADING_COLUMNS: [&str; 24] = [
    "dataset",
    "dataset_source",
    "generator",
    "kind",
    "params_hash",
    "epsilon",
    "delta",
    "seed",
    "fold",
    "profile",
    "profile_version",
    "status",
    "error_phase",
    "error",
    "dp",
    "end_to_end_dp",
    "rho_spent",
    "epsilon_spent",
    "budget_split",
    "non_private_steps",
    "warnings",
    "n_train",
    "n_test",
    "n_synthetic",
];
/// How many of [`LEADING_COLUMNS`] identify a cell.
pub const KEY_COLUMN_COUNT: usize = 9;
/// The columns of `cells.csv` after the metric columns: the fields of [`TrailingColumns`].
pub const TRAILING_COLUMNS: [&str; 2] = ["nan_reasons", "bench_version"];
/// The columns of `timings.csv` after the key columns.
const TIMING_COLUMNS: [&str; 5] = ["status", "fit_seconds", "sample_seconds", "score_seconds", "peak_rss_mb"];

/// Whether a metric column is declared text-valued (e.g. `mia_worst_aucroc_attack`); columns no
/// metric family declares are read as numbers.
fn is_text_column(name: &str) -> bool {
    crate::metrics::resolve_column(name).is_ok_and(|spec| spec.kind == crate::metrics::ValueKind::Text)
}

/// Whether a `cells.csv` column holds a metric value.
pub fn is_metric_column(name: &str) -> bool {
    !name.is_empty() && !LEADING_COLUMNS.contains(&name) && !TRAILING_COLUMNS.contains(&name)
}

/// The columns that identify a cell.
#[derive(Serialize, Deserialize)]
struct KeyColumns {
    dataset: String,
    dataset_source: String,
    generator: String,
    kind: String,
    params_hash: String,
    #[serde(with = "f64_text")]
    epsilon: f64,
    #[serde(with = "opt_f64_text")]
    delta: Option<f64>,
    seed: u64,
    fold: usize,
}

/// Profile and status columns of a cells.csv row ([`CellFacts`] follow them).
#[derive(Serialize, Deserialize)]
struct StateColumns {
    profile: String,
    profile_version: String,
    status: String,
    error_phase: String,
    error: String,
}

#[derive(Serialize, Deserialize)]
struct TrailingColumns {
    nan_reasons: String,
    bench_version: String,
}

/// timings.csv after the key columns; times with 4 decimals.
#[derive(Serialize)]
struct TimingColumns<'a> {
    status: &'a str,
    fit_seconds: String,
    sample_seconds: String,
    score_seconds: String,
    peak_rss_mb: String,
}

impl KeyColumns {
    /// The key columns of a cell: its [`CellKey`] with the dataset's source after its name.
    fn new(key: CellKey, dataset_source: String) -> KeyColumns {
        let CellKey { dataset, generator, kind, params_hash, epsilon, delta, seed, fold } = key;
        KeyColumns { dataset, dataset_source, generator, kind, params_hash, epsilon, delta, seed, fold }
    }

    /// The [`CellKey`] and the dataset source.
    fn split(self) -> (CellKey, String) {
        let KeyColumns { dataset, dataset_source, generator, kind, params_hash, epsilon, delta, seed, fold } = self;
        (CellKey { dataset, generator, kind, params_hash, epsilon, delta, seed, fold }, dataset_source)
    }
}

/// Split a typed row into its column groups (the metric values as text).
fn to_columns(r: CellRow) -> (KeyColumns, StateColumns, CellFacts, Vec<String>, TrailingColumns) {
    let state = StateColumns {
        profile: r.profile,
        profile_version: r.profile_version,
        status: r.status.label().to_string(),
        error_phase: r.status.phase().map(Phase::as_str).unwrap_or_default().to_string(),
        error: r.status.message(),
    };
    let values = r
        .values
        .into_iter()
        .zip(r.labels)
        .map(|(v, label)| label.unwrap_or_else(|| v.map(fmt_f64).unwrap_or_default()))
        .collect();
    let trailing = TrailingColumns { nan_reasons: r.nan_reasons, bench_version: r.bench_version };
    (KeyColumns::new(r.key, r.dataset_source), state, r.facts, values, trailing)
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the CSV writer copies UTF-8 text")
}

fn sorted<'r>(records: &[&'r CellRecord]) -> Vec<&'r CellRecord> {
    let mut sorted = records.to_vec();
    sorted.sort_by(|a, b| a.key.cmp_key(&b.key));
    sorted
}

/// Render `cells.csv`: one row per cell × profile, sorted by cell key then profile order.
/// `metric_columns` is the union of all profiles' columns in output order.
pub fn render_cells_csv(records: &[&CellRecord], profiles: &[(String, String)], metric_columns: &[String]) -> String {
    let mut w = writer();
    let header =
        LEADING_COLUMNS.iter().copied().chain(metric_columns.iter().map(String::as_str)).chain(TRAILING_COLUMNS);
    w.write_record(header).expect("writing to memory cannot fail");
    for r in sorted(records) {
        for row in r.rows(profiles, metric_columns) {
            w.serialize(to_columns(row)).expect("a cells.csv row serialises");
        }
    }
    finish(w)
}

/// Render `timings.csv`: key columns + status + times + memory, in the row order of cells.csv.
pub fn render_timings_csv(records: &[&CellRecord]) -> String {
    let mut w = writer();
    let header = LEADING_COLUMNS[..KEY_COLUMN_COUNT].iter().copied().chain(TIMING_COLUMNS);
    w.write_record(header).expect("writing to memory cannot fail");
    for r in sorted(records) {
        let t = &r.timings;
        let fixed4 = |v: f64| format!("{v:.4}");
        let times = TimingColumns {
            status: r.status.label(),
            fit_seconds: fixed4(t.fit_seconds),
            sample_seconds: fixed4(t.sample_seconds),
            score_seconds: fixed4(t.score_seconds),
            peak_rss_mb: fixed4(t.peak_rss_mb),
        };
        w.serialize((KeyColumns::new(r.key.clone(), r.dataset_source.clone()), times))
            .expect("a timings.csv row serialises");
    }
    finish(w)
}

/// Write cells.csv and timings.csv atomically.
pub fn write_results(
    dir: &Path,
    records: &[&CellRecord],
    profiles: &[(String, String)],
    metric_columns: &[String],
) -> Result<()> {
    write_atomic(&dir.join("cells.csv"), render_cells_csv(records, profiles, metric_columns).as_bytes())?;
    write_atomic(&dir.join("timings.csv"), render_timings_csv(records).as_bytes())
}

/// `cells.csv`, parsed and validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Cells {
    /// Metric columns in file order.
    pub metric_columns: Vec<String>,
    pub rows: Vec<CellRow>,
    /// The line of each row in the file (for messages).
    pub lines: Vec<usize>,
}

impl Cells {
    /// Read and validate `path`. Errors name the file, the line and the column.
    pub fn read(path: &Path) -> Result<Cells> {
        if !path.exists() {
            bail!("{}: file not found (a results directory written by `bench run` has one)", path.display());
        }
        Cells::parse(&read_text(path)?, &path.display().to_string())
    }

    /// Parse the text of a cells.csv named `what` in errors. Columns are found by name.
    pub fn parse(text: &str, what: &str) -> Result<Cells> {
        let mut reader = CsvReader::new(text, b',', Path::new(what));
        let mut header = StringRecord::new();
        let Some(_) = reader.next_record(&mut header)? else {
            bail!("{what}: the file is empty (expected a header line)")
        };
        for (i, name) in header.iter().enumerate() {
            ensure!(!name.is_empty(), "{what}: line 1: column {} has an empty name", i + 1);
            ensure!(!header.iter().take(i).any(|h| h == name), "{what}: line 1: column '{name}' appears twice");
        }
        for name in LEADING_COLUMNS.iter().chain(&TRAILING_COLUMNS) {
            ensure!(
                header.iter().any(|h| h == *name),
                "{what}: line 1: missing column '{name}' (see the results-format contract)"
            );
        }
        let metric_index: Vec<usize> = (0..header.len()).filter(|&i| is_metric_column(&header[i])).collect();
        let text_columns: Vec<bool> = metric_index.iter().map(|&i| is_text_column(&header[i])).collect();
        let mut cells = Cells {
            metric_columns: metric_index.iter().map(|&i| header[i].to_string()).collect(),
            rows: Vec::new(),
            lines: Vec::new(),
        };
        let mut record = StringRecord::new();
        while let Some(line) = reader.next_record(&mut record)? {
            ensure!(
                record.len() == header.len(),
                "{what}: line {line}: {} fields, expected {} as in the header",
                record.len(),
                header.len()
            );
            let at = |name: &str| format!("{what}: line {line}, column '{name}'");
            cells.rows.push(parse_row(&record, &header, &metric_index, &text_columns, &at)?);
            cells.lines.push(line);
        }
        Ok(cells)
    }
}

/// The first typed leading column whose text does not parse (the crate's error does not say
/// which field a custom number parser rejected).
fn malformed_column<'h>(record: &StringRecord, header: &'h StringRecord) -> Option<&'h str> {
    type Parses = fn(&str) -> bool;
    let number: Parses = |s| parse_f64(s).is_some();
    let optional_number: Parses = |s| s.is_empty() || parse_f64(s).is_some();
    let count: Parses = |s| s.parse::<u64>().is_ok();
    let optional_count: Parses = |s| s.is_empty() || s.parse::<u64>().is_ok();
    let optional_flag: Parses = |s| matches!(s, "" | "true" | "false");
    let checks = [
        ("epsilon", number),
        ("delta", optional_number),
        ("seed", count),
        ("fold", count),
        ("dp", optional_flag),
        ("end_to_end_dp", optional_flag),
        ("rho_spent", optional_number),
        ("epsilon_spent", optional_number),
        ("n_train", count),
        ("n_test", count),
        ("n_synthetic", optional_count),
    ];
    checks.iter().find_map(|(name, ok)| {
        let i = header.iter().position(|h| h == *name)?;
        (!ok(record.get(i)?)).then(|| &header[i])
    })
}

/// One typed row from a record; `at(column)` locates a field for messages.
fn parse_row(
    record: &StringRecord,
    header: &StringRecord,
    metric_index: &[usize],
    text_columns: &[bool],
    at: &dyn Fn(&str) -> String,
) -> Result<CellRow> {
    let columns = |e: csv::Error| -> Error {
        match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => {
                let name = err
                    .field()
                    .and_then(|i| header.get(i as usize))
                    .or_else(|| malformed_column(record, header))
                    .unwrap_or("?");
                Error::new(format!("{}: {}", at(name), err.kind()))
            }
            _ => Error::new(format!("{}: {e}", at("?"))),
        }
    };
    let key: KeyColumns = record.deserialize(Some(header)).map_err(columns)?;
    let state: StateColumns = record.deserialize(Some(header)).map_err(columns)?;
    let facts: CellFacts = record.deserialize(Some(header)).map_err(columns)?;
    let trailing: TrailingColumns = record.deserialize(Some(header)).map_err(columns)?;
    for (name, value) in
        [("dataset", &key.dataset), ("dataset_source", &key.dataset_source), ("generator", &key.generator)]
    {
        ensure!(!value.is_empty(), "{}: must not be empty", at(name));
    }
    ensure!(
        key.epsilon.partial_cmp(&0.0) == Some(std::cmp::Ordering::Greater),
        "{}: expected a positive number or inf, got '{}'",
        at("epsilon"),
        fmt_f64(key.epsilon)
    );
    let status = match state.status.as_str() {
        "ok" | "error" | "timeout" => {
            if Phase::parse(&state.error_phase).is_none() && state.status != "ok" {
                bail!("{}: expected fit, sample, score or write, got '{}'", at("error_phase"), state.error_phase);
            }
            Status::parse(&state.status, &state.error_phase, &state.error).ok_or_else(|| {
                Error::new(format!(
                    "{}: expected 'timed out after <seconds> s (timeout <seconds> s)', got '{}'",
                    at("error"),
                    state.error
                ))
            })?
        }
        other => bail!("{}: expected 'ok', 'error' or 'timeout', got '{other}'", at("status")),
    };
    let labels: Vec<Option<String>> = metric_index
        .iter()
        .zip(text_columns)
        .map(|(&i, &text)| (text && !record[i].is_empty()).then(|| record[i].to_string()))
        .collect();
    let values = metric_index
        .iter()
        .zip(text_columns)
        .map(|(&i, &text)| match &record[i] {
            _ if text => Ok(None),
            "" => Ok(None),
            s => match parse_f64(s) {
                Some(v) => Ok(Some(v)),
                None => bail!("{}: expected a number, NaN or empty, got '{s}'", at(&header[i])),
            },
        })
        .collect::<Result<Vec<_>>>()?;
    let (key, dataset_source) = key.split();
    Ok(CellRow {
        key,
        dataset_source,
        profile: state.profile,
        profile_version: state.profile_version,
        status,
        facts,
        values,
        labels,
        nan_reasons: trailing.nan_reasons,
        bench_version: trailing.bench_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CellKey, ProfileRow, Timings};

    fn record(epsilon: f64, status: Status) -> CellRecord {
        CellRecord {
            hash: "h".into(),
            key: CellKey {
                dataset: "d".into(),
                generator: "g".into(),
                kind: "k".into(),
                params_hash: "p".into(),
                epsilon,
                delta: epsilon.is_finite().then_some(1e-5),
                seed: 1,
                fold: 2,
            },
            dataset_source: "sim.v1 seed=1".into(),
            facts: CellFacts {
                dp: status.is_ok().then_some(true),
                end_to_end_dp: status.is_ok().then_some(false),
                rho_spent: Some(0.1),
                epsilon_spent: None,
                budget_split: "a=1".into(),
                non_private_steps: "x;y".into(),
                warnings: String::new(),
                n_train: 8,
                n_test: 2,
                n_synthetic: Some(8),
            },
            status,
            profiles: vec![ProfileRow {
                profile: "p1".into(),
                profile_version: "p1.v1".into(),
                values: vec![("m".into(), 0.25), ("n".into(), f64::NAN)],
                labels: vec![],
                nan_reasons: "n=why".into(),
            }],
            timings: Timings { fit_seconds: 1.23456, ..Timings::default() },
            diagnostics: vec![],
        }
    }

    /// The header is spelled by the constants and the rows by the serde structs: they must agree.
    #[test]
    fn column_constants_match_the_serde_structs() {
        let names = |v: &dyn erased::Header| v.header();
        let mut leading = names(&erased::Of::<KeyColumns>::default());
        leading.extend(names(&erased::Of::<StateColumns>::default()));
        leading.extend(names(&erased::Of::<CellFacts>::default()));
        assert_eq!(leading, LEADING_COLUMNS);
        assert_eq!(names(&erased::Of::<TrailingColumns>::default()), TRAILING_COLUMNS);
    }

    /// Field names of a serde struct, found by deserializing from a header-only map.
    mod erased {
        use serde::de::{self, Deserialize, Deserializer, Visitor};

        pub trait Header {
            fn header(&self) -> Vec<String>;
        }

        pub struct Of<T>(std::marker::PhantomData<T>);

        impl<T> Default for Of<T> {
            fn default() -> Self {
                Of(std::marker::PhantomData)
            }
        }

        impl<T: for<'de> Deserialize<'de>> Header for Of<T> {
            fn header(&self) -> Vec<String> {
                let mut fields = Vec::new();
                let _ = T::deserialize(FieldNames(&mut fields));
                fields
            }
        }

        struct FieldNames<'a>(&'a mut Vec<String>);

        impl<'de> Deserializer<'de> for FieldNames<'_> {
            type Error = de::value::Error;

            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
                Err(de::Error::custom("field names only"))
            }

            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Self::Error> {
                self.0.extend(fields.iter().map(|f| f.to_string()));
                Err(de::Error::custom("field names only"))
            }

            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 char str string bytes byte_buf option unit
                unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
            }
        }
    }

    #[test]
    fn written_rows_read_back_typed() {
        let failed = Status::Error { phase: Phase::Sample, message: "bad, \"quoted\"\nmessage".into() };
        let (ok, err) = (record(0.5, Status::Ok), record(f64::INFINITY, failed.clone()));
        let profiles = vec![("p1".to_string(), "p1.v1".to_string()), ("p2".to_string(), "p2.v1".to_string())];
        let metrics = vec!["m".to_string(), "n".to_string()];
        let text = render_cells_csv(&[&err, &ok], &profiles, &metrics);
        let cells = Cells::parse(&text, "cells.csv").unwrap();
        assert_eq!(cells.metric_columns, metrics);
        // Debug text, because NaN != NaN.
        let expected = [ok.rows(&profiles, &metrics), err.rows(&profiles, &metrics)].concat();
        assert_eq!(format!("{:?}", cells.rows), format!("{expected:?}"));
        assert_eq!(cells.rows[0].values[0], Some(0.25));
        assert!(cells.rows[0].values[1].unwrap().is_nan());
        assert_eq!(cells.rows[1].values, vec![None, None]);
        assert_eq!(cells.rows[3].status, failed);
        assert_eq!(cells.rows[3].facts.dp, None);
        assert_eq!(cells.rows[0].cell_id(), "d__g__eps-0.5__seed-1__fold-2");
        let first = text.lines().nth(1).unwrap();
        assert!(first.starts_with(
            "d,sim.v1 seed=1,g,k,p,0.5,0.00001,1,2,p1,p1.v1,ok,,,true,false,0.1,,a=1,x;y,,8,2,8,0.25,NaN,n=why,"
        ));
        let mut late = record(2.0, Status::timeout(Phase::Fit, 2.0, 2.0149));
        late.key.generator = "slow".into();
        let text = render_cells_csv(&[&late], &profiles, &metrics);
        assert!(text.contains(",timeout,fit,timed out after 2.01 s (timeout 2 s),"), "{text}");
        let back = Cells::parse(&text, "cells.csv").unwrap();
        assert_eq!(
            back.rows[0].status,
            Status::Timeout { phase: Phase::Fit, limit_seconds: 2.0, elapsed_seconds: 2.01 }
        );
        let bad = text.replace("timed out after 2.01 s", "slow");
        let e = Cells::parse(&bad, "cells.csv").unwrap_err().to_string();
        assert!(e.contains("column 'error'") && e.contains("got 'slow (timeout 2 s)'"), "{e}");
        let timings = render_timings_csv(&[&ok]);
        assert_eq!(
            timings.lines().nth(1).unwrap(),
            "d,sim.v1 seed=1,g,k,p,0.5,0.00001,1,2,ok,1.2346,0.0000,0.0000,0.0000"
        );
    }

    #[test]
    fn columns_are_found_by_name() {
        let ok = record(1.0, Status::Ok);
        let profiles = vec![("p1".to_string(), "p1.v1".to_string())];
        let text = render_cells_csv(&[&ok], &profiles, &["m".to_string()]);
        let mut lines = text.lines().map(|l| l.split(',').map(String::from).collect::<Vec<_>>());
        let (header, row) = (lines.next().unwrap(), lines.next().unwrap());
        let swap = |mut v: Vec<String>| {
            v.swap(0, 2);
            v.join(",")
        };
        let swapped = format!("{}\n{}\n", swap(header), swap(row));
        assert_eq!(Cells::parse(&swapped, "c.csv").unwrap().rows, ok.rows(&profiles, &["m".to_string()]));
        let e = Cells::parse(&text.replace(",p1,p1.v1,ok,", ",p1,p1.v1,error,"), "c.csv").unwrap_err();
        assert_eq!(e.message(), "c.csv: line 2, column 'error_phase': expected fit, sample, score or write, got ''");
    }
}
