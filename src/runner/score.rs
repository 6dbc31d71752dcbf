//! `bench score`: score any generator's output stored in the challenge kit's per-split files
//! (data-formats.md §4) with the same metric code as `bench run`, and write the kit's
//! `evaluation_split_{k}.csv` and `evaluation_results.csv` (metrics.md §0.3, §2.1), plus each
//! profile's side table as `<profile>_split_{k}.csv` (`bio_split_{k}.csv`: the per-pair DE
//! rates of metrics.md §5.1).

use crate::data::export::read_kit_split;
use crate::error::{Context, Result};
use crate::io::{csv_field, fmt_f64, write_atomic};
use crate::metrics::{self, EvalInput, Profile, RealCache, SideTable};
use crate::{bail, ensure};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Options of `bench score`.
#[derive(Clone, Debug)]
pub struct ScoreOptions {
    pub real_dir: PathBuf,
    pub synthetic_dir: PathBuf,
    pub out: PathBuf,
    /// A profile or a bundle of profiles (`camda2026-full`); the columns of its members are
    /// written side by side.
    pub profile: String,
}

/// What `bench score` wrote.
#[derive(Debug)]
pub struct ScoreSummary {
    pub splits: Vec<usize>,
    pub results: PathBuf,
    pub warnings: Vec<String>,
}

/// The split numbers named by the kit files in `real_dir` and `synthetic_dir`, ascending: every
/// `k` of `{X,y}_{train,test}_real_split_{k}.csv[.gz]` and
/// `synthetic_{data,labels}_split_{k}.csv[.gz]` (any set, e.g. {1, 3}). A split that lacks one
/// of its six files is reported by the reader, which names the missing file.
pub fn discover_splits(real_dir: &Path, synthetic_dir: &Path) -> Result<Vec<usize>> {
    let mut splits = std::collections::BTreeSet::new();
    for dir in [real_dir, synthetic_dir] {
        let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read directory {}", dir.display()))?;
        for entry in entries.flatten() {
            if let Some(k) = entry.file_name().to_str().and_then(split_number) {
                splits.insert(k);
            }
        }
    }
    if splits.is_empty() {
        bail!(
            "{}: no X_train_real_split_<k>.csv found (expected the challenge kit's per-split files)",
            real_dir.display()
        );
    }
    Ok(splits.into_iter().collect())
}

/// `k` of a kit file name (`X_train_real_split_3.csv.gz` → 3), `None` for any other name.
fn split_number(name: &str) -> Option<usize> {
    const PREFIXES: [&str; 6] = [
        "X_train_real_split_",
        "y_train_real_split_",
        "X_test_real_split_",
        "y_test_real_split_",
        "synthetic_data_split_",
        "synthetic_labels_split_",
    ];
    let rest = PREFIXES.iter().find_map(|p| name.strip_prefix(p))?;
    let digits = rest.strip_suffix(".csv.gz").or_else(|| rest.strip_suffix(".csv"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&k| k > 0)
}

/// The official 2026 evaluator's columns in the order of its `evaluation_split_<k>.csv`
/// (metrics.md §3.8); `submmd_` stands for the per-class columns `submmd_<class>`.
const CAMDA2026_OFFICIAL_ORDER: [&str; 28] = [
    "accuracy_synthetic",
    "avg_pr_macro_synthetic",
    "avg_pr_weight_synthetic",
    "f1_synthetic",
    "auroc_synthetic",
    "accuracy_real",
    "avg_pr_macro_real",
    "avg_pr_weight_real",
    "f1_real",
    "auroc_real",
    "feature_overlap_count",
    "feature_overlap_proportion",
    "MMD_train",
    "MMD_test",
    "MMD_base",
    "discriminative_score",
    "distance_to_closest",
    "distance_to_closest_base",
    "kl_mean_train",
    "kl_mean_test",
    "kl_mean_base",
    "prdc_precision",
    "prdc_recall",
    "prdc_density",
    "prdc_coverage",
    "prdc_density_test",
    "prdc_coverage_test",
    "submmd_",
];

/// The metric columns `bench score` writes for one profile. camda2026: the official evaluator's
/// columns in its order, the per-class `submmd_<class>` after them (in `classes` order), then
/// bench's own columns (`*_relative`) in the profile's order (metrics.md §3.8). Other profiles:
/// the profile's order (camda2025's is already the official one, §2.1).
pub fn score_columns(profile: &Profile, classes: &[String]) -> Vec<String> {
    let mut columns = profile.columns(classes);
    if profile.name == "camda2026" {
        let rank = |column: &String| {
            CAMDA2026_OFFICIAL_ORDER
                .iter()
                .position(|official| column == official || (*official == "submmd_" && column.starts_with(official)))
                .unwrap_or(CAMDA2026_OFFICIAL_ORDER.len())
        };
        columns.sort_by_key(rank);
    }
    columns
}

/// One split's formatted metric values (column order of the profiles) and NaN reasons.
struct SplitScores {
    values: Vec<(String, f64)>,
    reasons: String,
    /// (profile, its side table).
    tables: Vec<(&'static str, SideTable)>,
}

/// Score every split and write the evaluation files.
pub fn score(opts: &ScoreOptions) -> Result<ScoreSummary> {
    let profiles: Vec<Profile> = metrics::profile_members(&opts.profile)
        .map_err(|e| e.context("--profile"))?
        .into_iter()
        .map(metrics::profile)
        .collect::<Result<_>>()?;
    let splits = discover_splits(&opts.real_dir, &opts.synthetic_dir)?;
    let kits = splits
        .par_iter()
        .map(|&k| read_kit_split(&opts.real_dir, &opts.synthetic_dir, k, None, None))
        .collect::<Result<Vec<_>>>()?;
    let gene_ids = &kits[0].gene_ids;
    for kit in &kits[1..] {
        ensure!(
            kit.gene_ids == *gene_ids,
            "split {}: X_train columns differ from split {}'s",
            kit.number,
            kits[0].number
        );
    }
    let classes = crate::data::dataset::classes(
        &kits.iter().flat_map(|k| k.train.labels.iter().chain(&k.test.labels).cloned()).collect::<Vec<_>>(),
    );
    let columns: Vec<String> = profiles.iter().flat_map(|p| score_columns(p, &classes)).collect();
    let scored = kits
        .par_iter()
        .map(|kit| {
            let real = RealCache::default();
            let input = EvalInput {
                gene_ids: &kit.gene_ids,
                train: &kit.train,
                test: &kit.test,
                synthetic: &kit.synthetic,
                real: &real,
            };
            let (mut values, mut reasons, mut tables) = (Vec::new(), Vec::new(), Vec::new());
            for profile in &profiles {
                let scored = profile
                    .score(&input, &classes)
                    .map_err(|e| e.context(format!("split {}: profile {}", kit.number, profile.name)))?;
                values.extend(score_columns(profile, &classes).into_iter().map(|c| {
                    let v = scored.values.iter().find(|(col, _)| *col == c).and_then(|(_, v)| v.number());
                    (c, v.unwrap_or(f64::NAN))
                }));
                reasons.extend(scored.nan_reasons);
                tables.extend(scored.tables.into_iter().map(|t| (profile.name, t)));
            }
            Ok(SplitScores { values, reasons: reasons.join(";"), tables })
        })
        .collect::<Result<Vec<_>>>()?;
    for (k, s) in splits.iter().zip(&scored) {
        let text = render(&columns, &[(k.to_string(), s)], false);
        write_atomic(&opts.out.join(format!("evaluation_split_{k}.csv")), text.as_bytes())?;
        for (profile, table) in &s.tables {
            write_atomic(&opts.out.join(format!("{profile}_split_{k}.csv")), table.to_csv().as_bytes())?;
        }
    }
    let rows: Vec<(String, &SplitScores)> = splits.iter().map(|k| k.to_string()).zip(&scored).collect();
    let results = opts.out.join("evaluation_results.csv");
    write_atomic(&results, render(&columns, &rows, true).as_bytes())?;
    Ok(ScoreSummary { splits, results, warnings: kits.into_iter().flat_map(|k| k.warnings).collect() })
}

/// CSV with `split_no`, the metric columns, `nan_reasons`. With `average`, also a
/// `splits_averaged` column and a final `split_no = average` row holding the NaN-skipping mean of
/// each column over the split rows, the splits it covers (`1;3`) and `n_valid_<metric>` columns
/// for metrics with fewer valid folds than split rows (metrics.md §0.3).
fn render(columns: &[String], rows: &[(String, &SplitScores)], average: bool) -> String {
    let valid = |i: usize| rows.iter().map(|(_, s)| s.values[i].1).filter(|v| !v.is_nan()).collect::<Vec<f64>>();
    let short: Vec<usize> =
        if average { (0..columns.len()).filter(|&i| valid(i).len() < rows.len()).collect() } else { vec![] };
    let mut header = vec!["split_no".to_string()];
    header.extend(columns.iter().cloned());
    header.push("nan_reasons".into());
    if average {
        header.push("splits_averaged".into());
    }
    header.extend(short.iter().map(|&i| format!("n_valid_{}", columns[i])));
    let mut out = header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",") + "\n";
    for (name, s) in rows {
        let mut fields = vec![name.clone()];
        fields.extend(s.values.iter().map(|(_, v)| fmt_f64(*v)));
        fields.push(s.reasons.clone());
        if average {
            fields.push(String::new());
        }
        fields.extend(short.iter().map(|_| String::new()));
        out.push_str(&(fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",") + "\n"));
    }
    if average {
        let mut fields = vec!["average".to_string()];
        for i in 0..columns.len() {
            let v = valid(i);
            fields.push(if v.is_empty() { "NaN".into() } else { fmt_f64(v.iter().sum::<f64>() / v.len() as f64) });
        }
        fields.push(String::new());
        fields.push(rows.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(";"));
        fields.extend(short.iter().map(|&i| valid(i).len().to_string()));
        out.push_str(&(fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",") + "\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_row_skips_nan_and_counts_valid_folds() {
        let a = SplitScores {
            values: vec![("m".into(), 1.0), ("x".into(), f64::NAN)],
            reasons: "x=r".into(),
            tables: vec![],
        };
        let b =
            SplitScores { values: vec![("m".into(), 2.0), ("x".into(), 4.0)], reasons: String::new(), tables: vec![] };
        let cols = vec!["m".to_string(), "x".to_string()];
        let text = render(&cols, &[("1".into(), &a), ("3".into(), &b)], true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "split_no,m,x,nan_reasons,splits_averaged,n_valid_x");
        assert_eq!(lines[1], "1,1,NaN,x=r,,");
        assert_eq!(lines[3], "average,1.5,4,,1;3,1");
    }

    /// Every name of the official order is a camda2026 column (a misspelt one would silently
    /// move a column to the end), and the sort keeps each group's own order.
    #[test]
    fn the_camda2026_order_names_only_profile_columns() {
        let classes = vec!["B".to_string(), "A".to_string()];
        let profile = metrics::profile("camda2026").unwrap();
        let columns = profile.columns(&classes);
        for official in CAMDA2026_OFFICIAL_ORDER {
            assert!(
                columns.iter().any(|c| c == official || c.starts_with(official) && official.ends_with('_')),
                "{official}"
            );
        }
        let ordered = score_columns(&profile, &classes);
        assert_eq!(ordered.len(), columns.len());
        assert_eq!(ordered[27..29], ["submmd_B", "submmd_A"]);
        assert_eq!(
            ordered[29..],
            [
                "accuracy_relative",
                "avg_pr_macro_relative",
                "avg_pr_weight_relative",
                "auroc_relative",
                "f1_relative",
                "distance_to_closest_relative"
            ]
        );
        let camda2025 = metrics::profile("camda2025").unwrap();
        assert_eq!(score_columns(&camda2025, &classes), camda2025.columns(&classes));
    }

    #[test]
    fn split_numbers_come_from_kit_file_names() {
        assert_eq!(split_number("X_train_real_split_3.csv"), Some(3));
        assert_eq!(split_number("synthetic_labels_split_12.csv.gz"), Some(12));
        assert_eq!(split_number("y_test_real_split_1.csv"), Some(1));
        for other in [
            "X_train_real_split_.csv",
            "X_train_real_split_0.csv",
            "X_train_real_split_1.tsv",
            "evaluation_split_1.csv",
            "X_train_real_split_1a.csv",
        ] {
            assert_eq!(split_number(other), None, "{other}");
        }
    }
}
