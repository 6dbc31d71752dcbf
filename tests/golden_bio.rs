//! Golden tests of profile `bio` (metrics.md §5) against independent implementations:
//!
//! * `tests/golden/wilcoxon.txt` (scripts/golden_wilcoxon.R): one-sided p-values of R's
//!   `wilcox.test(exact = FALSE, correct = TRUE)` on cases with heavy ties, unequal sizes, the
//!   far tail and σ = 0; relative tolerance 1e-12.
//! * `tests/golden/bio_*.csv` + `bio_expected.json` (scripts/golden_bio.py): numpy `corrcoef`
//!   correlations (absolute 1e-12) and edge sets (exact; no correlation lies within 1e-7 of a
//!   cutoff by construction), and the 14 columns of the profile plus its `de_pairs` table with
//!   DE sets from scipy `mannwhitneyu(method="asymptotic", use_continuity=True)`.

use bench::data::dataset::Labelled;
use bench::data::matrix::Matrix;
use bench::metrics::bio::coexpr::{edges, pair_correlations, CoexprMode};
use bench::metrics::bio::de::wilcoxon;
use bench::metrics::{profile, EvalInput, RealCache};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(GOLDEN).join(name)).unwrap_or_else(|e| panic!("golden file {name}: {e}"))
}

fn numbers(field: &str) -> Vec<f64> {
    field.split_whitespace().map(|v| v.parse().expect("number")).collect()
}

fn close(ours: f64, want: f64, rel: f64) -> bool {
    ours == want || (ours - want).abs() <= rel * want.abs()
}

#[test]
fn wilcoxon_p_values_match_r() {
    let text = read("wilcoxon.txt");
    let mut cases = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split(';').collect();
        assert_eq!(f.len(), 5, "malformed line {line}");
        let (a, b) = (numbers(f[1]), numbers(f[2]));
        let (greater, less): (f64, f64) = (f[3].parse().unwrap(), f[4].parse().unwrap());
        let p = wilcoxon(&a, &b);
        assert!(close(p.up, greater, 1e-12), "{}: p_up {} vs R {greater}", f[0], p.up);
        assert!(close(p.down, less, 1e-12), "{}: p_down {} vs R {less}", f[0], p.down);
        cases += 1;
    }
    assert_eq!(cases, 9);
}

fn read_labelled(name: &str) -> (Vec<String>, Labelled) {
    let text = read(name);
    let mut lines = text.lines();
    let genes: Vec<String> = lines.next().unwrap().split(',').skip(1).map(String::from).collect();
    let (mut labels, mut data) = (Vec::new(), Vec::new());
    for line in lines {
        let mut fields = line.split(',');
        labels.push(fields.next().unwrap().to_string());
        data.extend(fields.map(|v| v.parse::<f64>().expect("number")));
    }
    let x = Matrix::from_row_major(labels.len(), genes.len(), data).unwrap();
    (genes, Labelled { x, labels })
}

fn expected() -> HashMap<String, Value> {
    serde_json::from_str(&read("bio_expected.json")).unwrap()
}

/// A JSON number, or NaN for null.
fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn correlations_and_edge_sets_match_numpy() {
    let want = expected();
    for set in ["train", "synthetic"] {
        let (_, data) = read_labelled(&format!("bio_{set}.csv"));
        let corr = pair_correlations(&data.x);
        let reference: Vec<f64> = want[&format!("correlations_{set}")].as_array().unwrap().iter().map(num).collect();
        assert_eq!(corr.r.len(), reference.len());
        for (k, (&ours, &numpy)) in corr.r.iter().zip(&reference).enumerate() {
            assert!(ours.is_nan() == numpy.is_nan(), "{set} pair {k}: {ours} vs numpy {numpy}");
            assert!(ours.is_nan() || (ours - numpy).abs() < 1e-12, "{set} pair {k}: {ours} vs numpy {numpy}");
        }
        for (mode, name) in [(CoexprMode::Abs, "abs"), (CoexprMode::Positive, "positive")] {
            for (tau, suffix) in [(0.3, "c03"), (0.5, "c05")] {
                let key = format!("{set}_{name}_{suffix}");
                let numpy: Vec<usize> =
                    want["edges"][&key].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
                assert_eq!(edges(&corr, tau, mode).members(), numpy, "{key}");
            }
        }
    }
}

#[test]
fn profile_columns_and_pair_table_match_the_reference() {
    let want = expected();
    let (genes, train) = read_labelled("bio_train.csv");
    let (_, test) = read_labelled("bio_test.csv");
    let (_, synthetic) = read_labelled("bio_synthetic.csv");
    let real = RealCache::default();
    let input = EvalInput { gene_ids: &genes, train: &train, test: &test, synthetic: &synthetic, real: &real };
    let bio = profile("bio").unwrap();
    let classes: Vec<String> = ["c1", "c10", "c2", "c3"].map(String::from).to_vec();
    let columns = bio.columns(&classes);
    let reference = want["columns"].as_object().unwrap();
    assert_eq!(columns.len(), 14);
    let scored = bio.score(&input, &classes).unwrap();
    let scored_columns: Vec<&str> = scored.values.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(scored_columns, columns);
    for (column, value) in &scored.values {
        let (ours, w) = (value.number().expect("a numeric column"), num(&reference[column]));
        assert!(close(ours, w, 1e-12), "{column}: {ours} vs reference {w}");
    }
    let tables = &scored.tables;
    assert_eq!(tables.len(), 1);
    let table = &tables[0];
    assert_eq!(table.name, "de_pairs");
    let rows = want["de_pairs"].as_array().unwrap();
    assert_eq!(table.rows.len(), rows.len());
    for (ours, theirs) in table.rows.iter().zip(rows) {
        for (field, key) in ours.iter().zip(&table.header) {
            let v = &theirs[key];
            match v {
                Value::String(s) => assert_eq!(field, s, "{key}"),
                _ => {
                    let (o, t) = (field.parse::<f64>().unwrap(), num(v));
                    assert!(o.is_nan() == t.is_nan() && (o.is_nan() || close(o, t, 1e-12)), "{key}: {o} vs {t}");
                }
            }
        }
    }
    // A class absent from the synthetic rows (c3) gives empty synthetic sets.
    assert!(table.rows.iter().filter(|r| r[1] == "c3").all(|r| r[6] == "0"));
}
