//! The challenge's split YAML layout (data-formats.md §3): read and write.
//!
//! ```yaml
//! splits:
//!   split_1:
//!     train_index: [TCGA-A1-A0SB-01A-11R-A144-07, …]
//!     test_index:  [TCGA-A1-A0SE-01A-11R-A084-07, …]
//! ```
//!
//! The reader walks yaml-rust2's event stream instead of its typed loader, so every entry is
//! matched by the source text of its scalar: `007`, `1e3` or `true` stay the literal IDs.

use super::dataset::Dataset;
use super::load::{list_ids, read_text};
use super::split::{validate_splits, Split};
use crate::error::{Error, Result};
use crate::io::write_atomic;
use crate::{bail, ensure};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

/// Read `splits: split_k: {train_index, test_index}` and map sample IDs to dataset indices.
///
/// Splits are ordered by the integer `k` and must be numbered 1, 2, …, n. Unknown IDs, and IDs
/// listed twice within a split (including once in each part), are errors naming the ID, the
/// split and the line. Then [`validate_splits`] checks coverage and, for k-fold files, that
/// the test parts partition the dataset (metrics.md §1.1). Parts come back in dataset order.
pub fn read_splits(path: &Path, dataset: &Dataset) -> Result<Vec<Split>> {
    let file = path.display();
    let text = read_text(path)?;
    let raw = parse_split_file(&text, path)?;
    let index: HashMap<&str, usize> = dataset.sample_ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut splits = Vec::with_capacity(raw.len());
    for split in &raw {
        let k = split.number;
        // Where each sample was first seen in this split: (part name, line).
        let mut seen: Vec<Option<(&str, usize)>> = vec![None; dataset.n_samples()];
        let mut to_indices = |part: &'static str, ids: &[(String, usize)]| -> Result<Vec<usize>> {
            let mut out = Vec::with_capacity(ids.len());
            for (id, line) in ids {
                let Some(&i) = index.get(id.as_str()) else {
                    bail!(
                        "{file}: line {line}: split_{k} {part}: unknown sample ID '{id}' (not in dataset '{}')",
                        dataset.name
                    );
                };
                if let Some((prev_part, prev_line)) = seen[i] {
                    if prev_part == part {
                        bail!("{file}: line {line}: split_{k} {part}: sample ID '{id}' listed twice (first at line {prev_line})");
                    }
                    bail!(
                        "{file}: line {line}: split_{k}: sample ID '{id}' is in both {prev_part} (line {prev_line}) \
                         and {part}; train and test must be disjoint"
                    );
                }
                seen[i] = Some((part, *line));
                out.push(i);
            }
            Ok(out)
        };
        let train = to_indices("train_index", &split.train)?;
        let test = to_indices("test_index", &split.test)?;
        splits.push(Split { number: k, train, test });
    }
    validate_splits(&mut splits, &dataset.sample_ids, &file.to_string())?;
    Ok(splits)
}

/// Write splits in the challenge layout (data-formats.md §3), atomically.
///
/// Each line of `comment` becomes a leading `# ` line (record seed, k, algorithm and RNG mode
/// there). IDs within a part are listed in dataset order. IDs that YAML could read as anything
/// but the same plain string (numbers, booleans, null, or text with YAML syntax) are
/// single-quoted, so the official kit's PyYAML reads them back unchanged.
pub fn write_splits(path: &Path, dataset: &Dataset, splits: &[Split], comment: &str) -> Result<()> {
    let n = dataset.n_samples();
    let mut out = String::new();
    for line in comment.lines() {
        out.push_str(if line.is_empty() { "#" } else { "# " });
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("splits:\n");
    for split in splits {
        let _ = writeln!(out, "  split_{}:", split.number);
        for (part, idx) in [("train_index", &split.train), ("test_index", &split.test)] {
            let mut sorted = idx.clone();
            sorted.sort_unstable();
            if let Some(&bad) = sorted.last().filter(|&&i| i >= n) {
                bail!("cannot write {}: split_{} refers to sample index {bad} of {n}", path.display(), split.number);
            }
            if sorted.is_empty() {
                let _ = writeln!(out, "    {part}: []");
                continue;
            }
            let _ = writeln!(out, "    {part}:");
            for i in sorted {
                out.push_str("    - ");
                push_yaml_scalar(&mut out, &dataset.sample_ids[i]);
                out.push('\n');
            }
        }
    }
    write_atomic(path, out.as_bytes())
}

/// Append `s` as a YAML scalar: plain when YAML 1.1 and 1.2 both read it back as the same
/// string, otherwise single-quoted (with `'` doubled).
fn push_yaml_scalar(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    }
}

/// Letters first, then letters, digits, `_`, `-`, `.`; and not a YAML 1.1 boolean or null
/// keyword (`yes`, `Off`, `NULL`, …). TCGA barcodes are plain-safe.
fn is_plain_safe(s: &str) -> bool {
    const KEYWORDS: [&str; 11] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"];
    let mut bytes = s.bytes();
    let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    starts_with_letter
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s))
}

/// One `split_<k>` entry as written in the file: IDs with their line numbers.
#[derive(Debug)]
struct RawSplit {
    number: usize,
    train: Vec<(String, usize)>,
    test: Vec<(String, usize)>,
}

/// Parse the document into raw splits ordered by `k`, checking the numbering is 1..=n.
fn parse_split_file(text: &str, path: &Path) -> Result<Vec<RawSplit>> {
    let mut events = Events { parser: Parser::new_from_str(text), path };
    let mut splits = None;
    loop {
        match events.next()? {
            (Event::StreamStart | Event::DocumentStart, _) => {}
            (Event::MappingStart(..), _) => break,
            (Event::StreamEnd, _) => bail!("{}: empty file (expected a 'splits' mapping)", path.display()),
            (_, at) => bail!("{}: the top level must be a mapping with a 'splits' key", events.at(at)),
        }
    }
    loop {
        let (key, at) = events.next()?;
        match key {
            Event::MappingEnd => break,
            Event::Scalar(ref k, ..) if k == "splits" => {
                ensure!(splits.is_none(), "{}: second 'splits' key", events.at(at));
                splits = Some(parse_splits_mapping(&mut events)?);
            }
            other => {
                events.skip_node(other)?;
                let (value, _) = events.next()?;
                events.skip_node(value)?;
            }
        }
    }
    let mut splits = splits.ok_or_else(|| Error::new(format!("{}: no top-level 'splits' key", path.display())))?;
    splits.sort_by_key(|s| s.number);
    let numbers: Vec<String> = splits.iter().map(|s| format!("split_{}", s.number)).collect();
    for (i, s) in splits.iter().enumerate() {
        ensure!(
            s.number == i + 1,
            "{}: splits must be numbered split_1, split_2, … without gaps or repeats; found {}",
            path.display(),
            list_ids(&numbers)
        );
    }
    Ok(splits)
}

/// The mapping under `splits:`: keys `split_<k>`, values `{train_index, test_index}`.
fn parse_splits_mapping(events: &mut Events<'_>) -> Result<Vec<RawSplit>> {
    let (start, at) = events.next()?;
    ensure!(
        matches!(start, Event::MappingStart(..)),
        "{}: 'splits' must be a mapping of split_<k> keys",
        events.at(at)
    );
    let mut out = Vec::new();
    loop {
        let (key, at) = events.next()?;
        let name = match key {
            Event::MappingEnd => return Ok(out),
            Event::Scalar(name, ..) => name,
            _ => bail!("{}: keys under 'splits' must be split_<k>", events.at(at)),
        };
        let number = name
            .strip_prefix("split_")
            .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|k| k.parse::<usize>().ok())
            .ok_or_else(|| {
                Error::new(format!("{}: unexpected key '{name}' under 'splits' (expected split_<k>)", events.at(at)))
            })?;
        let (train, test) = parse_split_parts(events, &name, at)?;
        out.push(RawSplit { number, train, test });
    }
}

/// `{train_index: [...], test_index: [...]}`; other keys are ignored, both parts are required.
type Part = Vec<(String, usize)>;
fn parse_split_parts(events: &mut Events<'_>, name: &str, name_at: Marker) -> Result<(Part, Part)> {
    let (start, at) = events.next()?;
    ensure!(
        matches!(start, Event::MappingStart(..)),
        "{}: {name} must be a mapping with train_index and test_index",
        events.at(at)
    );
    let (mut train, mut test) = (None, None);
    loop {
        let (key, at) = events.next()?;
        match key {
            Event::MappingEnd => break,
            Event::Scalar(k, ..) if k == "train_index" || k == "test_index" => {
                let slot = if k == "train_index" { &mut train } else { &mut test };
                ensure!(slot.is_none(), "{}: {name} has a second '{k}'", events.at(at));
                *slot = Some(parse_id_sequence(events, name, &k)?);
            }
            other => {
                events.skip_node(other)?;
                let (value, _) = events.next()?;
                events.skip_node(value)?;
            }
        }
    }
    let missing = |part: &str| Error::new(format!("{}: {name} has no '{part}'", events.at(name_at)));
    Ok((train.ok_or_else(|| missing("train_index"))?, test.ok_or_else(|| missing("test_index"))?))
}

/// A block or flow sequence of scalar sample IDs, each with its line.
fn parse_id_sequence(events: &mut Events<'_>, split: &str, part: &str) -> Result<Part> {
    let (start, at) = events.next()?;
    ensure!(
        matches!(start, Event::SequenceStart(..)),
        "{}: {split} {part} must be a list of sample IDs",
        events.at(at)
    );
    let mut ids = Vec::new();
    loop {
        let (event, at) = events.next()?;
        match event {
            Event::SequenceEnd => return Ok(ids),
            Event::Scalar(id, ..) => {
                ensure!(!id.is_empty(), "{}: {split} {part}: empty entry (entries must be sample IDs)", events.at(at));
                ids.push((id, at.line()));
            }
            Event::Alias(_) => bail!("{}: {split} {part}: YAML aliases are not supported", events.at(at)),
            _ => bail!("{}: {split} {part}: entries must be sample IDs, not nested lists or mappings", events.at(at)),
        }
    }
}

/// The event stream with errors that name the file and line.
struct Events<'a> {
    parser: Parser<std::str::Chars<'a>>,
    path: &'a Path,
}

impl Events<'_> {
    fn next(&mut self) -> Result<(Event, Marker)> {
        self.parser.next_token().map_err(|e| Error::new(format!("{}: invalid YAML: {e}", self.path.display())))
    }

    fn at(&self, m: Marker) -> String {
        format!("{}: line {}", self.path.display(), m.line())
    }

    /// Consume the rest of a node whose first event is `first`.
    fn skip_node(&mut self, first: Event) -> Result<()> {
        let mut depth = usize::from(matches!(first, Event::MappingStart(..) | Event::SequenceStart(..)));
        while depth > 0 {
            match self.next()?.0 {
                Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                Event::MappingEnd | Event::SequenceEnd => depth -= 1,
                Event::StreamEnd => bail!("{}: unexpected end of YAML", self.path.display()),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_integer_k_and_keeps_literal_text() {
        let text = "other: {a: [1, 2]}\nsplits:\n  split_10: {train_index: [b], test_index: ['007']}\n  \
                    split_2:\n    train_index:\n    - 007\n    - true\n    test_index: [1e3]\n";
        let e = parse_split_file(text, Path::new("s.yaml")).unwrap_err().to_string();
        assert!(e.contains("without gaps") && e.contains("'split_2', 'split_10'"), "{e}");
        let text = text.replace("split_10", "split_1");
        let s = parse_split_file(&text, Path::new("s.yaml")).unwrap();
        assert_eq!(s[0].number, 1);
        assert_eq!(s[0].test, vec![("007".to_string(), 3)]);
        let train: Vec<&str> = s[1].train.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(train, ["007", "true"]);
        assert_eq!(s[1].train[1].1, 7);
        assert_eq!(s[1].test[0].0, "1e3");
    }

    #[test]
    fn scalars_that_yaml_would_retype_are_quoted() {
        for plain in ["TCGA-AO-A1KO-01A-31R-A13Q-07", "a.b_c", "Sample1"] {
            assert!(is_plain_safe(plain), "{plain}");
        }
        for quoted in ["007", "1e3", "true", "No", "NULL", ".inf", "-x", "a b", "a: b", "", "#x", "x'y"] {
            assert!(!is_plain_safe(quoted), "{quoted}");
        }
        let mut s = String::new();
        push_yaml_scalar(&mut s, "it's");
        assert_eq!(s, "'it''s'");
    }

    #[test]
    fn structural_errors_name_the_line() {
        let e = parse_split_file("splits:\n  split_1:\n    train_index: x\n", Path::new("s.yaml")).unwrap_err();
        assert!(e.to_string().contains("s.yaml: line 3: split_1 train_index must be a list"), "{e}");
        let e = parse_split_file("splits:\n  fold1: {}\n", Path::new("s.yaml")).unwrap_err();
        assert!(e.to_string().contains("line 2: unexpected key 'fold1'"), "{e}");
        let e = parse_split_file("splits:\n  split_1: {train_index: [a]}\n", Path::new("s.yaml")).unwrap_err();
        assert!(e.to_string().contains("split_1 has no 'test_index'"), "{e}");
        let e = parse_split_file("foo: 1\n", Path::new("s.yaml")).unwrap_err();
        assert!(e.to_string().contains("no top-level 'splits' key"), "{e}");
    }
}
