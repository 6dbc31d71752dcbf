//! The built-in simulator against simulator.md: the exact checks of §1 and §3 ("Further
//! checks"), the calibration ranges of §3 for seeds 1–3, and the calibration statistics
//! against the real stand-in dataset's `stats.json` (ignored unless included: it needs
//! ../shared/datasets, see `common`).
//!
//! The calibration-range tests generate six datasets and compute PCA and all-pairs
//! correlations; they run under `cargo test --release` and are ignored in debug builds
//! (run them there with `-- --ignored`).

mod common;
use bench::data::dataset::Dataset;
use bench::data::matrix::Matrix;
use bench::data::simulate::{rename_genes, simulate, SimDataset};
use bench::data::stats::{calibration_stats, CalibrationStats};
use std::path::Path;

/// simulator.md §1: (dataset, row prefix, label column, classes with exact counts).
fn spec_table(which: SimDataset) -> (&'static str, &'static str, Vec<(&'static str, usize)>) {
    match which {
        SimDataset::Brca => (
            "SIMB-",
            "Subtype",
            vec![("BRCA.LumA", 564), ("BRCA.LumB", 210), ("BRCA.Basal", 193), ("BRCA.Her2", 82), ("BRCA.Normal", 40)],
        ),
        SimDataset::Combined => (
            "SIMC-",
            "cancer_type",
            vec![
                ("TCGA-BRCA", 907),
                ("TCGA-COAD", 398),
                ("TCGA-ESCA", 153),
                ("TCGA-KIRC", 448),
                ("TCGA-KIRP", 241),
                ("TCGA-LIHC", 309),
                ("TCGA-LUAD", 449),
                ("TCGA-LUSC", 418),
                ("TCGA-OV", 351),
                ("TCGA-PAAD", 148),
                ("TCGA-PRAD", 415),
                ("TCGA-SKCM", 86),
            ],
        ),
    }
}

fn bits(m: &Matrix) -> Vec<u64> {
    m.as_slice().iter().map(|v| v.to_bits()).collect()
}

#[test]
fn shapes_ids_and_labels_follow_section_1() {
    for which in SimDataset::ALL {
        let d = simulate(which, 1).unwrap();
        let (prefix, label_column, classes) = spec_table(which);
        let n: usize = classes.iter().map(|&(_, c)| c).sum();
        assert_eq!(d.name, which.name());
        assert_eq!(d.source, "sim.v1 seed=1");
        assert_eq!((d.x.rows(), d.x.cols()), (n, 978));
        assert_eq!(d.n_samples(), which.n_samples());
        assert_eq!(d.label_column, label_column);
        assert_eq!(d.gene_ids.len(), 978);
        assert_eq!(d.gene_ids[0], "SIMG000001");
        assert_eq!(d.gene_ids[977], "SIMG000978");
        for (j, id) in d.gene_ids.iter().enumerate() {
            assert_eq!(*id, format!("SIMG{:06}", j + 1));
        }
        for (i, id) in d.sample_ids.iter().enumerate() {
            assert_eq!(*id, format!("{prefix}{:06}", i + 1));
            assert!(!id.starts_with("TCGA-"));
        }
        for &(class, count) in &classes {
            assert_eq!(d.labels.iter().filter(|l| *l == class).count(), count, "{class}");
        }
        assert!(d.labels.iter().all(|l| classes.iter().any(|&(c, _)| c == l)));
        assert_eq!(which.class_counts(), classes.as_slice());
        d.validate(which.name()).unwrap();
    }
}

#[test]
fn values_are_finite_and_on_the_floor_or_above() {
    for which in SimDataset::ALL {
        let d = simulate(which, 2).unwrap();
        assert!(d.x.first_non_finite().is_none());
        let min = d.x.as_slice().iter().copied().fold(f64::INFINITY, f64::min);
        assert!(min >= 4.5, "{}: minimum {min}", which.name());
        assert!(d.x.as_slice().iter().all(|&v| v != 0.0));
    }
}

#[test]
fn same_seed_same_bits_different_seed_different_matrix() {
    for which in SimDataset::ALL {
        let a = simulate(which, 1).unwrap();
        let b = simulate(which, 1).unwrap();
        let c = simulate(which, 2).unwrap();
        assert_eq!(bits(&a.x), bits(&b.x));
        assert_eq!(a.labels, b.labels);
        let differing = a.x.as_slice().iter().zip(c.x.as_slice()).filter(|(x, y)| x != y).count();
        assert!(differing > a.x.as_slice().len() / 2, "{}: only {differing} values differ", which.name());
        assert_ne!(a.labels, c.labels);
    }
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| simulate(SimDataset::Brca, 7).unwrap())
    };
    // A one-thread pool generates the rows one after another, in order: the serial reference.
    let serial = run(1);
    for threads in [2, 3] {
        let parallel = run(threads);
        assert_eq!(bits(&serial.x), bits(&parallel.x), "{threads} threads");
        assert_eq!(serial.labels, parallel.labels);
    }
}

#[test]
fn rename_genes_takes_one_id_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = simulate(SimDataset::Brca, 1).unwrap();
    let ids: Vec<String> = (0..978).map(|j| format!("ENSG{j:011}")).collect();
    let good = dir.path().join("genes.txt");
    std::fs::write(&good, ids.join("\r\n") + "\r\n").unwrap();
    rename_genes(&mut d, &good).unwrap();
    assert_eq!(d.gene_ids, ids);

    let short = dir.path().join("short.txt");
    std::fs::write(&short, ids[..977].join("\n")).unwrap();
    let e = rename_genes(&mut d, &short).unwrap_err().to_string();
    assert!(e.contains("short.txt") && e.contains("977 lines") && e.contains("978"), "{e}");

    let mut dup = ids.clone();
    dup[10] = dup[3].clone();
    let dup_path = dir.path().join("dup.txt");
    std::fs::write(&dup_path, dup.join("\n")).unwrap();
    let e = rename_genes(&mut d, &dup_path).unwrap_err().to_string();
    assert!(e.contains("dup.txt:11") && e.contains("duplicate gene ID 'ENSG00000000003'"), "{e}");

    let mut blank = ids.clone();
    blank[5] = "  ".into();
    let blank_path = dir.path().join("blank.txt");
    std::fs::write(&blank_path, blank.join("\n")).unwrap();
    let e = rename_genes(&mut d, &blank_path).unwrap_err().to_string();
    assert!(e.contains("blank.txt:6") && e.contains("empty gene ID"), "{e}");

    let e = rename_genes(&mut d, &dir.path().join("missing.txt")).unwrap_err().to_string();
    assert!(e.contains("missing.txt"), "{e}");
    assert_eq!(d.gene_ids, ids, "a failed rename leaves the IDs alone");
}

#[test]
#[ignore = "needs the shared real datasets (../shared/datasets or $BENCH_SHARED_DATASETS)"]
fn rename_genes_with_the_shared_landmark_table() {
    let table = common::shared_datasets().join("tcga_pancan6_rtcga_lm978/f1000_landmark_genes.csv");
    let text = std::fs::read_to_string(&table).unwrap();
    // The ENSEMBL.ID column (the last one) of the quoted CSV, one ID per line.
    let ensembl: Vec<String> =
        text.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().trim_matches('"').to_string()).collect();
    assert_eq!(ensembl.len(), 978);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("landmarks.txt");
    std::fs::write(&path, ensembl.join("\n") + "\n").unwrap();
    let mut d = simulate(SimDataset::Combined, 1).unwrap();
    rename_genes(&mut d, &path).unwrap();
    assert_eq!(d.gene_ids, ensembl);
    d.validate("renamed").unwrap();
}

/// simulator.md §3 ranges (closed intervals) for one dataset.
struct Ranges {
    within_median: (f64, f64),
    top3: (f64, f64),
    eta2: (f64, f64),
}

fn ranges(which: SimDataset) -> Ranges {
    match which {
        SimDataset::Brca => Ranges { within_median: (0.06, 0.14), top3: (0.18, 0.32), eta2: (0.05, 0.15) },
        SimDataset::Combined => Ranges { within_median: (0.05, 0.14), top3: (0.35, 0.50), eta2: (0.35, 0.55) },
    }
}

/// Every §3 range that does not need logistic regression; returns the failures.
fn range_failures(which: SimDataset, s: &CalibrationStats) -> Vec<String> {
    let r = ranges(which);
    let checks: [(&str, f64, (f64, f64)); 14] = [
        ("gene mean p5", s.gene_mean[0], (6.2, 7.2)),
        ("gene mean p50", s.gene_mean[1], (9.4, 10.2)),
        ("gene mean p95", s.gene_mean[2], (11.5, 12.5)),
        ("gene SD p5", s.gene_sd[0], (0.45, 0.65)),
        ("gene SD p50", s.gene_sd[1], (0.85, 1.10)),
        ("gene SD p95", s.gene_sd[2], (2.0, 2.8)),
        ("corr(mean, SD)", s.corr_mean_sd, (-0.60, -0.38)),
        ("within-class median |r|", s.within_class_abs_r_median, r.within_median),
        ("within-class p99 |r|", s.within_class_abs_r_p99, (0.30, 0.55)),
        ("top-3 PC share", s.top3_pc_share, r.top3),
        ("eta^2 median", s.eta2_median, r.eta2),
        ("skew median", s.skew_median, (-0.30, 0.10)),
        ("skew p5", s.skew_p5, (f64::NEG_INFINITY, -0.2)),
        ("fraction < 5", s.frac_below_5, (0.005, 0.06)),
    ];
    let mut failures: Vec<String> = checks
        .iter()
        .filter(|(_, v, (lo, hi))| !(*lo..=*hi).contains(v))
        .map(|(name, v, (lo, hi))| format!("{name} = {v} not in [{lo}, {hi}]"))
        .collect();
    if s.min_value < 4.5 {
        failures.push(format!("minimum {} < 4.5", s.min_value));
    }
    if s.exact_zeros != 0 {
        failures.push(format!("{} exact zeros", s.exact_zeros));
    }
    failures
}

#[test]
#[cfg_attr(debug_assertions, ignore = "slow in debug builds: run with cargo test --release")]
fn calibration_ranges_hold_for_seeds_1_to_3() {
    let mut failures = Vec::new();
    for which in SimDataset::ALL {
        for seed in 1..=3 {
            let s = calibration_stats(&simulate(which, seed).unwrap());
            println!("{} seed {seed}: {:?}", which.name(), s.rows());
            failures
                .extend(range_failures(which, &s).into_iter().map(|f| format!("{} seed {seed}: {f}", which.name())));
        }
    }
    assert!(failures.is_empty(), "calibration failures:\n{}", failures.join("\n"));
}

/// Read a tidy CSV (`sample_id`, genes…, `label`; no quoting) into a Dataset.
fn read_tidy(path: &Path) -> std::io::Result<Dataset> {
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!((header[0], header[header.len() - 1]), ("sample_id", "label"));
    let p = header.len() - 2;
    let (mut ids, mut labels, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for line in lines.filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), p + 2, "ragged row {}", fields[0]);
        ids.push(fields[0].to_string());
        labels.push(fields[p + 1].to_string());
        values.extend(fields[1..=p].iter().map(|v| v.parse::<f64>().unwrap()));
    }
    Ok(Dataset {
        name: "real".into(),
        source: path.display().to_string(),
        x: Matrix::from_row_major(ids.len(), p, values).unwrap(),
        sample_ids: ids,
        gene_ids: header[1..=p].iter().map(|s| s.to_string()).collect(),
        labels,
        label_column: "label".into(),
    })
}

#[test]
#[ignore = "needs the shared real datasets (../shared/datasets or $BENCH_SHARED_DATASETS)"]
fn statistics_of_the_real_stand_in_match_its_stats_json() {
    let dir = common::shared_datasets().join("tcga_pancan6_rtcga_lm978");
    let d = read_tidy(&dir.join("data.csv")).unwrap();
    let json = std::fs::read_to_string(dir.join("stats.json")).unwrap();
    // stats.json was written by ../shared/datasets/compute_stats.py (numpy/scipy), rounded to 4
    // decimals (3 for corr_mean_sd).
    let want: serde_json::Value = serde_json::from_str(&json).unwrap();
    let s = calibration_stats(&d);
    println!("real stand-in: {:?}", s.rows());
    let close = |name: &str, got: f64, want: f64, tol: f64| {
        assert!((got - want).abs() <= tol + 1e-9, "{name}: {got} vs stats.json {want}");
    };
    let f = |v: &serde_json::Value| v.as_f64().unwrap();
    assert_eq!((s.n_samples, s.n_genes, s.n_classes), (337, 978, 6));
    for (i, key) in ["p5", "p50", "p95"].iter().enumerate() {
        close(key, s.gene_mean[i], f(&want["gene_mean_quantiles"][key]), 5e-5);
        close(key, s.gene_sd[i], f(&want["gene_sd_quantiles"][key]), 5e-5);
    }
    close("corr_mean_sd", s.corr_mean_sd, f(&want["corr_mean_sd"]), 5e-4);
    close("within median", s.within_class_abs_r_median, f(&want["abs_corr_within_class"]["median"]), 5e-5);
    close("within p99", s.within_class_abs_r_p99, f(&want["abs_corr_within_class"]["p99"]), 5e-5);
    let top3: f64 = want["pca_var_explained_top10"].as_array().unwrap()[..3].iter().map(f).sum();
    close("top-3 PC share", s.top3_pc_share, top3, 1.5e-4);
    close("eta2 median", s.eta2_median, f(&want["eta2_class_quantiles"]["p50"]), 5e-5);
    close("skew median", s.skew_median, f(&want["gene_skew_quantiles"]["p50"]), 5e-5);
    close("skew p5", s.skew_p5, f(&want["gene_skew_quantiles"]["p5"]), 5e-5);
    close("min", s.min_value, f(&want["value_quantiles"]["p0"]), 0.0);
    let zero_fraction = s.exact_zeros as f64 / (s.n_samples * s.n_genes) as f64;
    close("zero fraction", zero_fraction, f(&want["zero_fraction"]), 5e-6);
}

/// simulator.md §3: 5-fold stratified CV accuracy of L2 logistic regression (C = 0.1) on
/// standardised genes (scaler fitted on each train fold), and the largest off-diagonal pair of
/// the pooled confusion matrix (a↔b counted together).
fn cv_accuracy_and_confusion(d: &Dataset) -> (f64, (String, String)) {
    use bench::data::split::{stratified_kfold, SplitRng};
    use bench::numeric::logistic::{LrParams, OvrLr};
    use bench::numeric::scaler::StandardScaler;
    let classes = d.classes();
    let mut confusion = vec![vec![0usize; classes.len()]; classes.len()];
    let params = LrParams { c: 0.1, ..LrParams::default() };
    for split in stratified_kfold(&d.labels, 5, 0, SplitRng::Numpy).unwrap() {
        let (xtr, xte) = (d.x.select_rows(&split.train), d.x.select_rows(&split.test));
        let scaler = StandardScaler::fit(&xtr);
        let ytr: Vec<String> = split.train.iter().map(|&i| d.labels[i].clone()).collect();
        let model = OvrLr::fit(&scaler.transform(&xtr), &ytr, &params).unwrap();
        let predicted = model.predict_from_decision(&model.decision_function(&scaler.transform(&xte)));
        for (&i, &p) in split.test.iter().zip(&predicted) {
            let truth = classes.iter().position(|c| *c == d.labels[i]).unwrap();
            let guess = classes.iter().position(|c| *c == model.classes[p]).unwrap();
            confusion[truth][guess] += 1;
        }
    }
    let correct: usize = (0..classes.len()).map(|c| confusion[c][c]).sum();
    let pairs = (0..classes.len()).flat_map(|a| (a + 1..classes.len()).map(move |b| (a, b)));
    let best = pairs.map(|(a, b)| (confusion[a][b] + confusion[b][a], a, b)).fold((0, 0, 0), |best, x| {
        if x.0 > best.0 {
            x
        } else {
            best
        }
    });
    (correct as f64 / d.n_samples() as f64, (classes[best.1].clone(), classes[best.2].clone()))
}

#[test]
#[cfg_attr(debug_assertions, ignore = "slow in debug builds: run with cargo test --release")]
fn classifier_calibration_for_seeds_1_to_3() {
    let mut failures = Vec::new();
    for which in SimDataset::ALL {
        for seed in 1..=3 {
            let (accuracy, pair) = cv_accuracy_and_confusion(&simulate(which, seed).unwrap());
            println!("{} seed {seed}: CV accuracy {accuracy:.4}, largest confusion {pair:?}", which.name());
            let (range, pairs): ((f64, f64), &[(&str, &str)]) = match which {
                SimDataset::Brca => ((0.78, 0.90), &[("BRCA.LumA", "BRCA.LumB")]),
                SimDataset::Combined => ((0.96, 0.995), &[("TCGA-KIRC", "TCGA-KIRP"), ("TCGA-LUAD", "TCGA-LUSC")]),
            };
            if !(range.0..=range.1).contains(&accuracy) {
                failures.push(format!("{} seed {seed}: accuracy {accuracy} outside {range:?}", which.name()));
            }
            if !pairs.iter().any(|(a, b)| pair.0 == *a && pair.1 == *b) {
                failures.push(format!(
                    "{} seed {seed}: largest confusion {pair:?}, expected one of {pairs:?}",
                    which.name()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "classifier calibration failures:\n{}", failures.join("\n"));
}
