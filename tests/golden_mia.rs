//! Golden tests of profile `mia` (metrics.md §4.3–4.4) against `scripts/golden_mia.py`:
//! AUC, AP and the kit's TPR@FPR rule vs scikit-learn on score vectors with heavy ties (exact
//! up to floating-point summation order, §7.5 "MIA metrics given identical scores: exact"), the
//! KDE log-density vs a direct numpy computation with the same bandwidth matrix (cross-checked
//! against scipy `gaussian_kde`; the leave-one-out values from a KDE refitted without the point,
//! metrics.md §4.5), and Mahalanobis distances vs numpy.

use bench::data::matrix::Matrix;
use bench::metrics::mia::kde::Kde;
use bench::metrics::mia::mahalanobis::GaussianFit;
use bench::metrics::mia::roc::Ranking;
use serde_json::Value;

fn golden() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/mia_expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("golden file")).expect("json")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

fn matrix(v: &Value) -> Matrix {
    Matrix::from_rows(&v.as_array().expect("rows").iter().map(floats).collect::<Vec<_>>()).unwrap()
}

fn close(got: f64, want: f64, rel: f64, what: &str) {
    assert!((got - want).abs() <= rel * want.abs().max(1e-300), "{what}: bench {got} vs reference {want}");
}

#[test]
fn rank_metrics_match_scikit_learn_on_heavily_tied_scores() {
    let g = golden();
    let cases = g["ranking"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let scores = floats(&c["scores"]);
        let member: Vec<bool> = c["member"].as_array().unwrap().iter().map(|b| b.as_bool().unwrap()).collect();
        let r = Ranking::new(&scores, &member).unwrap().metrics();
        close(r.aucroc, c["aucroc"].as_f64().unwrap(), 1e-12, &format!("{name} AUC"));
        close(r.average_precision, c["average_precision"].as_f64().unwrap(), 1e-12, &format!("{name} AP"));
        assert_eq!(r.tpr_at_fpr_01_kit, c["tpr_at_fpr_01_kit"].as_f64().unwrap(), "{name} kit TPR@10%");
        assert_eq!(r.tpr_at_fpr_001_kit, c["tpr_at_fpr_001_kit"].as_f64().unwrap(), "{name} kit TPR@1%");
    }
}

#[test]
fn kde_log_density_matches_numpy_with_the_same_bandwidth_matrix() {
    let g = golden();
    let kde = Kde::fit(&matrix(&g["kde"]["points"])).unwrap();
    let got = kde.log_density(&matrix(&g["kde"]["queries"]));
    let want = floats(&g["kde"]["log_density"]);
    let scipy = floats(&g["kde"]["log_density_scipy"]);
    assert_eq!(got.len(), 6);
    for i in 0..got.len() {
        close(got[i], want[i], 1e-10, "KDE log-density");
        close(got[i], scipy[i], 1e-10, "KDE log-density (scipy)");
    }
    let loo = kde.log_density_loo().unwrap();
    let want_loo = floats(&g["kde"]["log_density_loo"]);
    assert_eq!(loo.len(), want_loo.len());
    for (a, b) in loo.iter().zip(&want_loo) {
        close(*a, *b, 1e-10, "KDE leave-one-out log-density");
    }
}

#[test]
fn mahalanobis_distances_match_numpy() {
    let g = golden();
    // `mahalanobis`: 12 rows × 5 columns (p × p route); `mahalanobis_wide`: 6 rows × 14 columns
    // (n × n Woodbury route).
    for set in ["mahalanobis", "mahalanobis_wide"] {
        let points = matrix(&g[set]["points"]);
        let queries = matrix(&g[set]["queries"]);
        let cases = g[set]["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 2);
        for c in cases {
            let alpha = c["alpha"].as_f64().unwrap();
            let got = GaussianFit::fit(&points, alpha).unwrap().distances(&queries);
            assert_eq!(got.len(), queries.rows());
            for (a, b) in got.iter().zip(&floats(&c["delta"])) {
                close(*a, *b, 1e-10, &format!("{set} (alpha {alpha})"));
            }
        }
    }
}
