//! Published reference numbers (experiments/reference/*.csv, compiled in) and how a report puts
//! them beside bench's own.
//!
//! **Which reference a dataset gets.** The manifest's per-dataset `reference` field (`BRCA`,
//! `COMBINED` or null), which the runner fills from the grid's `reference` key or, for the
//! simulators, from the simulator name (`sim-brca` → BRCA, `sim-combined` → COMBINED). When the
//! manifest is missing or has no `reference` key for the dataset, the dataset name decides:
//! a name containing `brca` → BRCA, `combined` → COMBINED (case-insensitive). An explicit null
//! means no reference.
//!
//! **Comparable or context.** All published numbers come from the real challenge data with the
//! camda2025 evaluator. A dataset whose source does not start with `sim.` (a real dataset) is
//! compared: measured camda2025 fold means beside the published values and their difference.
//! On simulated data the published values are shown as context only, labelled
//! [`NOT_COMPARABLE`].

use super::inputs::Inputs;
use super::table::{Row, RowKind, Table1};
use crate::error::Result;
use crate::io::csv::{parse_f64, Table};
use crate::{bail, ensure};

/// The label of published values shown next to simulated data.
pub const NOT_COMPARABLE: &str = "published values on the real challenge data, not comparable";

/// The profile the published numbers were computed with.
pub const PUBLISHED_PROFILE: &str = "camda2025";

/// The reference tables: (file name, text).
const FILES: [(&str, &str); 2] = [
    (
        "experiments/reference/menzies2025_table1.csv",
        include_str!("../../experiments/reference/menzies2025_table1.csv"),
    ),
    (
        "experiments/reference/camda2025_baselines.csv",
        include_str!("../../experiments/reference/camda2025_baselines.csv"),
    ),
];

/// One published row.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    /// The reference file it comes from.
    pub file: &'static str,
    /// `BRCA` or `COMBINED`.
    pub dataset: String,
    pub method: String,
    /// The bench generator kind it corresponds to; `real` for train-and-test-on-real values.
    pub kind: String,
    /// `inf` for non-private methods, `None` for real-data values.
    pub epsilon: Option<f64>,
    /// (metric column, value), in file column order.
    pub values: Vec<(String, f64)>,
    pub source: String,
}

/// All published rows, in file order.
pub fn published() -> Result<Vec<Published>> {
    let mut out = Vec::new();
    for (file, text) in FILES {
        let t = Table::parse(text, file)?;
        let (dataset, method, kind, epsilon, source) =
            (t.column("dataset")?, t.column("method")?, t.column("kind")?, t.column("epsilon")?, t.column("source")?);
        for r in &t.rows {
            let epsilon = match r.fields[epsilon].as_str() {
                "" => None,
                s => match parse_f64(s) {
                    Some(v) if v > 0.0 => Some(v),
                    _ => bail!("{}: expected a positive number, inf or empty, got '{s}'", t.at(r, epsilon)),
                },
            };
            let mut values = Vec::new();
            for (i, name) in t.header.iter().enumerate().skip(epsilon_column_end(&t)?) {
                if i == source || r.fields[i].is_empty() {
                    continue;
                }
                match parse_f64(&r.fields[i]) {
                    Some(v) if v.is_finite() => values.push((name.clone(), v)),
                    _ => bail!("{}: expected a number, got '{}'", t.at(r, i), r.fields[i]),
                }
            }
            out.push(Published {
                file,
                dataset: r.fields[dataset].clone(),
                method: r.fields[method].clone(),
                kind: r.fields[kind].clone(),
                epsilon,
                values,
                source: r.fields[source].clone(),
            });
        }
    }
    Ok(out)
}

/// The first metric column: the one after `epsilon`.
fn epsilon_column_end(t: &Table) -> Result<usize> {
    let e = t.column("epsilon")?;
    ensure!(e + 1 < t.header.len(), "{}: no metric columns after 'epsilon'", t.what);
    Ok(e + 1)
}

/// The reference dataset (`BRCA`, `COMBINED`) of a bench dataset; see the module docs.
pub fn reference_for(inputs: &Inputs, dataset: &str) -> Option<String> {
    if let Some(r) = inputs.manifest_dataset(dataset).and_then(|d| d.reference.clone()) {
        return r;
    }
    let name = dataset.to_ascii_lowercase();
    if name.contains("brca") {
        Some("BRCA".into())
    } else if name.contains("combined") {
        Some("COMBINED".into())
    } else {
        None
    }
}

/// True when a dataset source is real data (anything but the built-in simulator).
pub fn is_real_data(source: &str) -> bool {
    !source.starts_with("sim.")
}

impl Published {
    /// True for train-and-test-on-real values (no generator).
    pub fn is_real(&self) -> bool {
        self.kind == "real"
    }

    pub fn value(&self, metric: &str) -> Option<f64> {
        self.values.iter().find(|(m, _)| m == metric).map(|(_, v)| *v)
    }
}

/// The camda2025 rows of `dataset` a published row is compared with: its real-data row for
/// `kind = real`, otherwise every generator row of the same kind and ε.
pub fn matching_rows<'a>(table: &'a Table1, dataset: &'a str, p: &'a Published) -> impl Iterator<Item = &'a Row> + 'a {
    table.rows_of(dataset, PUBLISHED_PROFILE).filter(move |r| {
        if p.is_real() {
            r.row == RowKind::Real
        } else {
            r.row == RowKind::Generator && r.kind == p.kind && r.epsilon == p.epsilon
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report reads published values by bench column name, so each must be a declared column.
    #[test]
    fn published_metric_columns_are_declared_columns() {
        for p in published().unwrap() {
            for (metric, _) in &p.values {
                crate::metrics::resolve_column(metric).unwrap();
            }
        }
    }

    #[test]
    fn reference_files_parse_with_their_sources() {
        let p = published().unwrap();
        assert_eq!(p.len(), 14 + 4);
        let pgm1 = p.iter().find(|r| r.dataset == "BRCA" && r.kind == "private-pgm" && r.epsilon == Some(1.0)).unwrap();
        assert_eq!(pgm1.values[0], ("accuracy_synthetic".to_string(), 0.7163));
        assert_eq!(pgm1.values.len(), 6);
        assert!(pgm1.source.contains("Table 1"));
        let real = p.iter().find(|r| r.dataset == "COMBINED" && r.kind == "real").unwrap();
        assert_eq!(real.epsilon, None);
        assert_eq!(
            real.values,
            vec![
                ("accuracy_real".to_string(), 0.9783),
                ("avg_pr_macro_real".to_string(), 0.9919),
                ("distance_to_closest_base".to_string(), 23.27)
            ]
        );
        assert!(p.iter().all(|r| !r.source.is_empty()));
        assert!(real.is_real() && !pgm1.is_real());
        assert_eq!(pgm1.value("MMD_score"), Some(0.0524));
    }

    #[test]
    fn real_data_is_anything_but_the_simulator() {
        assert!(!is_real_data("sim.v1 sim-brca seed=1"));
        assert!(is_real_data("/data/TCGA-BRCA.tsv"));
    }
}
