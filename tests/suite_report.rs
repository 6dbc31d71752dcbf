//! End-to-end: `bench run` on a tiny grid with profiles camda2026 + mia + bio writes the
//! per-cell ROC side tables, and the report gains the privacy and biology sections, their
//! figures, and the worst-case MIA columns of table1.csv (issue 13).

mod common;
use common::*;
use std::path::Path;

fn grid() -> String {
    toy_grid(
        "metrics = [\"camda2026\", \"mia\", \"bio\"]\n",
        "folds = 2\nseeds = [1]",
        r#"
[[generators]]
name = "identity"
kind = "identity"
[[generators]]
name = "independent"
kind = "independent"
epsilons = [1, 10]
"#,
    )
}

/// Header and rows of a plain CSV (no quoted commas in the files read here).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().map(|l| l.split(',').map(String::from).collect::<Vec<_>>());
    (lines.next().unwrap(), lines.collect())
}

#[test]
fn mia_and_bio_reach_the_side_tables_table1_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.csv"), tidy_csv(20, 12)).unwrap();
    write_grid(dir.path(), &grid());
    let out = bench(&["run", "grid.toml", "--quiet"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let results = dir.path().join("results/t");

    // ROC side tables: one per cell, every attack present, rates in [0, 1], monotone per attack,
    // from (0, 0) to (1, 1), at most 200 points.
    let cells = ["identity__eps-inf", "independent__eps-1", "independent__eps-10"];
    for cell in cells {
        for fold in [1, 2] {
            let path = results.join(format!("mia/toy__{cell}__seed-1__fold-{fold}.csv"));
            let (header, rows) = csv(&path);
            assert_eq!(header, ["attack", "fpr", "tpr"], "{}", path.display());
            for attack in bench::metrics::mia::ATTACKS {
                let points: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| r[0] == *attack)
                    .map(|r| (r[1].parse().unwrap(), r[2].parse().unwrap()))
                    .collect();
                assert!(!points.is_empty(), "{}: no rows of {attack}", path.display());
                if points.len() == 1 && points[0].0.is_nan() {
                    continue;
                }
                assert!(points.len() >= 2 && points.len() <= 200, "{attack}: {} points", points.len());
                assert_eq!((points[0], *points.last().unwrap()), ((0.0, 0.0), (1.0, 1.0)), "{attack}");
                assert!(points.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "{attack}");
            }
        }
    }

    // table1.csv: the worst-case MIA columns with statistics and attack, filled on mia rows.
    let (header, rows) = csv(&results.join("table1.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (auc, attack, profile) =
        (col("mia_worst_mean_aucroc_mean"), col("mia_worst_mean_aucroc_attack"), col("profile"));
    for name in ["mia_worst_mean_tpr_at_fpr_001_boot95_hi", "DE_TPR_up_mean", "coexpr_precision_c03_mean"] {
        col(name);
    }
    let mia_rows: Vec<&Vec<String>> =
        rows.iter().filter(|r| r[profile] == "mia" && r[col("row")] == "generator").collect();
    assert_eq!(mia_rows.len(), 3);
    for r in &mia_rows {
        let v: f64 = r[auc].parse().unwrap();
        assert!((0.0..=1.0).contains(&v), "{v}");
        assert!(bench::metrics::mia::ATTACKS.contains(&r[attack].as_str()), "{}", r[attack]);
    }
    // The paper's worst case is the largest per-attack mean, so it is the mean of the named
    // attack's column and never above the mean of the per-cell maxima (mia_worst_aucroc).
    let (per_cell, real) = (col("mia_worst_aucroc_mean"), col("row"));
    for r in &mia_rows {
        let v: f64 = r[auc].parse().unwrap();
        assert_eq!(r[col(&format!("mia_{}_aucroc_mean", r[attack]))], r[auc]);
        assert!(v <= r[per_cell].parse::<f64>().unwrap() + 1e-12, "{v} vs {}", r[per_cell]);
    }
    assert!(rows.iter().filter(|r| r[real] == "real").all(|r| r[auc].is_empty()));

    // The report: both sections, DCR labelled as a proxy, the figures written.
    let html = std::fs::read_to_string(results.join("report.html")).unwrap();
    let md = std::fs::read_to_string(results.join("report.md")).unwrap();
    for text in [&html, &md] {
        assert!(text.contains("Privacy: membership-inference attacks (profile mia)"));
        assert!(text.contains("Biology: differential expression and co-expression (profile bio)"));
        assert!(text.contains("DCR (distance proxy)") && text.contains("distance proxy, not a privacy test"));
    }
    for figure in ["roc__toy__identity", "roc__toy__independent", "mia_tpr__toy", "bio__toy", "pareto__toy"] {
        for ext in ["png", "svg"] {
            let path = results.join(format!("plots/{figure}.{ext}"));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(bytes.len() > 1000, "{}: {} bytes", path.display(), bytes.len());
        }
        assert!(md.contains(&format!("plots/{figure}.png")), "report.md does not show {figure}");
    }
    // The utility-vs-co-expression figure: in the biology section with its caption, one panel
    // per ε of the DP generator, the non-DP identity generator as a labelled reference point.
    assert!(html.contains("plots/pareto__toy.svg"), "report.html does not name the Pareto figure");
    for text in [&html, &md] {
        assert!(text.contains("Utility vs co-expression recall per ε (Pareto front)"));
        assert!(text.contains("y: TSTR accuracy (accuracy_synthetic, profile camda2026)"));
    }
    let svg = std::fs::read_to_string(results.join("plots/pareto__toy.svg")).unwrap();
    for text in ["ε = 1", "ε = 10", "identity (ε = ∞)", "Pareto front of the DP generators"] {
        assert!(svg.contains(text), "pareto__toy.svg lacks '{text}'");
    }
    let png = std::fs::read(results.join("plots/roc__toy__independent.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}
