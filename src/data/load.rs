//! Readers for the challenge layout (genes × samples TSV + meta CSV) and tidy CSV
//! (data-formats.md §0–2), plus the shared text machinery every bench reader uses:
//! [`read_text`] (UTF-8, optional BOM, transparent `.gz`) and [`CsvReader`] (RFC 4180 records
//! read by the `csv` crate, with line numbers, so every error names the file, the line and the
//! column). Records are read one at a time into a reused buffer and numbers are parsed in place.

use super::dataset::Dataset;
use super::matrix::Matrix;
use crate::error::Result;
pub use crate::io::csv::{read_text, CsvReader};
use crate::{bail, ensure};
use csv::StringRecord;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Options of the challenge-layout reader.
#[derive(Clone, Debug)]
pub struct ChallengeOptions {
    pub sample_column: String,
    pub label_column: String,
    pub drop_unlabelled: bool,
    pub na_label: Option<String>,
}

/// Options of the tidy-CSV reader.
#[derive(Clone, Debug)]
pub struct TidyOptions {
    pub id_column: String,
    pub label_column: String,
    pub drop_unlabelled: bool,
    pub na_label: Option<String>,
}

/// Most IDs an error message lists before summarising the rest as a count (metrics.md §0.4).
pub const MAX_LISTED_IDS: usize = 20;

/// Read a genes × samples TSV and its meta CSV into a dataset named `name` (data-formats.md §1).
///
/// Dataset order is the order of the TSV header's sample columns; gene order is row order.
/// The meta CSV is joined on `sample_column`; its `label_column` gives the labels. A matrix
/// sample without a meta row, or with two, is an error; meta rows of other samples are ignored
/// and counted on stderr. Empty labels are an error unless `drop_unlabelled`, which also drops
/// labels equal to `na_label`.
pub fn load_challenge(name: &str, matrix: &Path, meta: &Path, opts: &ChallengeOptions) -> Result<Dataset> {
    let rule = LabelRule::new(opts.drop_unlabelled, opts.na_label.as_deref())?;
    let (sample_ids, gene_ids, x) = read_gene_by_sample_tsv(matrix)?;
    let meta_labels = read_meta_labels(meta, &opts.sample_column, &opts.label_column, &sample_ids)?;
    let mut keep = Vec::with_capacity(sample_ids.len());
    let mut labels = Vec::with_capacity(sample_ids.len());
    for (i, (label, line)) in meta_labels.into_iter().enumerate() {
        let at =
            || format!("{}: line {line}, column '{}' (sample '{}')", meta.display(), opts.label_column, sample_ids[i]);
        if rule.keep(&label, at)? {
            keep.push(i);
            labels.push(label);
        }
    }
    rule.report_dropped(name, sample_ids.len() - keep.len());
    let dataset = Dataset {
        name: name.to_string(),
        source: format!("challenge:{}+{}", matrix.display(), meta.display()),
        sample_ids: keep.iter().map(|&i| sample_ids[i].clone()).collect(),
        gene_ids,
        x: if keep.len() == x.rows() { x } else { x.select_rows(&keep) },
        labels,
        label_column: opts.label_column.clone(),
    };
    ensure!(dataset.n_samples() > 0, "{}: no labelled samples left", matrix.display());
    Ok(dataset)
}

/// Read a tidy samples × genes CSV into a dataset named `name` (data-formats.md §2).
///
/// `id_column` and `label_column` are found by name at any position; every other column is a
/// gene. Dataset order is row order; gene order is the left-to-right order of gene columns.
pub fn load_tidy(name: &str, path: &Path, opts: &TidyOptions) -> Result<Dataset> {
    let rule = LabelRule::new(opts.drop_unlabelled, opts.na_label.as_deref())?;
    let file = path.display();
    let text = read_text(path)?;
    let mut reader = CsvReader::new(&text, b',', path);
    let mut fields = StringRecord::new();
    let header_line = reader.header(&mut fields)?;
    let id_col = find_column(&fields, &opts.id_column, path, header_line)?;
    let label_col = find_column(&fields, &opts.label_column, path, header_line)?;
    ensure!(id_col != label_col, "{file}: id_column and label_column are both '{}'", opts.id_column);
    let gene_cols: Vec<usize> = (0..fields.len()).filter(|&c| c != id_col && c != label_col).collect();
    ensure!(!gene_cols.is_empty(), "{file}: line {header_line}: no gene columns besides '{}'", opts.id_column);
    let gene_ids: Vec<String> = gene_cols.iter().map(|&c| fields[c].to_string()).collect();
    check_unique_names(&gene_ids, |j| format!("{file}: line {header_line}, column {}", gene_cols[j] + 1), "gene ID")?;
    let header: Vec<String> = fields.iter().map(|f| f.to_string()).collect();

    let mut sample_ids = Vec::new();
    let mut labels = Vec::new();
    let mut data = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut dropped = 0;
    while let Some(line) = reader.next_record(&mut fields)? {
        check_width(fields.len(), header.len(), path, line, header_line)?;
        let id = &fields[id_col];
        ensure!(!id.is_empty(), "{file}: line {line}, column {} '{}': empty sample ID", id_col + 1, opts.id_column);
        if let Some(prev) = first_line.insert(id.to_string(), line) {
            bail!(
                "{file}: line {line}, column '{}': duplicate sample ID '{id}' (first at line {prev})",
                opts.id_column
            );
        }
        for &c in &gene_cols {
            let v = parse_number(&fields[c]).map_err(|why| {
                cell_error(path, line, c, &format!("gene '{}', sample '{id}'", header[c]), why, &fields[c])
            })?;
            data.push(v);
        }
        let label = &fields[label_col];
        let at = || format!("{file}: line {line}, column {} '{}' (sample '{id}')", label_col + 1, opts.label_column);
        if rule.keep(label, at)? {
            sample_ids.push(id.to_string());
            labels.push(label.to_string());
        } else {
            data.truncate(data.len() - gene_cols.len());
            dropped += 1;
        }
    }
    rule.report_dropped(name, dropped);
    ensure!(!sample_ids.is_empty(), "{file}: no (labelled) sample rows after the header");
    let x = Matrix::from_row_major(sample_ids.len(), gene_ids.len(), data)?;
    Ok(Dataset {
        name: name.to_string(),
        source: format!("tidy:{file}"),
        sample_ids,
        gene_ids,
        x,
        labels,
        label_column: opts.label_column.clone(),
    })
}

/// Which labels a reader keeps (data-formats.md §1 join rules, also used by §2).
struct LabelRule<'a> {
    drop_unlabelled: bool,
    na_label: Option<&'a str>,
}

impl<'a> LabelRule<'a> {
    fn new(drop_unlabelled: bool, na_label: Option<&'a str>) -> Result<Self> {
        ensure!(
            na_label.is_none() || drop_unlabelled,
            "na_label = {:?} has no effect without drop_unlabelled = true (labels are otherwise plain strings)",
            na_label.unwrap_or_default()
        );
        Ok(LabelRule { drop_unlabelled, na_label })
    }

    /// `Ok(true)` to keep a sample, `Ok(false)` to drop it, an error (prefixed by `at()`) for
    /// an empty label that may not be dropped.
    fn keep<D: std::fmt::Display>(&self, label: &str, at: impl FnOnce() -> D) -> Result<bool> {
        if self.drop_unlabelled {
            return Ok(!label.is_empty() && Some(label) != self.na_label);
        }
        ensure!(!label.is_empty(), "{}: empty label (set drop_unlabelled = true to drop such samples)", at());
        Ok(true)
    }

    fn report_dropped(&self, name: &str, dropped: usize) {
        if dropped > 0 {
            let na = self.na_label.map(|l| format!(" or '{l}'")).unwrap_or_default();
            eprintln!("note: dataset '{name}': dropped {dropped} sample(s) with an empty{na} label (drop_unlabelled)");
        }
    }
}

/// Read the challenge expression matrix: header = (ignored cell, sample IDs), then one row per
/// gene. Returns sample IDs, gene IDs and the transposed samples × genes matrix.
fn read_gene_by_sample_tsv(path: &Path) -> Result<(Vec<String>, Vec<String>, Matrix)> {
    let file = path.display();
    let text = read_text(path)?;
    let mut reader = CsvReader::new(&text, b'\t', path);
    let mut fields = StringRecord::new();
    let header_line = reader.header(&mut fields)?;
    ensure!(
        fields.len() >= 2,
        "{file}: line {header_line}: header has {} field(s); expected a first cell, then one sample ID per column \
         (is the file tab-separated?)",
        fields.len()
    );
    let sample_ids: Vec<String> = fields.iter().skip(1).map(str::to_string).collect();
    if let Some(j) = sample_ids.iter().position(String::is_empty) {
        bail!("{file}: line {header_line}, column {}: empty sample ID", j + 2);
    }
    check_unique_names(&sample_ids, |j| format!("{file}: line {header_line}, column {}", j + 2), "sample ID")?;
    let n = sample_ids.len();

    let mut gene_ids: Vec<String> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut gene_major = Vec::new();
    while let Some(line) = reader.next_record(&mut fields)? {
        if fields.len() == n + 2 && gene_ids.is_empty() {
            bail!(
                "{file}: line {line} has {} fields but the header has {}: the header seems to lack its first cell \
                 (R's write.table omits it); add an empty cell before the first sample ID",
                fields.len(),
                n + 1
            );
        }
        check_width(fields.len(), n + 1, path, line, header_line)?;
        let gene = &fields[0];
        ensure!(!gene.is_empty(), "{file}: line {line}, column 1: empty gene ID");
        if let Some(prev) = first_line.insert(gene.to_string(), line) {
            bail!("{file}: line {line}, column 1: duplicate gene ID '{gene}' (first at line {prev})");
        }
        for (s, cell) in fields.iter().skip(1).enumerate() {
            let v = parse_number(cell).map_err(|why| {
                cell_error(path, line, s + 1, &format!("sample '{}', gene '{gene}'", sample_ids[s]), why, cell)
            })?;
            gene_major.push(v);
        }
        gene_ids.push(gene.to_string());
    }
    ensure!(!gene_ids.is_empty(), "{file}: no gene rows after the header");
    let p = gene_ids.len();
    let mut data = vec![0.0; n * p];
    for (g, row) in gene_major.chunks_exact(n).enumerate() {
        for (s, &v) in row.iter().enumerate() {
            data[s * p + g] = v;
        }
    }
    Ok((sample_ids, gene_ids, Matrix::from_row_major(n, p, data)?))
}

/// Join the meta CSV to the matrix samples: for each sample (dataset order) its label and the
/// meta line it came from. Missing or duplicate rows of matrix samples are errors; rows of
/// other samples are counted on stderr.
fn read_meta_labels(
    path: &Path,
    sample_column: &str,
    label_column: &str,
    sample_ids: &[String],
) -> Result<Vec<(String, usize)>> {
    let file = path.display();
    let text = read_text(path)?;
    let mut reader = CsvReader::new(&text, b',', path);
    let mut fields = StringRecord::new();
    let header_line = reader.header(&mut fields)?;
    let sample_col = find_column(&fields, sample_column, path, header_line)?;
    let label_col = find_column(&fields, label_column, path, header_line)?;
    let width = fields.len();
    let index: HashMap<&str, usize> = sample_ids.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
    let mut found: Vec<Option<(String, usize)>> = vec![None; sample_ids.len()];
    let mut extra = 0usize;
    while let Some(line) = reader.next_record(&mut fields)? {
        check_width(fields.len(), width, path, line, header_line)?;
        let id = &fields[sample_col];
        let Some(&i) = index.get(id) else {
            extra += 1;
            continue;
        };
        if let Some((_, prev)) = &found[i] {
            bail!("{file}: line {line}, column '{sample_column}': second meta row for sample '{id}' (first at line {prev})");
        }
        found[i] = Some((fields[label_col].to_string(), line));
    }
    let missing: Vec<&str> =
        (0..sample_ids.len()).filter(|&i| found[i].is_none()).map(|i| sample_ids[i].as_str()).collect();
    if !missing.is_empty() {
        bail!(
            "{file}: no row (column '{sample_column}') for {} of the {} matrix samples: {}",
            missing.len(),
            sample_ids.len(),
            list_ids(&missing)
        );
    }
    if extra > 0 {
        eprintln!("note: {file}: ignored {extra} meta row(s) of samples absent from the matrix");
    }
    Ok(found.into_iter().map(|f| f.expect("checked above")).collect())
}

/// Column index of the header cell named `name`, which must occur exactly once.
pub(crate) fn find_column(header: &StringRecord, name: &str, path: &Path, line: usize) -> Result<usize> {
    let hits: Vec<usize> = (0..header.len()).filter(|&c| &header[c] == name).collect();
    match hits.as_slice() {
        [c] => Ok(*c),
        [] => {
            let names: Vec<&str> = header.iter().collect();
            bail!("{}: line {line}: no column named '{name}' (columns: {})", path.display(), list_ids(&names))
        }
        [a, b, ..] => {
            bail!("{}: line {line}: column '{name}' appears twice (columns {} and {})", path.display(), a + 1, b + 1)
        }
    }
}

/// Error unless every name is unique; `at(j)` locates name `j`.
fn check_unique_names<D: std::fmt::Display>(names: &[String], at: impl Fn(usize) -> D, what: &str) -> Result<()> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (j, name) in names.iter().enumerate() {
        if let Some(prev) = first.insert(name, j) {
            bail!("{}: duplicate {what} '{name}' (also at {})", at(j), at(prev));
        }
    }
    Ok(())
}

/// Error unless a record has the header's number of fields.
pub(crate) fn check_width(got: usize, want: usize, path: &Path, line: usize, header_line: usize) -> Result<()> {
    ensure!(
        got == want,
        "{}: line {line} has {got} field(s), but the header (line {header_line}) has {want}",
        path.display()
    );
    Ok(())
}

/// Why a cell is not a usable number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BadNumber {
    Empty,
    NotANumber,
    NonFinite,
}

/// Parse a cell as a finite f64 (decimal or scientific notation, no trimming; data-formats.md §0).
/// Overflowing literals such as `1e999` count as non-finite.
pub(crate) fn parse_number(cell: &str) -> std::result::Result<f64, BadNumber> {
    if cell.is_empty() {
        return Err(BadNumber::Empty);
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(BadNumber::NonFinite),
        Err(_) => Err(BadNumber::NotANumber),
    }
}

/// The error for a bad numeric cell: file, line, 1-based column and what the cell is.
pub(crate) fn cell_error(
    path: &Path,
    line: usize,
    col: usize,
    what: &str,
    why: BadNumber,
    cell: &str,
) -> crate::error::Error {
    let reason = match why {
        BadNumber::Empty => "empty cell (every value must be a finite number)".to_string(),
        BadNumber::NotANumber => format!("'{}' is not a number", shorten(cell)),
        BadNumber::NonFinite => format!("non-finite value '{}' (every value must be finite)", shorten(cell)),
    };
    crate::error::Error::new(format!("{}: line {line}, column {} ({what}): {reason}", path.display(), col + 1))
}

fn shorten(s: &str) -> Cow<'_, str> {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &s[..cut])),
        None => Cow::Borrowed(s),
    }
}

/// `'a', 'b', 'c'`, listing at most [`MAX_LISTED_IDS`] and then `… and N more`.
pub fn list_ids<S: AsRef<str>>(ids: &[S]) -> String {
    let shown: Vec<String> = ids.iter().take(MAX_LISTED_IDS).map(|s| format!("'{}'", s.as_ref())).collect();
    let mut out = shown.join(", ");
    if ids.len() > MAX_LISTED_IDS {
        out.push_str(&format!(" … and {} more", ids.len() - MAX_LISTED_IDS));
    }
    out
}

/// Match `found` gene columns to the `expected` gene IDs **by name** (metrics.md §0.4.1):
/// returns `perm` with `found[perm[j]] == expected[j]`. Duplicate, missing or extra IDs are an
/// error listing them (at most 20 each), with a hint when the mismatch looks like a version
/// suffix or symbols vs Ensembl IDs. `what` names the file being matched.
pub fn match_genes(expected: &[String], found: &[String], what: &str) -> Result<Vec<usize>> {
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(found.len());
    let mut duplicates = Vec::new();
    for (j, g) in found.iter().enumerate() {
        if position.insert(g, j).is_some() {
            duplicates.push(g.as_str());
        }
    }
    ensure!(duplicates.is_empty(), "{what}: duplicate gene ID(s) {}", list_ids(&duplicates));
    let expected_set: HashSet<&str> = expected.iter().map(String::as_str).collect();
    let missing: Vec<&str> = expected.iter().map(String::as_str).filter(|g| !position.contains_key(g)).collect();
    let extra: Vec<&str> = found.iter().map(String::as_str).filter(|g| !expected_set.contains(g)).collect();
    if !missing.is_empty() || !extra.is_empty() {
        let mut msg = format!("{what}: gene columns do not match the {} real genes:", expected.len());
        if !missing.is_empty() {
            msg.push_str(&format!(" {} missing ({})", missing.len(), list_ids(&missing)));
        }
        if !extra.is_empty() {
            let sep = if missing.is_empty() { "" } else { ";" };
            msg.push_str(&format!("{sep} {} unexpected ({})", extra.len(), list_ids(&extra)));
        }
        if let Some(hint) = gene_mismatch_hint(expected, found) {
            msg.push_str(&format!(". Hint: {hint}"));
        }
        bail!("{msg}");
    }
    Ok(expected.iter().map(|g| position[g.as_str()]).collect())
}

/// A likely cause of a gene-ID mismatch, if one is recognisable (data-formats.md §0): Ensembl
/// version suffixes (`ENSG…` vs `ENSG….12`), Ensembl IDs vs gene symbols, or letter case.
/// The harness never maps identifiers; the hint only says what to fix.
pub fn gene_mismatch_hint(expected: &[String], found: &[String]) -> Option<String> {
    let overlap = |f: &dyn Fn(&str) -> String| {
        let a: HashSet<String> = expected.iter().map(|g| f(g)).collect();
        found.iter().filter(|g| a.contains(&f(g))).count()
    };
    let exact = overlap(&|g| g.to_string());
    if overlap(&|g| strip_version(g).to_string()) > exact {
        return Some(
            "the IDs differ by an Ensembl version suffix (e.g. 'ENSG00000186480' vs 'ENSG00000186480.12'); \
             strip the '.N' suffix in one of the files"
                .into(),
        );
    }
    let ensembl_share = |ids: &[String]| ids.iter().filter(|g| is_ensembl(g)).count() * 2 >= ids.len().max(1);
    let (a, b) = (ensembl_share(expected), ensembl_share(found));
    if a != b {
        let (ens, sym) = if a { ("the real data", "this file") } else { ("this file", "the real data") };
        return Some(format!(
            "{ens} uses Ensembl IDs and {sym} uses gene symbols; convert one of them (bench never maps identifiers)"
        ));
    }
    if overlap(&|g| g.to_lowercase()) > exact {
        return Some("some IDs differ only in letter case (IDs are compared byte for byte)".into());
    }
    None
}

/// Ensembl stable IDs are `ENS`, species and feature letters, then 11 digits
/// (`ENSG00000186480`); the digit count keeps symbols such as `ENSA` out.
fn is_ensembl(id: &str) -> bool {
    id.starts_with("ENS") && id.bytes().filter(u8::is_ascii_digit).count() >= 6
}

fn strip_version(id: &str) -> &str {
    match id.rsplit_once('.') {
        Some((stem, v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn numbers_must_be_finite_decimals() {
        assert_eq!(parse_number("1.5e-3"), Ok(1.5e-3));
        assert_eq!(parse_number("-2"), Ok(-2.0));
        assert_eq!(parse_number(""), Err(BadNumber::Empty));
        assert_eq!(parse_number(" 1"), Err(BadNumber::NotANumber));
        assert_eq!(parse_number("NA"), Err(BadNumber::NotANumber));
        for s in ["NaN", "nan", "inf", "-Infinity", "1e999"] {
            assert_eq!(parse_number(s), Err(BadNumber::NonFinite), "{s}");
        }
    }

    #[test]
    fn id_lists_are_capped() {
        let ids: Vec<String> = (0..25).map(|i| format!("g{i}")).collect();
        let s = list_ids(&ids);
        assert!(s.starts_with("'g0', 'g1'") && s.ends_with("'g19' … and 5 more"), "{s}");
    }

    #[test]
    fn gene_matching_reorders_and_explains_mismatches() {
        let real = strs(&["A", "B", "C"]);
        assert_eq!(match_genes(&real, &strs(&["C", "A", "B"]), "f").unwrap(), vec![1, 2, 0]);
        let e = match_genes(&real, &strs(&["A", "B", "D"]), "f").unwrap_err().to_string();
        assert!(e.contains("1 missing ('C')") && e.contains("1 unexpected ('D')"), "{e}");
        let e = match_genes(&real, &strs(&["A", "A", "B", "C"]), "f").unwrap_err().to_string();
        assert!(e.contains("duplicate gene ID(s) 'A'"), "{e}");

        let ens = strs(&["ENSG00000000003", "ENSG00000000005"]);
        let versioned = strs(&["ENSG00000000003.14", "ENSG00000000005.6"]);
        assert!(gene_mismatch_hint(&ens, &versioned).unwrap().contains("version suffix"));
        assert!(gene_mismatch_hint(&ens, &strs(&["TSPAN6", "TNMD"])).unwrap().contains("gene symbols"));
        assert!(gene_mismatch_hint(&strs(&["Brca1"]), &strs(&["BRCA1"])).unwrap().contains("letter case"));
        assert_eq!(gene_mismatch_hint(&strs(&["A"]), &strs(&["B"])), None);
    }
}
