//! Writers for the challenge layout, tidy CSV and the submission layout, and the reader of the
//! challenge kit's per-split files (data-formats.md §1, §2, §4).
//!
//! Every file is UTF-8 without BOM, LF line endings, numbers in shortest round-trip form
//! ([`fmt_f64`]), written atomically ([`write_atomic`]).

use super::dataset::{classes as sorted_classes, Dataset, Labelled};
use super::load::{self, check_width, list_ids, match_genes, parse_number, read_text, CsvReader};
use super::matrix::Matrix;
use super::split::Fold;
use crate::error::Result;
use crate::io::{csv_field, fmt_f64, write_atomic};
use crate::{bail, ensure};
use csv::StringRecord;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Header of the ID column in tidy exports (the default `id_column`, data-formats.md §2).
pub const TIDY_ID_COLUMN: &str = "sample_id";
/// Sample column of the challenge meta CSV (the default `sample_column`, data-formats.md §1).
pub const META_SAMPLE_COLUMN: &str = "samplesID";
/// `sample_type` written to every meta row: the challenge data are primary tumours.
pub const META_SAMPLE_TYPE: &str = "Primary Tumor";

/// Write the dataset as one tidy CSV (data-formats.md §2): `sample_id`, the genes in column
/// order, then the label column under the dataset's `label_column` name; rows in dataset order.
pub fn export_tidy(dataset: &Dataset, path: &Path) -> Result<()> {
    let clash = dataset.gene_ids.iter().find(|g| *g == TIDY_ID_COLUMN || **g == dataset.label_column);
    if let Some(g) = clash {
        bail!("cannot write {}: gene ID '{g}' clashes with the ID or label column name", path.display());
    }
    ensure!(
        dataset.label_column != TIDY_ID_COLUMN,
        "cannot write {}: label column named '{TIDY_ID_COLUMN}'",
        path.display()
    );
    let mut out = String::with_capacity(estimated_size(&dataset.x));
    push_record(
        &mut out,
        std::iter::once(TIDY_ID_COLUMN).chain(str_iter(&dataset.gene_ids)).chain([dataset.label_column.as_str()]),
    );
    for (i, row) in dataset.x.row_iter().enumerate() {
        out.push_str(&csv_field(&dataset.sample_ids[i]));
        for &v in row {
            out.push(',');
            out.push_str(&fmt_f64(v));
        }
        out.push(',');
        out.push_str(&csv_field(&dataset.labels[i]));
        out.push('\n');
    }
    write_atomic(path, out.as_bytes())
}

/// Paths of a challenge-layout export.
#[derive(Clone, Debug)]
pub struct ChallengeFiles {
    pub matrix: PathBuf,
    pub meta: PathBuf,
}

/// Write the dataset in the challenge layout (data-formats.md §1) into `dir`:
/// `{prefix}_primary_tumor_star_deseq_VST_lmgenes.tsv` (genes × samples, empty first header
/// cell) and `{prefix}_primary_tumor_subtypes.csv` (columns `samplesID`, `sample_type` =
/// `Primary Tumor`, and the label column). With `prefix = "TCGA-BRCA"` these are the upstream
/// file names.
pub fn export_challenge(dataset: &Dataset, dir: &Path, file_prefix: &str) -> Result<ChallengeFiles> {
    let files = ChallengeFiles {
        matrix: dir.join(format!("{file_prefix}_primary_tumor_star_deseq_VST_lmgenes.tsv")),
        meta: dir.join(format!("{file_prefix}_primary_tumor_subtypes.csv")),
    };
    ensure!(
        dataset.label_column != META_SAMPLE_COLUMN && dataset.label_column != "sample_type",
        "cannot write {}: label column '{}' clashes with a fixed meta column",
        files.meta.display(),
        dataset.label_column
    );
    let (n, p) = (dataset.n_samples(), dataset.n_genes());
    let mut tsv = String::with_capacity(estimated_size(&dataset.x));
    for id in &dataset.sample_ids {
        tsv.push('\t');
        tsv.push_str(&tsv_field(id));
    }
    tsv.push('\n');
    for g in 0..p {
        tsv.push_str(&tsv_field(&dataset.gene_ids[g]));
        for s in 0..n {
            tsv.push('\t');
            tsv.push_str(&fmt_f64(dataset.x.get(s, g)));
        }
        tsv.push('\n');
    }
    write_atomic(&files.matrix, tsv.as_bytes())?;

    let mut meta = String::new();
    push_record(&mut meta, [META_SAMPLE_COLUMN, "sample_type", dataset.label_column.as_str()]);
    for (id, label) in dataset.sample_ids.iter().zip(&dataset.labels) {
        push_record(&mut meta, [id.as_str(), META_SAMPLE_TYPE, label.as_str()]);
    }
    write_atomic(&files.meta, meta.as_bytes())?;
    Ok(files)
}

/// `synthetic_data_split_{k}.csv` (header = gene IDs, no ID column).
pub fn synthetic_data_file(k: usize) -> String {
    format!("synthetic_data_split_{k}.csv")
}

/// `synthetic_labels_split_{k}.csv` (one column, header = label column).
pub fn synthetic_labels_file(k: usize) -> String {
    format!("synthetic_labels_split_{k}.csv")
}

/// The real per-split file names the kit reads: `{X,y}_{train,test}_real_split_{k}.csv`.
pub fn real_split_file(kind: char, part: &str, k: usize) -> String {
    format!("{kind}_{part}_real_split_{k}.csv")
}

/// Write one split's synthetic submission (data-formats.md §4) into `dir`: the data file with
/// the gene columns in `gene_ids` order (the real column order, which the official evaluator
/// relies on) and the labels file with header `label_column`; with `gzip`, as `.csv.gz`.
pub fn write_synthetic_split(
    dir: &Path,
    k: usize,
    x: &Matrix,
    labels: &[String],
    gene_ids: &[String],
    label_column: &str,
    gzip: bool,
) -> Result<()> {
    let suffix = if gzip { ".gz" } else { "" };
    ensure!(labels.len() == x.rows(), "split {k}: {} synthetic labels for {} rows", labels.len(), x.rows());
    write_matrix_csv(&dir.join(format!("{}{suffix}", synthetic_data_file(k))), x, gene_ids)?;
    write_label_csv(&dir.join(format!("{}{suffix}", synthetic_labels_file(k))), labels, label_column)
}

/// Write the real per-split files of one fold that the kit reads (data-formats.md §4):
/// `X_train/X_test_real_split_{k}.csv` (header = the fold's gene IDs, rows in dataset order)
/// and `y_train/y_test_real_split_{k}.csv` (header = `label_column`). Real data: write only
/// into the user's output directory.
pub fn write_real_split_files(dir: &Path, fold: &Fold, label_column: &str) -> Result<()> {
    let k = fold.number;
    for (part, data) in [("train", fold.train()), ("test", fold.test())] {
        write_matrix_csv(&dir.join(real_split_file('X', part, k)), &data.x, &fold.schema.gene_ids)?;
        write_label_csv(&dir.join(real_split_file('y', part, k)), &data.labels, label_column)?;
    }
    Ok(())
}

/// Write the real train rows of split `k` in the kit layout (`X_train_real_split_{k}.csv`,
/// `y_train_real_split_{k}.csv` with header `label_column`): the train fold an external
/// generator receives (README "External generators").
pub fn write_train_split_files(
    dir: &Path,
    k: usize,
    train: &Labelled,
    gene_ids: &[String],
    label_column: &str,
) -> Result<()> {
    write_matrix_csv(&dir.join(real_split_file('X', "train", k)), &train.x, gene_ids)?;
    write_label_csv(&dir.join(real_split_file('y', "train", k)), &train.labels, label_column)
}

/// The real train rows of one kit split, as `bench generate` reads them.
#[derive(Clone, Debug)]
pub struct RealTrain {
    /// The header of `X_train_real_split_{k}.csv`, in file order.
    pub gene_ids: Vec<String>,
    pub train: Labelled,
    /// The header of `y_train_real_split_{k}.csv`.
    pub label_column: String,
    /// The labels of `y_test_real_split_{k}.csv` when that file exists (for the class set).
    pub test_labels: Vec<String>,
}

/// Read split `k`'s real train rows (`X_train_real_split_{k}.csv` and `y_train_…`, `.gz`
/// variants accepted) and, when present, the test labels. Errors name the file.
pub fn read_real_train(dir: &Path, k: usize) -> Result<RealTrain> {
    let x = read_matrix_csv(&kit_file(dir, &real_split_file('X', "train", k), k)?)?;
    let gene_ids = x.header.clone();
    let y_path = kit_file(dir, &real_split_file('y', "train", k), k)?;
    let train = read_labelled(x, &y_path, &gene_ids)?;
    let label_column = {
        let text = read_text(&y_path)?;
        let mut reader = CsvReader::new(&text, b',', &y_path);
        let mut fields = StringRecord::new();
        reader.header(&mut fields)?;
        fields.get(0).unwrap_or_default().to_string()
    };
    let test_labels = match kit_file(dir, &real_split_file('y', "test", k), k) {
        Ok(path) => read_label_csv(&path)?,
        Err(_) => Vec::new(),
    };
    Ok(RealTrain { gene_ids, train, label_column, test_labels })
}

/// One split of the challenge kit read back: real train/test rows and the synthetic rows,
/// all with columns in `gene_ids` order.
#[derive(Clone, Debug)]
pub struct KitSplit {
    pub number: usize,
    pub gene_ids: Vec<String>,
    /// The real label set that synthetic labels were checked against (sorted).
    pub classes: Vec<String>,
    pub train: Labelled,
    pub test: Labelled,
    pub synthetic: Labelled,
    /// Non-fatal findings for the report (e.g. synthetic row count ≠ train size).
    pub warnings: Vec<String>,
}

/// Read split `k` of the challenge kit: the real files from `real_dir`
/// (`X_train_real_split_{k}.csv`, `y_train_…`, `X_test_…`, `y_test_…`) and the synthetic files
/// from `synthetic_dir` (`synthetic_data_split_{k}.csv`, `synthetic_labels_split_{k}.csv`);
/// the two may be the same directory. A `.csv.gz` variant is used when the `.csv` is absent.
///
/// Gene order: `gene_ids` when given, otherwise the header of `X_train`. Every X file is
/// matched to it by name (metrics.md §0.4.1). Class set: `classes` when given, otherwise
/// `classes(y_train ∪ y_test)`; synthetic labels must belong to it (§0.4.3).
pub fn read_kit_split(
    real_dir: &Path,
    synthetic_dir: &Path,
    k: usize,
    gene_ids: Option<&[String]>,
    classes: Option<&[String]>,
) -> Result<KitSplit> {
    let train_x = read_matrix_csv(&kit_file(real_dir, &real_split_file('X', "train", k), k)?)?;
    let gene_ids = gene_ids.map_or_else(|| train_x.header.clone(), <[String]>::to_vec);
    let train = read_labelled(train_x, &kit_file(real_dir, &real_split_file('y', "train", k), k)?, &gene_ids)?;
    let test_x = read_matrix_csv(&kit_file(real_dir, &real_split_file('X', "test", k), k)?)?;
    let test = read_labelled(test_x, &kit_file(real_dir, &real_split_file('y', "test", k), k)?, &gene_ids)?;
    let classes = match classes {
        Some(c) => c.to_vec(),
        None => sorted_classes(&[train.labels.as_slice(), test.labels.as_slice()].concat()),
    };
    let (synthetic, warnings) = read_synthetic_split(synthetic_dir, k, &gene_ids, &classes, train.x.rows())?;
    Ok(KitSplit { number: k, gene_ids, classes, train, test, synthetic, warnings })
}

/// Read one split's synthetic submission from `dir` (data-formats.md §4, metrics.md §0.4):
/// columns matched to `gene_ids` by name and re-ordered, values finite, exactly one label
/// column with one label per data row, labels in `classes`, at least 2 rows. Returns the rows
/// and the warnings (a row count different from `train_rows`).
pub fn read_synthetic_split(
    dir: &Path,
    k: usize,
    gene_ids: &[String],
    classes: &[String],
    train_rows: usize,
) -> Result<(Labelled, Vec<String>)> {
    let data_path = kit_file(dir, &synthetic_data_file(k), k)?;
    let labels_path = kit_file(dir, &synthetic_labels_file(k), k)?;
    let synthetic = read_labelled(read_matrix_csv(&data_path)?, &labels_path, gene_ids)?;
    let n = synthetic.x.rows();
    ensure!(n >= 2, "{}: {n} synthetic row(s); at least 2 are required", data_path.display());
    check_known_labels(&synthetic.labels, classes, &labels_path)?;
    let mut warnings = Vec::new();
    if n != train_rows {
        warnings.push(format!(
            "split {k}: {n} synthetic rows but the train fold has {train_rows} (the challenge protocol requires equal counts)"
        ));
    }
    Ok((synthetic, warnings))
}

/// `dir/name`, or `dir/name.gz` if only that exists; a missing file is an error naming the split.
fn kit_file(dir: &Path, name: &str, k: usize) -> Result<PathBuf> {
    let plain = dir.join(name);
    if plain.is_file() {
        return Ok(plain);
    }
    let gz = dir.join(format!("{name}.gz"));
    if gz.is_file() {
        return Ok(gz);
    }
    bail!("split {k}: missing file {} (needed for split {k})", plain.display())
}

/// A headed numeric CSV without ID column: gene IDs and the rows as read.
struct HeadedMatrix {
    path: PathBuf,
    header: Vec<String>,
    x: Matrix,
}

/// Read a comma-separated matrix whose header is the gene IDs and whose cells must all be
/// finite numbers. Errors name the file, the line, the row number and the column.
fn read_matrix_csv(path: &Path) -> Result<HeadedMatrix> {
    let text = read_text(path)?;
    let mut reader = CsvReader::new(&text, b',', path);
    let mut fields = StringRecord::new();
    let header_line = reader.header(&mut fields)?;
    let header: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    let mut data = Vec::new();
    let mut rows = 0;
    while let Some(line) = reader.next_record(&mut fields)? {
        check_width(fields.len(), header.len(), path, line, header_line)?;
        rows += 1;
        for (c, cell) in fields.iter().enumerate() {
            let v = parse_number(cell).map_err(|why| {
                load::cell_error(path, line, c, &format!("row {rows}, gene '{}'", header[c]), why, cell)
            })?;
            data.push(v);
        }
    }
    let x = Matrix::from_row_major(rows, header.len(), data)?;
    Ok(HeadedMatrix { path: path.to_path_buf(), header, x })
}

/// Match a matrix file's columns to `gene_ids` and attach the labels file's rows.
fn read_labelled(m: HeadedMatrix, labels_path: &Path, gene_ids: &[String]) -> Result<Labelled> {
    let perm = match_genes(gene_ids, &m.header, &m.path.display().to_string())?;
    let x = if perm.iter().enumerate().all(|(j, &c)| j == c) { m.x } else { m.x.select_cols(&perm) };
    let labels = read_label_csv(labels_path)?;
    ensure!(
        labels.len() == x.rows(),
        "{}: {} label rows, but {} has {} data rows",
        labels_path.display(),
        labels.len(),
        m.path.display(),
        x.rows()
    );
    Ok(Labelled { x, labels })
}

/// Read a one-column labels file; the header name is ignored, labels must be non-empty.
fn read_label_csv(path: &Path) -> Result<Vec<String>> {
    let file = path.display();
    let text = read_text(path)?;
    let mut reader = CsvReader::new(&text, b',', path);
    let mut fields = StringRecord::new();
    let header_line = reader.header(&mut fields)?;
    ensure!(
        fields.len() == 1,
        "{file}: line {header_line}: {} columns; a labels file has exactly one (was an index column written?)",
        fields.len()
    );
    let mut labels = Vec::new();
    while let Some(line) = reader.next_record(&mut fields)? {
        check_width(fields.len(), 1, path, line, header_line)?;
        ensure!(!fields[0].is_empty(), "{file}: line {line}, column 1: empty label");
        labels.push(fields[0].to_string());
    }
    Ok(labels)
}

/// Every label must be in the real class set (metrics.md §0.4.3); the error names the unknown
/// labels, the known ones, and a prefix hint for `LumA` vs `BRCA.LumA`.
fn check_known_labels(labels: &[String], classes: &[String], path: &Path) -> Result<()> {
    let known: HashSet<&str> = classes.iter().map(String::as_str).collect();
    let mut unknown: Vec<&str> = labels.iter().map(String::as_str).filter(|l| !known.contains(l)).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    unknown.sort_unstable();
    unknown.dedup();
    let prefixed = unknown.iter().all(|u| classes.iter().any(|c| c.ends_with(&format!(".{u}"))));
    let hint = if prefixed { " (the real labels carry a prefix, e.g. 'BRCA.LumA' rather than 'LumA')" } else { "" };
    bail!(
        "{}: unknown label(s) {}; the real labels are {}{hint}",
        path.display(),
        list_ids(&unknown),
        list_ids(classes)
    )
}

/// Write a headed numeric CSV without ID column (`gene_ids` header, one row per matrix row).
fn write_matrix_csv(path: &Path, x: &Matrix, gene_ids: &[String]) -> Result<()> {
    ensure!(
        gene_ids.len() == x.cols(),
        "cannot write {}: {} gene IDs for {} columns",
        path.display(),
        gene_ids.len(),
        x.cols()
    );
    let mut out = String::with_capacity(estimated_size(x));
    push_record(&mut out, str_iter(gene_ids));
    for row in x.row_iter() {
        for (j, &v) in row.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&fmt_f64(v));
        }
        out.push('\n');
    }
    write_text(path, &out)
}

/// Write `text` atomically, gzip-compressed when `path` ends in `.gz`.
fn write_text(path: &Path, text: &str) -> Result<()> {
    if path.extension().is_some_and(|e| e == "gz") {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let bytes = gz.write_all(text.as_bytes()).and_then(|_| gz.finish());
        let bytes = bytes.map_err(|e| crate::error::Error::new(format!("cannot compress {}: {e}", path.display())))?;
        return write_atomic(path, &bytes);
    }
    write_atomic(path, text.as_bytes())
}

/// Write a one-column CSV: header, then one label per line.
fn write_label_csv(path: &Path, labels: &[String], header: &str) -> Result<()> {
    let mut out = String::new();
    push_record(&mut out, [header]);
    for l in labels {
        push_record(&mut out, [l.as_str()]);
    }
    write_text(path, &out)
}

/// Append one comma-separated record (RFC 4180 quoting) and a LF.
fn push_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (j, f) in fields.into_iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(f));
    }
    out.push('\n');
}

/// Quote a tab-separated field per RFC 4180 when it holds a tab, quote or line break.
fn tsv_field(s: &str) -> String {
    if s.contains(['\t', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn str_iter(v: &[String]) -> impl Iterator<Item = &str> {
    v.iter().map(String::as_str)
}

/// A capacity guess for a text matrix: about 20 bytes per value.
fn estimated_size(x: &Matrix) -> usize {
    x.rows() * x.cols() * 20 + 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_fields_quote_only_when_needed() {
        assert_eq!(tsv_field("a,b"), "a,b");
        assert_eq!(tsv_field("a\tb"), "\"a\tb\"");
        assert_eq!(tsv_field("q\""), "\"q\"\"\"");
    }

    #[test]
    fn unknown_labels_get_a_prefix_hint() {
        let classes: Vec<String> = ["BRCA.Basal", "BRCA.LumA"].iter().map(|s| s.to_string()).collect();
        let labels: Vec<String> = ["LumA", "Basal", "LumA"].iter().map(|s| s.to_string()).collect();
        let e = check_known_labels(&labels, &classes, Path::new("y.csv")).unwrap_err().to_string();
        assert!(e.contains("unknown label(s) 'Basal', 'LumA'") && e.contains("'BRCA.Basal', 'BRCA.LumA'"), "{e}");
        assert!(e.contains("carry a prefix"), "{e}");
        assert!(check_known_labels(&classes, &classes, Path::new("y.csv")).is_ok());
    }
}
