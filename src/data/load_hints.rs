//! Hints for files whose shape says what went wrong (data-formats.md §0): the wrong delimiter,
//! a missing header line, or a matrix stored the other way round (genes as rows). Readers append
//! them to the error they already have; a hint never changes what is accepted.

use csv::StringRecord;

/// The delimiter a single-field line seems to use instead of `expected`, named in words
/// (`semicolon`, `tab`, `comma`, `pipe`).
pub fn other_delimiter(field: &str, expected: u8) -> Option<&'static str> {
    [b';', b'\t', b',', b'|'].into_iter().find(|d| *d != expected && field.as_bytes().contains(d)).map(delimiter_name)
}

/// Name of a delimiter byte in words.
pub fn delimiter_name(delim: u8) -> &'static str {
    match delim {
        b'\t' => "tab",
        b',' => "comma",
        b';' => "semicolon",
        b'|' => "pipe",
        _ => "the expected delimiter",
    }
}

/// A hint for a header that lacks a required column, from the file's shape: a header of one
/// field holding another delimiter, a header of numbers (no header line), or more columns than
/// data rows with numbers in every cell after the first (genes as rows).
pub fn header_hint(header: &StringRecord, text: &str, delim: u8) -> Option<String> {
    if header.len() == 1 {
        if let Some(other) = other_delimiter(&header[0], delim) {
            return Some(format!(
                "the header is one field containing a {other}: the file seems to be {other}-separated, but bench \
                 reads {}-separated files here",
                delimiter_name(delim)
            ));
        }
    }
    let numeric = header.iter().filter(|c| c.parse::<f64>().is_ok()).count();
    if header.len() >= 2 && numeric * 2 >= header.len() {
        return Some(format!(
            "{numeric} of the {} header cells are numbers: the first line looks like data; the file needs a header \
             line with the column names",
            header.len()
        ));
    }
    let data_rows = text.lines().filter(|l| !l.trim().is_empty()).count().saturating_sub(1);
    let second = text.lines().filter(|l| !l.trim().is_empty()).nth(1)?;
    let cells: Vec<&str> = second.split(delim as char).collect();
    let numbers_after_first = cells.len() >= 2 && cells[1..].iter().all(|c| c.trim().parse::<f64>().is_ok());
    if header.len() > data_rows && numbers_after_first {
        return Some(format!(
            "the file has {} columns but {data_rows} data rows, and each row is a name followed by numbers: it looks \
             like genes as rows and samples as columns; the tidy layout is samples as rows (one id, one label and \
             one column per gene); use format = \"challenge\" for genes x samples matrices or transpose the file",
            header.len()
        ));
    }
    None
}

/// `error` with `hint` appended as `; hint: …` when there is one.
pub fn with_hint(error: crate::error::Error, hint: Option<String>) -> crate::error::Error {
    match hint {
        Some(h) => crate::error::Error::new(format!("{error}; hint: {h}")),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(fields: &[&str]) -> StringRecord {
        StringRecord::from(fields.to_vec())
    }

    #[test]
    fn hints_follow_the_shape() {
        let h = header_hint(&rec(&["sample_id;G1;label"]), "sample_id;G1;label\nS1;1;A\n", b',').unwrap();
        assert!(h.contains("semicolon-separated") && h.contains("comma-separated"), "{h}");
        let h = header_hint(&rec(&["1.5", "2", "x"]), "1.5,2,x\n", b',').unwrap();
        assert!(h.starts_with("2 of the 3 header cells are numbers"), "{h}");
        let text = "gene,S1,S2,S3,S4\nG1,1,2,3,4\nG2,5,6,7,8\n";
        let h = header_hint(&rec(&["gene", "S1", "S2", "S3", "S4"]), text, b',').unwrap();
        assert!(h.contains("genes as rows"), "{h}");
        assert_eq!(header_hint(&rec(&["id", "G1", "lab"]), "id,G1,lab\nS1,1,A\nS2,2,B\nS3,3,A\n", b','), None);
    }
}
