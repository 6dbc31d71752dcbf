//! A small RFC 4180 reader for the CSV files a results directory holds (`cells.csv`,
//! `pca/*.csv`, the published reference tables). It keeps the line on which each record
//! starts, so every error can name the file, the line and the column.

use crate::bail;
use crate::error::Result;

/// One CSV record and the 1-based line on which it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Parse RFC 4180 text: fields separated by `,`, records by `\n` or `\r\n`; a quoted field may
/// hold commas, newlines and doubled quotes. Empty lines are skipped. `what` names the file in
/// error messages.
pub fn parse(text: &str, what: &str) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut after_quote = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    in_quotes = false;
                    after_quote = true;
                }
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            ',' => {
                fields.push(std::mem::take(&mut field));
                after_quote = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                push_record(&mut records, std::mem::take(&mut fields), record_line);
                line += 1;
                record_line = line;
                after_quote = false;
            }
            '"' if field.is_empty() && !after_quote => in_quotes = true,
            _ if after_quote => bail!("{what}: line {line}: unexpected '{c}' after a closing quote"),
            '"' => bail!("{what}: line {line}: a quote inside an unquoted field (quote the whole field)"),
            _ => field.push(c),
        }
    }
    if in_quotes {
        bail!("{what}: line {record_line}: quoted field is not closed before the end of the file");
    }
    if !field.is_empty() || !fields.is_empty() || after_quote {
        fields.push(field);
        push_record(&mut records, fields, record_line);
    }
    Ok(records)
}

/// Keep a record unless it is an empty line.
fn push_record(records: &mut Vec<Record>, fields: Vec<String>, line: usize) {
    if !(fields.len() == 1 && fields[0].is_empty()) {
        records.push(Record { line, fields });
    }
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
