//! Reading text files: UTF-8 with optional BOM, transparent `.gz`, and an RFC 4180 record reader
//! that keeps line numbers so every error names the file, the line and the column. The one CSV
//! reader of the crate: data loaders, the kit reader, the report and the regression gate use it.

use crate::error::{Context, Result};
use crate::{bail, ensure};
use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

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

/// An RFC 4180 record reader over a whole text with a one-byte ASCII delimiter.
///
/// Records end at LF, CRLF or CR outside quotes. A field that starts with `"` is quoted: it may
/// hold delimiters, line breaks and doubled quotes `""`, and must be followed by a delimiter or
/// the end of the record. A quote inside an unquoted field is an error. Values are not
/// trimmed. Blank lines (no characters at all) are skipped, as pandas and polars do.
/// Fields borrow from the text unless they contain escaped quotes.
pub struct CsvReader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    delim: u8,
    path: &'a Path,
}

impl<'a> CsvReader<'a> {
    pub fn new(text: &'a str, delim: u8, path: &'a Path) -> Self {
        assert!(delim.is_ascii() && !matches!(delim, b'"' | b'\n' | b'\r'), "delimiter must be plain ASCII");
        CsvReader { text, pos: 0, line: 1, delim, path }
    }

    /// Read the header record (the first non-blank one); an empty file is an error.
    pub fn header(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<usize> {
        match self.next_record(fields)? {
            Some(line) => Ok(line),
            None => bail!("{}: empty file (expected a header line)", self.path.display()),
        }
    }

    /// Read the next non-blank record into `fields` (cleared first). Returns the line number on
    /// which the record starts, or `None` at the end of the text.
    pub fn next_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<Option<usize>> {
        fields.clear();
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && matches!(bytes[self.pos], b'\n' | b'\r') {
            self.end_of_line();
        }
        if self.pos >= bytes.len() {
            return Ok(None);
        }
        let start_line = self.line;
        loop {
            let field = if bytes.get(self.pos) == Some(&b'"') {
                self.quoted_field(fields.len())?
            } else {
                self.unquoted_field(fields.len())?
            };
            fields.push(field);
            match bytes.get(self.pos) {
                None => break,
                Some(&b) if b == self.delim => self.pos += 1,
                Some(_) => {
                    self.end_of_line();
                    break;
                }
            }
        }
        Ok(Some(start_line))
    }

    /// Consume one line terminator (LF, CRLF or CR) at `pos`.
    fn end_of_line(&mut self) {
        let bytes = self.text.as_bytes();
        if bytes[self.pos] == b'\r' && bytes.get(self.pos + 1) == Some(&b'\n') {
            self.pos += 1;
        }
        self.pos += 1;
        self.line += 1;
    }

    fn unquoted_field(&mut self, index: usize) -> Result<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        while let Some(&b) = bytes.get(self.pos) {
            if b == self.delim || b == b'\n' || b == b'\r' {
                break;
            }
            if b == b'"' {
                bail!(
                    "{}: line {}, column {}: malformed CSV: a quote inside an unquoted field (RFC 4180: quote the \
                     whole field and double the inner quote)",
                    self.path.display(),
                    self.line,
                    index + 1
                );
            }
            self.pos += 1;
        }
        Ok(Cow::Borrowed(&self.text[start..self.pos]))
    }

    fn quoted_field(&mut self, index: usize) -> Result<Cow<'a, str>> {
        let bytes = self.text.as_bytes();
        let open_line = self.line;
        self.pos += 1;
        let mut segment = self.pos;
        let mut owned: Option<String> = None;
        loop {
            let Some(&b) = bytes.get(self.pos) else {
                bail!(
                    "{}: line {open_line}, column {}: malformed CSV: quoted field is never closed",
                    self.path.display(),
                    index + 1
                );
            };
            match b {
                b'"' if bytes.get(self.pos + 1) == Some(&b'"') => {
                    owned.get_or_insert_with(String::new).push_str(&self.text[segment..=self.pos]);
                    self.pos += 2;
                    segment = self.pos;
                }
                b'"' => break,
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b'\r' => {
                    if bytes.get(self.pos + 1) != Some(&b'\n') {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
        let tail = &self.text[segment..self.pos];
        self.pos += 1;
        if let Some(&b) = bytes.get(self.pos) {
            ensure!(
                b == self.delim || b == b'\n' || b == b'\r',
                "{}: line {}, column {}: malformed CSV: text after the closing quote of a quoted field \
                 (RFC 4180: double a quote inside a quoted field)",
                self.path.display(),
                self.line,
                index + 1
            );
        }
        Ok(match owned {
            Some(mut s) => {
                s.push_str(tail);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(tail),
        })
    }
}

/// One CSV record and the 1-based line on which it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Parse comma-separated RFC 4180 text into records (blank lines skipped); `what` names the
/// file in error messages.
pub fn parse(text: &str, what: &str) -> Result<Vec<Record>> {
    let mut reader = CsvReader::new(text, b',', Path::new(what));
    let mut fields = Vec::new();
    let mut out = Vec::new();
    while let Some(line) = reader.next_record(&mut fields)? {
        out.push(Record { line, fields: fields.iter().map(|f| f.to_string()).collect() });
    }
    Ok(out)
}

/// A parsed CSV file with a header: rows are checked to have as many fields as the header.
#[derive(Clone, Debug)]
pub struct Table {
    pub what: String,
    pub header: Vec<String>,
    pub rows: Vec<Record>,
}

impl Table {
    /// Parse `text` (named `what` in errors); the first record is the header.
    pub fn parse(text: &str, what: &str) -> Result<Table> {
        let mut records = parse(text, what)?.into_iter();
        let Some(header) = records.next() else { bail!("{what}: the file is empty (expected a header line)") };
        let rows: Vec<Record> = records.collect();
        for r in &rows {
            if r.fields.len() != header.fields.len() {
                bail!(
                    "{what}: line {}: {} fields, expected {} as in the header",
                    r.line,
                    r.fields.len(),
                    header.fields.len()
                );
            }
        }
        Ok(Table { what: what.to_string(), header: header.fields, rows })
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

/// Parse a number as bench writes it: shortest round-trip, `NaN`, `inf`, `-inf`.
pub fn parse_f64(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "inf" | "+inf" | "Infinity" => Some(f64::INFINITY),
        "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn records(text: &str, delim: u8) -> Result<Vec<(usize, Vec<String>)>> {
        let path = Path::new("t.csv");
        let mut r = CsvReader::new(text, delim, path);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = r.next_record(&mut fields)? {
            out.push((line, fields.iter().map(|f| f.to_string()).collect()));
        }
        Ok(out)
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
    fn tabs_and_untrimmed_values() {
        let r = records(" a \tb,c\t\n", b'\t').unwrap();
        assert_eq!(r, vec![(1, strs(&[" a ", "b,c", ""]))]);
    }

    #[test]
    fn malformed_quoting_names_line_and_column() {
        let e = records("a,b\n1,\"open\n2,3\n", b',').unwrap_err().to_string();
        assert!(e.contains("t.csv: line 2, column 2") && e.contains("never closed"), "{e}");
        let e = records("a,b\n1,\"x\"y\n", b',').unwrap_err().to_string();
        assert!(e.contains("line 2, column 2") && e.contains("after the closing quote"), "{e}");
        let e = records("a,b\n1,x\"y\n", b',').unwrap_err().to_string();
        assert!(e.contains("line 2, column 2") && e.contains("quote inside an unquoted field"), "{e}");
    }

    #[test]
    fn parses_quotes_commas_and_newlines() {
        let text = "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n2,\"multi\nline\",\n\n3,,\"\"\n";
        let recs = parse(text, "t.csv").unwrap();
        assert_eq!(recs.len(), 4);
        assert_eq!(recs[1].fields, vec!["1", "x,y", "say \"hi\""]);
        assert_eq!(recs[2].fields, vec!["2", "multi\nline", ""]);
        assert_eq!(recs[2].line, 3);
        assert_eq!(recs[3].line, 6);
        assert_eq!(recs[3].fields, vec!["3", "", ""]);
    }

    #[test]
    fn last_line_without_newline_is_kept() {
        let recs = parse("a,b\n1,2", "t.csv").unwrap();
        assert_eq!(recs[1].fields, vec!["1", "2"]);
    }

    #[test]
    fn malformed_input_names_file_and_line() {
        let e = parse("a\n\"open\n", "t.csv").unwrap_err();
        assert!(e.message().contains("t.csv: line 2"), "{e}");
        let e = parse("a\nx\"y\n", "t.csv").unwrap_err();
        assert!(e.message().contains("t.csv: line 2"), "{e}");
        let e = Table::parse("a,b\n1,2\n3\n", "t.csv").unwrap_err();
        assert_eq!(e.message(), "t.csv: line 3: 1 fields, expected 2 as in the header");
        let t = Table::parse("a,b\n1,2\n", "t.csv").unwrap();
        assert_eq!(t.column("c").unwrap_err().message(), "t.csv: line 1: missing column 'c'");
    }

    #[test]
    fn numbers_as_bench_writes_them() {
        assert_eq!(parse_f64("0.5"), Some(0.5));
        assert_eq!(parse_f64("inf"), Some(f64::INFINITY));
        assert!(parse_f64("NaN").unwrap().is_nan());
        assert_eq!(parse_f64("x"), None);
        assert_eq!(parse_f64(""), None);
    }
}
