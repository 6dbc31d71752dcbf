//! Reading text files: UTF-8 with optional BOM, transparent `.gz`, and CSV/TSV records read
//! with the `csv` crate, each with the line on which it starts, so every error names the file,
//! the line and the column. Data loaders, the kit reader, the report and the regression gate
//! read through here.
//!
//! The records follow the `csv` crate's RFC 4180 reading: quoted fields may hold delimiters,
//! line breaks and doubled quotes; records end at LF, CRLF or CR; blank lines are skipped; values
//! are not trimmed. The crate is lenient with malformed quoting (a quote inside an unquoted field
//! is kept as text; an unclosed quote runs to the end of the file); such a record then fails a
//! later check (field count, number, duplicate ID), whose message names the line.

use crate::error::{Context, Result};
use crate::{bail, ensure};
use csv::StringRecord;
use std::io::Read;
use std::path::Path;

pub use crate::io::parse_f64;

/// Read a whole text file (data-formats.md §0): `.gz` is decompressed, the content must be
/// UTF-8 (the error names the line of the first bad byte), and a leading BOM is removed.
pub fn read_text(path: &Path) -> Result<String> {
    let file = path.display();
    let raw = std::fs::read(path).with_context(|| format!("cannot read {file}"))?;
    let bytes = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz")) {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .with_context(|| format!("{file}: cannot decompress gzip"))?;
        out
    } else {
        raw
    };
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
        crate::error::Error::new(format!("{file}: line {line}: invalid UTF-8 (byte offset {at}); files must be UTF-8"))
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// A record reader over a whole text with a one-byte ASCII delimiter. Records may have any
/// number of fields: callers check the width against their header with their own message.
pub struct CsvReader<'a> {
    reader: csv::Reader<&'a [u8]>,
    text: &'a str,
    path: &'a Path,
    /// Line-number cursor: `text[..counted_to]` holds `newlines` `\n` bytes. Records come in
    /// text order, so each line number counts only the bytes since the previous record and a
    /// whole file costs one pass (counting from the start each time was quadratic).
    counted_to: usize,
    newlines: usize,
}

impl<'a> CsvReader<'a> {
    pub fn new(text: &'a str, delim: u8, path: &'a Path) -> Self {
        assert!(delim.is_ascii() && !matches!(delim, b'"' | b'\n' | b'\r'), "delimiter must be plain ASCII");
        let reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
        CsvReader { reader, text, path, counted_to: 0, newlines: 0 }
    }

    /// Read the header record (the first non-blank one); an empty file is an error.
    pub fn header(&mut self, record: &mut StringRecord) -> Result<usize> {
        match self.next_record(record)? {
            Some(line) => Ok(line),
            None => bail!("{}: empty file (expected a header line)", self.path.display()),
        }
    }

    /// Read the next non-blank record into `record`. Returns the line number on which the
    /// record starts, or `None` at the end of the text.
    pub fn next_record(&mut self, record: &mut StringRecord) -> Result<Option<usize>> {
        match self.reader.read_record(record) {
            Ok(true) => Ok(Some(record.position().map_or(0, |p| self.line_at(p.byte())))),
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map_or(0, |p| self.line_at(p.byte()));
                bail!("{}: line {line}: malformed CSV: {e}", self.path.display())
            }
        }
    }
}

impl CsvReader<'_> {
    /// The 1-based line on which the record reported at byte offset `byte` starts. The crate
    /// reports a record after a `\r\n` terminator or blank lines at the end of the previous
    /// one, so line ends from there on are skipped (a record never starts with one), then the
    /// `\n` before the record are counted: from the cursor on (from the start again should
    /// `byte` ever lie before it).
    fn line_at(&mut self, byte: u64) -> usize {
        let bytes = self.text.as_bytes();
        let mut start = (byte as usize).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.counted_to {
            (self.counted_to, self.newlines) = (0, 0);
        }
        self.newlines += bytes[self.counted_to..start].iter().filter(|&&b| b == b'\n').count();
        self.counted_to = start;
        1 + self.newlines
    }
}

/// One CSV record and the 1-based line on which it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// A parsed comma-separated file with a header: rows are checked to have as many fields as the
/// header.
#[derive(Clone, Debug)]
pub struct Table {
    pub what: String,
    pub header: Vec<String>,
    pub rows: Vec<Record>,
}

impl Table {
    /// Parse `text` (named `what` in errors); the first record is the header.
    pub fn parse(text: &str, what: &str) -> Result<Table> {
        let path = Path::new(what);
        let mut reader = CsvReader::new(text, b',', path);
        let mut record = StringRecord::new();
        let Some(_) = reader.next_record(&mut record)? else {
            bail!("{what}: the file is empty (expected a header line)")
        };
        let header: Vec<String> = record.iter().map(str::to_string).collect();
        let mut rows = Vec::new();
        while let Some(line) = reader.next_record(&mut record)? {
            ensure!(
                record.len() == header.len(),
                "{what}: line {line}: {} fields, expected {} as in the header",
                record.len(),
                header.len()
            );
            rows.push(Record { line, fields: record.iter().map(str::to_string).collect() });
        }
        Ok(Table { what: what.to_string(), header, rows })
    }

    /// Read and parse a CSV file with a header (see [`read_text`]).
    pub fn read(path: &Path) -> Result<Table> {
        Table::parse(&read_text(path)?, &path.display().to_string())
    }

    /// Index of a required column.
    pub fn column(&self, name: &str) -> Result<usize> {
        match self.header.iter().position(|h| h == name) {
            Some(i) => Ok(i),
            None => bail!("{}: line 1: missing column '{name}'", self.what),
        }
    }

    /// Where a field is, for error messages: `file: line N, column 'name'`.
    pub fn at(&self, row: &Record, col: usize) -> String {
        format!("{}: line {}, column '{}'", self.what, row.line, self.header[col])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str, delim: u8) -> Result<Vec<(usize, Vec<String>)>> {
        let path = Path::new("t.csv");
        let mut r = CsvReader::new(text, delim, path);
        let mut record = StringRecord::new();
        let mut out = Vec::new();
        while let Some(line) = r.next_record(&mut record)? {
            out.push((line, record.iter().map(str::to_string).collect()));
        }
        Ok(out)
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rfc4180_quoting_line_endings_and_blank_lines() {
        let text = "a,\"b,1\",c\r\n\n\"x\"\"y\",\"multi\nline\",\r\nlast,,\"\"";
        let r = records(text, b',').unwrap();
        assert_eq!(r[0], (1, strs(&["a", "b,1", "c"])));
        assert_eq!(r[1], (3, strs(&["x\"y", "multi\nline", ""])));
        assert_eq!(r[2], (5, strs(&["last", "", ""])));
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn line_numbers_stay_exact_over_many_records() {
        // Record i starts on `lines[i]`; terminators, blank lines and quoted line breaks vary
        // from record to record, so the line cursor must carry every kind across records.
        let mut text = String::new();
        let mut lines = Vec::new();
        let mut line = 1;
        for i in 0..300 {
            lines.push(line);
            if i % 7 == 3 {
                text.push_str(&format!("\"r{i}\nsecond\",{i}"));
                line += 1;
            } else {
                text.push_str(&format!("r{i},{i}"));
            }
            let end = ["\n", "\r\n", "\n\n", "\r\n\r\n\n"][i % 4];
            text.push_str(end);
            line += end.matches('\n').count();
        }
        let r = records(&text, b',').unwrap();
        assert_eq!(r.iter().map(|(l, _)| *l).collect::<Vec<_>>(), lines);
        assert_eq!(r[3].1, strs(&["r3\nsecond", "3"]));
    }

    #[test]
    fn tabs_and_untrimmed_values() {
        let r = records(" a \tb,c\t\n", b'\t').unwrap();
        assert_eq!(r, vec![(1, strs(&[" a ", "b,c", ""]))]);
    }

    #[test]
    fn last_line_without_newline_is_kept() {
        let t = Table::parse("a,b\n1,2", "t.csv").unwrap();
        assert_eq!(t.rows[0].fields, vec!["1", "2"]);
    }

    #[test]
    fn table_errors_name_file_and_line() {
        let e = Table::parse("a,b\n1,2\n3\n", "t.csv").unwrap_err();
        assert_eq!(e.message(), "t.csv: line 3: 1 fields, expected 2 as in the header");
        let t = Table::parse("a,b\n1,2\n", "t.csv").unwrap();
        assert_eq!(t.column("c").unwrap_err().message(), "t.csv: line 1: missing column 'c'");
        let e = Table::parse("", "t.csv").unwrap_err();
        assert!(e.message().starts_with("t.csv: the file is empty"), "{e}");
    }
}
