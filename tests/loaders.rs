//! Readers and writers of data-formats.md: round trips through every layout, one test per bad
//! input (each checks that the error names the file and the line, ID or column), and the real
//! datasets of §6 (ignored unless included: they need ../shared/datasets, see `common`).

mod common;
use bench::data::dataset::Dataset;
use bench::data::export::{
    export_challenge, export_tidy, read_kit_split, read_synthetic_split, write_real_split_files, write_synthetic_split,
};
use bench::data::load::{load_challenge, load_tidy, ChallengeOptions, TidyOptions};
use bench::data::matrix::Matrix;
use bench::data::split::{stratified_kfold, Fold, Split, SplitRng};
use bench::data::split_yaml::{read_splits, write_splits};
use std::io::Write;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn tidy_opts() -> TidyOptions {
    TidyOptions { id_column: "sample_id".into(), label_column: "label".into(), drop_unlabelled: false, na_label: None }
}

fn challenge_opts(label_column: &str) -> ChallengeOptions {
    ChallengeOptions {
        sample_column: "samplesID".into(),
        label_column: label_column.into(),
        drop_unlabelled: false,
        na_label: None,
    }
}

/// A small dataset with awkward IDs (quotes, commas, numeric-looking) and values that stress
/// shortest round-trip formatting (subnormal, huge, negative zero, many digits).
fn awkward_dataset() -> Dataset {
    let sample_ids: Vec<String> = ["S1", "007", "true", "1e3", "a,b", "say \"hi\"", "null", "S 8", "-5", "x: y"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let gene_ids: Vec<String> = ["ENSG00000000003", "G,2", "TP53", "1"].iter().map(|s| s.to_string()).collect();
    // The largest special stays below the load bound of ±1e100 (data-formats.md §0).
    let specials = [5e-324, -0.0, 1.2345678901234567e99, 0.1 + 0.2, -7.25, 1e-300, 123456789.0, 2.5];
    let n = sample_ids.len();
    let p = gene_ids.len();
    let data: Vec<f64> =
        (0..n * p).map(|i| specials[i % specials.len()] * if i % 3 == 0 { 1.0 } else { (i as f64).sqrt() }).collect();
    let labels: Vec<String> =
        (0..n).map(|i| ["BRCA.LumA", "BRCA.Basal", "Her2, amplified"][i % 3].to_string()).collect();
    Dataset {
        name: "awkward".into(),
        source: "test".into(),
        sample_ids,
        gene_ids,
        x: Matrix::from_row_major(n, p, data).unwrap(),
        labels,
        label_column: "Subtype".into(),
    }
}

fn assert_same_data(a: &Dataset, b: &Dataset) {
    assert_eq!(a.sample_ids, b.sample_ids);
    assert_eq!(a.gene_ids, b.gene_ids);
    assert_eq!(a.labels, b.labels);
    let bits = |m: &Matrix| m.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!((a.x.rows(), a.x.cols()), (b.x.rows(), b.x.cols()));
    assert_eq!(bits(&a.x), bits(&b.x), "matrices differ bitwise");
}

fn err<T: std::fmt::Debug>(r: bench::error::Result<T>) -> String {
    r.unwrap_err().to_string()
}

/// Assert that `msg` contains every fragment.
fn assert_names(msg: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(msg.contains(f), "error should mention {f:?}: {msg}");
    }
}

// ---------------------------------------------------------------- round trips

#[test]
fn tidy_export_round_trips_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let d = awkward_dataset();
    let path = dir.path().join("out.csv");
    export_tidy(&d, &path).unwrap();
    let back = load_tidy("awkward", &path, &TidyOptions { label_column: "Subtype".into(), ..tidy_opts() }).unwrap();
    assert_same_data(&d, &back);
    back.validate("round trip").unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"\xef\xbb\xbf") && !bytes.contains(&b'\r'), "no BOM, LF endings");
}

#[test]
fn challenge_export_round_trips_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let d = awkward_dataset();
    let files = export_challenge(&d, dir.path(), "TCGA-TEST").unwrap();
    assert!(files.matrix.ends_with("TCGA-TEST_primary_tumor_star_deseq_VST_lmgenes.tsv"));
    assert!(files.meta.ends_with("TCGA-TEST_primary_tumor_subtypes.csv"));
    let meta = std::fs::read_to_string(&files.meta).unwrap();
    assert!(meta.starts_with("samplesID,sample_type,Subtype\nS1,Primary Tumor,BRCA.LumA\n"), "{meta}");
    let back = load_challenge("awkward", &files.matrix, &files.meta, &challenge_opts("Subtype")).unwrap();
    assert_same_data(&d, &back);
    assert_eq!(back.label_column, "Subtype");
}

#[test]
fn gzip_and_bom_inputs_are_read_transparently() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}sample_id,g1,label\r\ns1,1.5,A\r\ns2,-2e-3,B\r\n";
    let gz = dir.path().join("d.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    let d = load_tidy("gz", &gz, &tidy_opts()).unwrap();
    assert_eq!(d.sample_ids, ["s1", "s2"]);
    assert_eq!(d.x.as_slice(), &[1.5, -2e-3]);
    assert_eq!(d.labels, ["A", "B"]);
}

#[test]
fn tidy_columns_are_found_by_name_at_any_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "t.csv", "g2,label,g1,sample_id\n1,A,2,s1\n3,B,4,s2\n");
    let d = load_tidy("t", &p, &tidy_opts()).unwrap();
    assert_eq!(d.gene_ids, ["g2", "g1"]);
    assert_eq!(d.x.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(d.labels, ["A", "B"]);
}

#[test]
fn split_yaml_round_trips_with_numeric_looking_ids() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = awkward_dataset();
    d.labels = (0..d.n_samples()).map(|i| if i % 2 == 0 { "A" } else { "B" }.to_string()).collect();
    let splits = stratified_kfold(&d.labels, 2, 7, SplitRng::Numpy).unwrap();
    let path = dir.path().join("splits.yaml");
    write_splits(&path, &d, &splits, "seed=7 k=2 algorithm=stratified-kfold rng=numpy").unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# seed=7 k=2 algorithm=stratified-kfold rng=numpy\nsplits:\n  split_1:\n"), "{text}");
    assert!(text.contains("- '007'") && text.contains("- 'true'") && text.contains("- 'x: y'"), "{text}");
    assert_eq!(read_splits(&path, &d).unwrap(), splits);
}

#[test]
fn split_yaml_matches_unquoted_numeric_scalars_by_source_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = awkward_dataset();
    d.sample_ids =
        ["007", "true", "1e3", "0x1F", "1.50", "TCGA-1", "null", "~"].iter().map(|s| s.to_string()).collect();
    d.x = Matrix::zeros(8, 4);
    d.labels = vec!["A".into(); 8];
    let yaml = "# made by hand\nmeta: {seed: 1}\nsplits:\n  split_2:\n    train_index: [007, true, 1e3, 0x1F]\n    \
                test_index:\n      - 1.50\n      - TCGA-1\n      - null\n      - ~\n  split_1:\n    \
                test_index: [007, true, 1e3, 0x1F]\n    train_index: [\"1.50\", 'TCGA-1', null, ~]\n";
    let p = write(dir.path(), "s.yaml", yaml);
    let s = read_splits(&p, &d).unwrap();
    assert_eq!(s[0], Split { number: 1, train: vec![4, 5, 6, 7], test: vec![0, 1, 2, 3] });
    assert_eq!(s[1], Split { number: 2, train: vec![0, 1, 2, 3], test: vec![4, 5, 6, 7] });
}

fn fold_fixture() -> (Dataset, Vec<Split>) {
    let n = 12;
    let genes: Vec<String> = (0..5).map(|j| format!("ENSG0000000000{j}")).collect();
    let data: Vec<f64> = (0..n * genes.len()).map(|i| (i as f64) * 0.37 - 3.0).collect();
    let d = Dataset {
        name: "kit".into(),
        source: "test".into(),
        sample_ids: (0..n).map(|i| format!("S{i}")).collect(),
        gene_ids: genes,
        x: Matrix::from_row_major(n, 5, data).unwrap(),
        labels: (0..n).map(|i| ["BRCA.LumA", "BRCA.Basal"][i % 2].to_string()).collect(),
        label_column: "Subtype".into(),
    };
    let splits = stratified_kfold(&d.labels, 3, 42, SplitRng::Numpy).unwrap();
    (d, splits)
}

/// Real split files + a synthetic submission whose columns are written in reverse order.
fn write_kit(dir: &Path) -> (Dataset, Fold) {
    let (d, splits) = fold_fixture();
    let fold = Fold::new(&d, &splits[0], (0.0, 20.0));
    write_real_split_files(dir, &fold, "Subtype").unwrap();
    let rev: Vec<usize> = (0..d.n_genes()).rev().collect();
    let genes_rev: Vec<String> = rev.iter().map(|&j| d.gene_ids[j].clone()).collect();
    let train = fold.train();
    write_synthetic_split(dir, 1, &train.x.select_cols(&rev), &train.labels, &genes_rev, "Subtype", false).unwrap();
    (d, fold)
}

#[test]
fn kit_files_round_trip_and_synthetic_columns_are_matched_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (d, fold) = write_kit(dir.path());
    for f in ["X_train_real_split_1.csv", "y_test_real_split_1.csv", "synthetic_labels_split_1.csv"] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    let y = std::fs::read_to_string(dir.path().join("synthetic_labels_split_1.csv")).unwrap();
    assert!(y.starts_with("Subtype\nBRCA."), "{y}");
    let kit = read_kit_split(dir.path(), dir.path(), 1, None, None).unwrap();
    assert_eq!(kit.gene_ids, d.gene_ids);
    assert_eq!(kit.classes, ["BRCA.Basal", "BRCA.LumA"]);
    assert_eq!(kit.train.x, fold.train().x);
    assert_eq!(kit.test.x, fold.test().x);
    assert_eq!(kit.test.labels, fold.test().labels);
    assert_eq!(kit.synthetic.x, fold.train().x, "reversed columns are re-ordered by name");
    assert!(kit.warnings.is_empty());
}

#[test]
fn synthetic_row_count_different_from_train_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (d, fold) = write_kit(dir.path());
    let x = fold.train().x.select_rows(&[0, 1, 2]);
    write_synthetic_split(dir.path(), 1, &x, &fold.train().labels[..3], &d.gene_ids, "Subtype", false).unwrap();
    let classes = d.classes();
    let (s, warnings) = read_synthetic_split(dir.path(), 1, &d.gene_ids, &classes, fold.train().x.rows()).unwrap();
    assert_eq!(s.x.rows(), 3);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("3 synthetic rows but the train fold has 8"), "{}", warnings[0]);
}

// ---------------------------------------------------------------- bad inputs: CSV / TSV

#[test]
/// The csv crate reads malformed quoting leniently (text after a closing quote is kept; an
/// unclosed quote runs to the end of the file); the record then fails a later check that names
/// the file and the line.
fn malformed_quoting_is_rejected_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.csv", "sample_id,g1,label\ns1,1,A\ns2,\"2\"x,B\n");
    assert_names(&err(load_tidy("t", &p, &tidy_opts())), &["bad.csv", "line 3, column 2", "is not a number"]);
    let p = write(dir.path(), "open.csv", "sample_id,g1,label\ns1,\"1,A\ns2,2,B\n");
    assert_names(
        &err(load_tidy("t", &p, &tidy_opts())),
        &["open.csv", "line 2 has 2 field(s)", "header (line 1) has 3"],
    );
}

#[test]
fn non_numeric_cell_names_file_line_column_and_sample() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "d.csv", "sample_id,g1,g2,label\ns1,1,2,A\ns2,3,abc,B\n");
    assert_names(
        &err(load_tidy("t", &p, &tidy_opts())),
        &["d.csv", "line 3, column 3", "gene 'g2'", "sample 's2'", "'abc' is not a number"],
    );
}

#[test]
fn nan_in_challenge_matrix_names_sample_and_gene() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.tsv", "\ts1\ts2\ng1\t1\t2\ng2\t3\tNaN\n");
    let meta = write(dir.path(), "meta.csv", "samplesID,Subtype\ns1,A\ns2,B\n");
    assert_names(
        &err(load_challenge("c", &m, &meta, &challenge_opts("Subtype"))),
        &["m.tsv", "line 3, column 3", "sample 's2'", "gene 'g2'", "non-finite value 'NaN'"],
    );
    let m = write(dir.path(), "inf.tsv", "\ts1\ts2\ng1\t1\t-inf\n");
    assert_names(&err(load_challenge("c", &m, &meta, &challenge_opts("Subtype"))), &["inf.tsv", "line 2, column 3"]);
}

#[test]
fn empty_cell_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "e.csv", "sample_id,g1,g2,label\ns1,,2,A\n");
    assert_names(&err(load_tidy("t", &p, &tidy_opts())), &["e.csv", "line 2, column 2", "gene 'g1'", "empty cell"]);
}

#[test]
fn duplicate_sample_ids_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "d.csv", "sample_id,g1,label\ns1,1,A\ns2,2,B\ns1,3,A\n");
    assert_names(&err(load_tidy("t", &p, &tidy_opts())), &["d.csv", "line 4", "duplicate sample ID 's1'", "line 2"]);
    let m = write(dir.path(), "m.tsv", "gene\ts1\ts2\ts1\ng1\t1\t2\t3\n");
    let meta = write(dir.path(), "meta.csv", "samplesID,Subtype\ns1,A\ns2,B\n");
    assert_names(
        &err(load_challenge("c", &m, &meta, &challenge_opts("Subtype"))),
        &["m.tsv", "line 1, column 4", "duplicate sample ID 's1'", "column 2"],
    );
}

#[test]
fn duplicate_genes_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.tsv", "\ts1\ts2\nTP53\t1\t2\nBRCA1\t1\t2\nTP53\t3\t4\n");
    let meta = write(dir.path(), "meta.csv", "samplesID,Subtype\ns1,A\ns2,B\n");
    assert_names(
        &err(load_challenge("c", &m, &meta, &challenge_opts("Subtype"))),
        &["m.tsv", "line 4, column 1", "duplicate gene ID 'TP53'", "line 2"],
    );
    let p = write(dir.path(), "t.csv", "sample_id,TP53,label,TP53\ns1,1,A,2\n");
    assert_names(&err(load_tidy("t", &p, &tidy_opts())), &["t.csv", "line 1, column 4", "duplicate gene ID 'TP53'"]);
}

#[test]
fn ragged_rows_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.csv", "sample_id,g1,label\ns1,1,A\ns2,2\n");
    assert_names(&err(load_tidy("t", &p, &tidy_opts())), &["r.csv", "line 3 has 2 field(s)", "has 3"]);
}

// ---------------------------------------------------------------- bad inputs: meta join

#[test]
fn missing_meta_row_is_an_error_and_extra_rows_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.tsv", "\ts1\ts2\ts3\ng1\t1\t2\t3\n");
    let meta = write(dir.path(), "meta.csv", "samplesID,other,Subtype\ns1,x,A\ns3,y,B\nzz,w,C\n");
    assert_names(
        &err(load_challenge("c", &m, &meta, &challenge_opts("Subtype"))),
        &["meta.csv", "no row (column 'samplesID') for 1 of the 3 matrix samples", "'s2'"],
    );
    let meta = write(dir.path(), "meta2.csv", "Subtype,samplesID\nA,s1\nB,s2\nC,zz\nA,s3\n");
    let d = load_challenge("c", &m, &meta, &challenge_opts("Subtype")).unwrap();
    assert_eq!(d.labels, ["A", "B", "A"]);
}

#[test]
fn duplicate_meta_row_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.tsv", "\ts1\ts2\ng1\t1\t2\n");
    let meta = write(dir.path(), "meta.csv", "samplesID,Subtype\ns1,A\ns2,B\ns1,A\n");
    assert_names(
        &err(load_challenge("c", &m, &meta, &challenge_opts("Subtype"))),
        &["meta.csv", "line 4", "second meta row for sample 's1'", "line 2"],
    );
}

#[test]
fn missing_label_column_lists_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.tsv", "\ts1\ng1\t1\n");
    let meta = write(dir.path(), "meta.csv", "samplesID,cancer_type\ns1,A\n");
    assert_names(
        &err(load_challenge("c", &m, &meta, &challenge_opts("Subtype"))),
        &["meta.csv", "line 1", "no column named 'Subtype'", "'cancer_type'"],
    );
}

#[test]
fn missing_labels_error_unless_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "l.csv", "sample_id,g1,label\ns1,1,A\ns2,2,\ns3,3,NA\ns4,4,B\n");
    assert_names(&err(load_tidy("t", &p, &tidy_opts())), &["l.csv", "line 3", "sample 's2'", "empty label"]);
    let kept = load_tidy("t", &p, &TidyOptions { drop_unlabelled: true, ..tidy_opts() }).unwrap();
    assert_eq!(kept.sample_ids, ["s1", "s4"], "NA is a missing label by default");
    assert_eq!(kept.x.as_slice(), &[1.0, 4.0]);
    let opts = TidyOptions { drop_unlabelled: true, na_label: Some(String::new()), ..tidy_opts() };
    let kept = load_tidy("t", &p, &opts).unwrap();
    assert_eq!(kept.sample_ids, ["s1", "s3", "s4"], "na_label = \"\" makes NA a class");
    let p = write(dir.path(), "n.csv", "sample_id,g1,label\ns1,1,A\ns3,3,NA\n");
    assert_names(&err(load_tidy("t", &p, &tidy_opts())), &["n.csv", "line 3", "label 'NA' is a missing label"]);
}

// ---------------------------------------------------------------- bad inputs: kit files

#[test]
fn gene_mismatch_between_kit_files_lists_genes_and_hints() {
    let dir = tempfile::tempdir().unwrap();
    let (d, fold) = write_kit(dir.path());
    let versioned: Vec<String> = d.gene_ids.iter().map(|g| format!("{g}.7")).collect();
    write_synthetic_split(dir.path(), 1, &fold.train().x, &fold.train().labels, &versioned, "Subtype", false).unwrap();
    assert_names(
        &err(read_kit_split(dir.path(), dir.path(), 1, None, None)),
        &[
            "synthetic_data_split_1.csv",
            "5 missing ('ENSG00000000000'",
            "5 unexpected ('ENSG00000000000.7'",
            "version suffix",
        ],
    );
    // X_test with one gene renamed: a mismatch between the real kit files themselves.
    let x_test = dir.path().join("X_test_real_split_1.csv");
    let text = std::fs::read_to_string(&x_test).unwrap().replacen("ENSG00000000004", "TP53", 1);
    std::fs::write(&x_test, text).unwrap();
    assert_names(
        &err(read_kit_split(dir.path(), dir.path(), 1, None, None)),
        &["X_test_real_split_1.csv", "1 missing ('ENSG00000000004')", "1 unexpected ('TP53')"],
    );
}

#[test]
fn unknown_synthetic_label_names_it_and_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (d, fold) = write_kit(dir.path());
    let mut labels = fold.train().labels.clone();
    labels[2] = "LumA".into();
    write_synthetic_split(dir.path(), 1, &fold.train().x, &labels, &d.gene_ids, "Subtype", false).unwrap();
    assert_names(
        &err(read_kit_split(dir.path(), dir.path(), 1, None, None)),
        &["synthetic_labels_split_1.csv", "unknown label(s) 'LumA'", "'BRCA.Basal', 'BRCA.LumA'", "prefix"],
    );
}

#[test]
fn non_finite_synthetic_value_and_label_count_mismatch_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (d, fold) = write_kit(dir.path());
    let mut x = fold.train().x.clone();
    x.set(1, 3, f64::INFINITY);
    write_synthetic_split(dir.path(), 1, &x, &fold.train().labels, &d.gene_ids, "Subtype", false).unwrap();
    assert_names(
        &err(read_kit_split(dir.path(), dir.path(), 1, None, None)),
        &["synthetic_data_split_1.csv", "line 3, column 4", "row 2", "gene 'ENSG00000000003'", "non-finite"],
    );
    write_synthetic_split(dir.path(), 1, &fold.train().x, &fold.train().labels, &d.gene_ids, "Subtype", false).unwrap();
    let y = dir.path().join("synthetic_labels_split_1.csv");
    let short: String = std::fs::read_to_string(&y).unwrap().lines().take(4).map(|l| format!("{l}\n")).collect();
    std::fs::write(&y, short).unwrap();
    assert_names(
        &err(read_kit_split(dir.path(), dir.path(), 1, None, None)),
        &["synthetic_labels_split_1.csv", "3 label rows", "8 data rows"],
    );
    std::fs::write(&y, "idx,Subtype\n0,BRCA.LumA\n").unwrap();
    assert_names(
        &err(read_kit_split(dir.path(), dir.path(), 1, None, None)),
        &["synthetic_labels_split_1.csv", "line 1", "exactly one"],
    );
}

#[test]
fn missing_split_file_names_the_split() {
    let dir = tempfile::tempdir().unwrap();
    write_kit(dir.path());
    std::fs::remove_file(dir.path().join("synthetic_data_split_1.csv")).unwrap();
    assert_names(
        &err(read_kit_split(dir.path(), dir.path(), 1, None, None)),
        &["split 1", "synthetic_data_split_1.csv"],
    );
    assert_names(&err(read_kit_split(dir.path(), dir.path(), 2, None, None)), &["split 2", "X_train_real_split_2.csv"]);
}

// ---------------------------------------------------------------- bad inputs: split YAML

fn yaml_fixture() -> (tempfile::TempDir, Dataset) {
    let (d, _) = fold_fixture();
    (tempfile::tempdir().unwrap(), d)
}

fn ids(range: std::ops::Range<usize>) -> String {
    range.map(|i| format!("S{i}")).collect::<Vec<_>>().join(", ")
}

#[test]
fn yaml_unknown_id_names_id_split_and_line() {
    let (dir, d) = yaml_fixture();
    let yaml =
        format!("splits:\n  split_1:\n    train_index: [{}]\n    test_index: [{}, S99]\n", ids(0..8), ids(8..12));
    let p = write(dir.path(), "s.yaml", &yaml);
    assert_names(&err(read_splits(&p, &d)), &["s.yaml", "line 4", "split_1 test_index", "unknown sample ID 'S99'"]);
}

#[test]
fn yaml_overlapping_train_and_test_is_an_error() {
    let (dir, d) = yaml_fixture();
    let yaml = format!("splits:\n  split_1:\n    train_index: [{}]\n    test_index:\n    - S8\n    - S3\n", ids(0..8));
    let p = write(dir.path(), "s.yaml", &yaml);
    assert_names(&err(read_splits(&p, &d)), &["s.yaml", "line 6", "split_1", "'S3' is in both train_index (line 3)"]);
    let yaml = format!("splits:\n  split_1:\n    train_index: [S0, {}]\n    test_index: [{}]\n", ids(0..8), ids(8..12));
    let p = write(dir.path(), "twice.yaml", &yaml);
    assert_names(&err(read_splits(&p, &d)), &["twice.yaml", "line 3", "'S0' listed twice"]);
}

#[test]
fn yaml_test_parts_must_partition_and_cover() {
    let (dir, d) = yaml_fixture();
    let yaml = format!(
        "splits:\n  split_1:\n    train_index: [{}]\n    test_index: [{}]\n  split_2:\n    train_index: [{}]\n    \
         test_index: [{}]\n",
        ids(0..8),
        ids(8..12),
        ids(2..12),
        ids(0..2)
    );
    let p = write(dir.path(), "p.yaml", &yaml);
    assert_names(&err(read_splits(&p, &d)), &["p.yaml", "do not partition", "sample 'S2' is in 0 test parts"]);
    let yaml = format!("splits:\n  split_1:\n    train_index: [{}]\n    test_index: [{}]\n", ids(0..7), ids(8..12));
    let p = write(dir.path(), "gap.yaml", &yaml);
    assert_names(&err(read_splits(&p, &d)), &["gap.yaml", "split_1 leaves 1 sample(s) out", "'S7'"]);
}

#[test]
fn yaml_numeric_looking_ids_are_not_converted() {
    let (dir, mut d) = yaml_fixture();
    d.sample_ids[0] = "7".into();
    // `007` is the integer 7 to a typed YAML loader; bench must match its literal text.
    let yaml =
        format!("splits:\n  split_1:\n    train_index: [007, {}]\n    test_index: [{}]\n", ids(1..8), ids(8..12));
    let p = write(dir.path(), "n.yaml", &yaml);
    assert_names(&err(read_splits(&p, &d)), &["n.yaml", "line 3", "unknown sample ID '007'"]);
    let p = write(dir.path(), "ok.yaml", &yaml.replace("007", "7"));
    assert_eq!(read_splits(&p, &d).unwrap()[0].test, (8..12).collect::<Vec<_>>());
}

// ---------------------------------------------------------------- real datasets (data-formats.md §6)

/// Load a §6 dataset as tidy CSV and compare shape and class counts with its stats.json.
fn check_against_stats(folder: &str) {
    let dir = common::shared_datasets().join(folder);
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("stats.json")).unwrap()).unwrap();
    let d = load_tidy(folder, &dir.join("data.csv"), &tidy_opts()).unwrap();
    d.validate(folder).unwrap();
    assert_eq!(d.n_samples() as u64, stats["n_samples"].as_u64().unwrap());
    assert_eq!(d.n_genes() as u64, stats["n_genes"].as_u64().unwrap());
    let expected = stats["class_counts"].as_object().unwrap();
    let counts = d.class_counts();
    assert_eq!(counts.len(), expected.len());
    for (class, n) in counts {
        assert_eq!(Some(n as u64), expected[&class].as_u64(), "class {class}");
    }
}

#[test]
#[ignore = "needs the shared real datasets (../shared/datasets or $BENCH_SHARED_DATASETS)"]
fn real_brca_jegn_loads_with_the_documented_shape() {
    check_against_stats("tcga_brca_pam50_jegn");
}

#[test]
#[ignore = "needs the shared real datasets (../shared/datasets or $BENCH_SHARED_DATASETS)"]
fn real_pancan6_loads_with_the_documented_shape() {
    check_against_stats("tcga_pancan6_rtcga_lm978");
}
