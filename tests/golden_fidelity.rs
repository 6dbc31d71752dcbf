//! Golden tests of the fidelity metrics (metrics.md §2.7, §2.9, §2.11, §3.3–§3.6).
//!
//! Inputs and expected values come from `scripts/golden_fidelity.py`, an independent
//! numpy/scipy/scikit-learn 1.5.2 implementation that follows the official evaluator's formulas
//! (120 train / 40 test / 120 synthetic rows × 50 genes, 4 classes, one constant gene, ten
//! synthetic rows that are exact copies of train rows). Tolerances are those of §7.5: relative
//! 1e-9 for unrounded values, exact for the 4-dp DCR columns.

use bench::data::dataset::Labelled;
use bench::data::matrix::Matrix;
use bench::metrics::dcr::mean_distance_to_closest;
use bench::metrics::{profile, EvalInput, PcaProjection, RealCache, Score};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

fn read_labelled(name: &str) -> (Vec<String>, Labelled) {
    let text = std::fs::read_to_string(Path::new(GOLDEN).join(name)).expect("golden input");
    let mut lines = text.lines();
    let genes: Vec<String> = lines.next().unwrap().split(',').skip(1).map(String::from).collect();
    let mut labels = Vec::new();
    let mut data = Vec::new();
    for line in lines {
        let mut fields = line.split(',');
        labels.push(fields.next().unwrap().to_string());
        data.extend(fields.map(|v| v.parse::<f64>().expect("number")));
    }
    let x = Matrix::from_row_major(labels.len(), genes.len(), data).unwrap();
    (genes, Labelled { x, labels })
}

struct Golden {
    genes: Vec<String>,
    train: Labelled,
    test: Labelled,
    synthetic: Labelled,
    expected: HashMap<String, Value>,
}

fn golden() -> Golden {
    let (genes, train) = read_labelled("fidelity_train.csv");
    let (_, test) = read_labelled("fidelity_test.csv");
    let (_, synthetic) = read_labelled("fidelity_synthetic.csv");
    let text = std::fs::read_to_string(Path::new(GOLDEN).join("fidelity_expected.json")).unwrap();
    let expected: HashMap<String, Value> = serde_json::from_str(&text).unwrap();
    Golden { genes, train, test, synthetic, expected }
}

/// Scores and projections of one profile on the golden fold.
fn score(g: &Golden, profile_name: &str) -> (HashMap<String, Score>, Vec<PcaProjection>) {
    let real = RealCache::default();
    let input = EvalInput { gene_ids: &g.genes, train: &g.train, test: &g.test, synthetic: &g.synthetic, real: &real };
    let p = profile(profile_name).unwrap();
    let mut scores = HashMap::new();
    let mut pca = Vec::new();
    for m in &p.metrics {
        let out = m.score(&input).unwrap();
        scores.extend(out.scores.into_iter().map(|s| (s.column.clone(), s)));
        pca.extend(out.pca);
    }
    (scores, pca)
}

fn assert_rel(name: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want).abs() / want.abs().max(f64::MIN_POSITIVE);
    assert!(err <= tol, "{name}: got {got:e}, expected {want:e} (relative error {err:e})");
}

fn expected_f64(g: &Golden, key: &str) -> f64 {
    g.expected[key].as_f64().unwrap_or_else(|| panic!("{key} missing"))
}

#[test]
fn camda2026_fidelity_columns_match_golden() {
    let g = golden();
    let (scores, _) = score(&g, "camda2026");
    let unrounded = [
        "MMD_train",
        "MMD_test",
        "MMD_base",
        "kl_mean_train",
        "kl_mean_test",
        "kl_mean_base",
        "prdc_precision",
        "prdc_recall",
        "prdc_density",
        "prdc_coverage",
        "prdc_density_test",
        "prdc_coverage_test",
        "submmd_BRCA.Basal",
        "submmd_BRCA.Her2",
        "submmd_BRCA.LumA",
    ];
    for key in unrounded {
        assert_rel(key, scores[key].value, expected_f64(&g, key), 1e-9);
    }
    let normal = &scores["submmd_BRCA.Normal"];
    assert!(g.expected["submmd_BRCA.Normal"].is_null());
    assert!(normal.value.is_nan() && normal.reason.as_deref() == Some("too_few_rows"));
    for key in ["distance_to_closest", "distance_to_closest_base"] {
        assert_eq!(scores[key].value, expected_f64(&g, key), "{key}");
    }
    let relative = expected_f64(&g, "distance_to_closest") / expected_f64(&g, "distance_to_closest_base");
    assert_eq!(scores["distance_to_closest_relative"].value, relative);
}

#[test]
fn camda2025_columns_match_golden() {
    let g = golden();
    let (scores, _) = score(&g, "camda2025");
    assert_rel("MMD_score", scores["MMD_score"].value, expected_f64(&g, "MMD_train"), 1e-9);
    for key in ["distance_to_closest", "distance_to_closest_base"] {
        assert_eq!(scores[key].value, expected_f64(&g, key), "{key}");
    }
    assert!(!scores.contains_key("MMD_train") && !scores.contains_key("prdc_precision"));
}

#[test]
fn unrounded_dcr_matches_exact_brute_force() {
    let g = golden();
    let dcr = mean_distance_to_closest(&g.synthetic.x, &g.train.x);
    assert_rel("DCR", dcr, expected_f64(&g, "distance_to_closest_unrounded"), 1e-12);
    let base = mean_distance_to_closest(&g.test.x, &g.train.x);
    assert_rel("DCR base", base, expected_f64(&g, "distance_to_closest_base_unrounded"), 1e-12);
}

/// Projections agree up to 1e-9 of each coordinate's scale (entries near 0 have no meaningful
/// relative error).
fn assert_points(name: &str, got: &[[f64; 2]], want: &Value) {
    let want: Vec<[f64; 2]> =
        want.as_array().unwrap().iter().map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()]).collect();
    assert_eq!(got.len(), want.len(), "{name}");
    for c in 0..2 {
        let scale = want.iter().map(|p| p[c].abs()).fold(0.0, f64::max);
        for (i, (a, b)) in got.iter().zip(&want).enumerate() {
            assert!((a[c] - b[c]).abs() <= 1e-9 * scale, "{name} row {i} pc{}: {} vs {}", c + 1, a[c], b[c]);
        }
    }
}

#[test]
fn pca_projections_match_sklearn() {
    let g = golden();
    for profile_name in ["camda2025", "camda2026"] {
        let (_, pca) = score(&g, profile_name);
        // camda2025 draws its own per-set plot and, beside it, the shared §3.6 projection.
        let definitions: Vec<&str> = pca.iter().map(|p| p.definition.as_str()).collect();
        let want: &[&str] = if profile_name == "camda2025" { &["camda2025", "camda2026"] } else { &["camda2026"] };
        assert_eq!(definitions, want, "{profile_name}");
        let p = &pca[0];
        assert_points(&format!("{profile_name} real"), &p.real, &g.expected[&format!("pca_{profile_name}_real")]);
        assert_points(
            &format!("{profile_name} synthetic"),
            &p.synthetic,
            &g.expected[&format!("pca_{profile_name}_synthetic")],
        );
        assert_eq!(p.real_labels, g.train.labels);
        assert_eq!(p.synthetic_labels, g.synthetic.labels);
    }
}

#[test]
fn results_are_bit_identical_for_any_thread_count() {
    let g = golden();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let (scores, pca) = score(&g, "camda2026");
            let mut values: Vec<(String, u64)> = scores.into_iter().map(|(k, s)| (k, s.value.to_bits())).collect();
            values.sort();
            (values, pca)
        })
    };
    assert_eq!(run(1), run(3));
}

/// The fidelity columns appear in the order of metrics.md §2.1 / §3.3 (as a subsequence: the
/// logistic-regression families of the same profiles add their own columns around them).
#[test]
fn profile_columns_are_in_spec_order() {
    let classes = vec!["A".to_string(), "B.x".to_string()];
    let position =
        |cols: &[String], name: &str| cols.iter().position(|c| c == name).unwrap_or_else(|| panic!("{name}"));
    let c25 = profile("camda2025").unwrap().columns(&classes);
    let order25 = ["MMD_score", "distance_to_closest", "distance_to_closest_base"];
    let pos25: Vec<usize> = order25.iter().map(|n| position(&c25, n)).collect();
    assert!(pos25.windows(2).all(|w| w[0] < w[1]), "{c25:?}");
    let c26 = profile("camda2026").unwrap().columns(&classes);
    let order26 = [
        "MMD_train",
        "MMD_test",
        "MMD_base",
        "submmd_A",
        "submmd_B.x",
        "distance_to_closest",
        "distance_to_closest_base",
        "distance_to_closest_relative",
        "kl_mean_train",
        "kl_mean_test",
        "kl_mean_base",
        "prdc_precision",
        "prdc_recall",
        "prdc_density",
        "prdc_coverage",
        "prdc_density_test",
        "prdc_coverage_test",
    ];
    let pos26: Vec<usize> = order26.iter().map(|n| position(&c26, n)).collect();
    assert!(pos26.windows(2).all(|w| w[0] < w[1]), "{c26:?}");
    assert!(!c25.iter().any(|c| c.starts_with("submmd_") || c.starts_with("prdc_") || c.starts_with("kl_")));
    assert_eq!(profile("camda2026").unwrap().version, "camda2026.v1");
}
