//! One place that turns TOML and serde errors into bench's one-line messages: the line, the key
//! (`generators[0].epsilons`) and, in plain words, what was expected and what was found
//! (`expected a list, found a string ("1")`). The grid reader and the generator parameter
//! reader both map their errors through here (README "Troubleshooting").

use crate::error::Error;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A TOML/serde error of a grid's `text`: [`toml_error`], or for a blank grid the keys it needs.
pub fn grid_toml_error(text: &str, e: &toml::de::Error) -> Error {
    if is_blank(text) {
        return Error::new(
            "the grid is empty; required: at least one [[datasets]] table (e.g. name = \"sim-brca\") and one \
             [[generators]] table (name and kind, e.g. kind = \"multivariate\"); see experiments/quickstart.toml",
        );
    }
    toml_error(text, e)
}

/// A TOML/serde error of any TOML file's `text` (grid, tolerance file) as one line:
/// `line L: key 'K': <plain words>`.
pub fn toml_error(text: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else {
        return Error::new(plain_words(&message));
    };
    let line = line_of(text, span.start);
    if message == "duplicate key" {
        let key = text.get(span.clone()).unwrap_or("").trim().trim_matches(['[', ']', '"', '\'']);
        return Error::new(format!(
            "line {line}: duplicate key '{key}' (each key may be set once per table; remove one of them)"
        ));
    }
    let words = plain_words(&message);
    if message.starts_with("missing field") && span.start == 0 {
        return Error::new(format!("{words}{}", top_level_hint(&message)));
    }
    let key = key_at(text, span.start).filter(|k| !k.is_empty());
    match key {
        Some(key) => Error::new(format!("line {line}: key '{key}': {words}")),
        None => Error::new(format!("line {line}: {words}")),
    }
}

/// What a missing top-level key needs.
fn top_level_hint(message: &str) -> &'static str {
    if message.contains("`datasets`") {
        " (at least one [[datasets]] table, e.g. name = \"sim-brca\")"
    } else if message.contains("`generators`") {
        " (at least one [[generators]] table with name and kind, e.g. kind = \"multivariate\")"
    } else {
        ""
    }
}

/// The line of the key at `path` (`generators[0].delta`: segments split at `.`, `[i]` indexes
/// a list), if the text parses and has it.
pub fn line_of_key(text: &str, path: &str) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let segments: Vec<&str> = path.split('.').collect();
    for (n, segment) in segments.iter().enumerate() {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*segment, None),
        };
        let (key, value) = table.iter().find(|(k, _)| k.get_ref() == name)?;
        let value = match index {
            Some(i) => match value.get_ref() {
                DeValue::Array(items) => items.get(i)?,
                _ => return None,
            },
            None => value,
        };
        if n + 1 == segments.len() {
            let at = if index.is_some() { value.span().start } else { key.span().start };
            return Some(line_of(text, at));
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => return None,
        }
    }
    None
}

/// The first `key 'NAME'` a message names (NAME without any `[i]`), for [`line_of_key`].
pub fn named_key(message: &str) -> Option<&str> {
    let key = named_key_path(message)?;
    Some(key.split('[').next().unwrap_or(key))
}

/// The first `key 'PATH'` a message names, as written (`metrics[1]`).
fn named_key_path(message: &str) -> Option<&str> {
    let rest = &message[message.find("key '")? + 5..];
    Some(&rest[..rest.find('\'')?])
}

/// An error of a grid-wide check prefixed with `line L`, L the line of the key it names
/// (`key 'metrics[1]'`: the list's second item, else the list's key), unless it already
/// starts with a line or the text does not have that key (e.g. a default left unwritten).
pub fn at_named_key(text: &str, e: Error) -> Error {
    if e.message().starts_with("line ") {
        return e;
    }
    let line = named_key_path(e.message())
        .and_then(|path| line_of_key(text, path).or_else(|| line_of_key(text, named_key(e.message())?)));
    match line {
        Some(l) => e.context(format!("line {l}")),
        None => e,
    }
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

fn is_blank(text: &str) -> bool {
    text.lines().map(str::trim).all(|l| l.is_empty() || l.starts_with('#'))
}

/// The dotted key path (`protocol.seeds[1]`, `datasets[0]`) of the innermost key or value of
/// the document whose span holds byte `offset`; `None` when the text does not parse.
pub fn key_at(text: &str, offset: usize) -> Option<String> {
    let root = DeTable::parse(text).ok()?;
    let mut path = String::new();
    walk_table(root.get_ref(), offset, &mut path);
    Some(path)
}

fn walk_table(table: &DeTable<'_>, offset: usize, path: &mut String) {
    for (key, value) in table.iter() {
        let in_key = key.span().contains(&offset);
        if in_key || value.span().contains(&offset) || contains_deep(value, offset) {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key.get_ref());
            if !in_key {
                walk_value(value, offset, path);
            }
            return;
        }
    }
}

fn walk_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut String) {
    match value.get_ref() {
        DeValue::Table(t) => walk_table(t, offset, path),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.span().contains(&offset) || contains_deep(item, offset) {
                    path.push_str(&format!("[{i}]"));
                    walk_value(item, offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// Whether any key or value inside `value` spans `offset` (tables from `[header]` sections do
/// not always span their body).
fn contains_deep(value: &Spanned<DeValue<'_>>, offset: usize) -> bool {
    match value.get_ref() {
        DeValue::Table(t) => {
            t.iter().any(|(k, v)| k.span().contains(&offset) || v.span().contains(&offset) || contains_deep(v, offset))
        }
        DeValue::Array(items) => items.iter().any(|v| v.span().contains(&offset) || contains_deep(v, offset)),
        _ => false,
    }
}

/// A serde error message in plain words: `invalid type: string "3", expected usize` becomes
/// `expected a whole number >= 0, found a string ("3")`; messages serde did not write pass
/// through unchanged.
pub fn plain_words(message: &str) -> String {
    let m = message.trim();
    if let Some(rest) = m.strip_prefix("invalid type: ").or_else(|| m.strip_prefix("invalid value: ")) {
        if let Some((found, expected)) = rest.rsplit_once(", expected ") {
            return format!("expected {}, found {}", expected_words(expected), found_words(found));
        }
    }
    if let Some(rest) = m.strip_prefix("invalid length ") {
        if let Some((n, expected)) = rest.split_once(", expected ") {
            return format!("expected {}, found {n} value(s)", expected_words(expected));
        }
    }
    if let Some(field) = m.strip_prefix("missing field ") {
        return format!("missing required key {}", quote(field));
    }
    if let Some(rest) = m.strip_prefix("unknown field ") {
        return match rest.split_once(", expected ") {
            Some((field, known)) => format!("unknown key {} (expected {})", quote(field), quote_all(known)),
            None => {
                let field = rest.split(", there are no fields").next().unwrap_or(rest);
                format!("unknown key {} (this table takes no keys)", quote(field))
            }
        };
    }
    if let Some(rest) = m.strip_prefix("unknown variant ") {
        if let Some((value, known)) = rest.split_once(", expected ") {
            return format!("unknown value {} (expected {})", quote(value), quote_all(known));
        }
    }
    m.to_string()
}

/// serde's `` `x` `` as bench's `'x'`.
fn quote(s: &str) -> String {
    format!("'{}'", s.trim().trim_matches('`'))
}

fn quote_all(s: &str) -> String {
    s.replace('`', "'")
}

fn expected_words(expected: &str) -> String {
    let e = expected.trim();
    match e {
        "usize" | "u64" | "u32" | "u16" | "u8" => "a whole number >= 0".into(),
        "isize" | "i64" | "i32" | "i16" | "i8" => "a whole number".into(),
        "f64" | "f32" => "a number".into(),
        "bool" | "a boolean" => "true or false".into(),
        "a sequence" | "a seq" | "sequence" => "a list".into(),
        "a map" | "map" => "a table".into(),
        _ if e.starts_with("struct ") || e.starts_with("a map") => "a table".into(),
        _ if e.starts_with("an array of length ") => {
            format!("a list of {} values", e.trim_start_matches("an array of length "))
        }
        _ if e.starts_with("a string") || e.starts_with("a borrowed string") => "a string".into(),
        _ => quote_all(e),
    }
}

fn found_words(found: &str) -> String {
    let f = found.trim();
    let inner = |prefix: &str| f.strip_prefix(prefix).map(|v| v.trim().trim_matches('`').to_string());
    if let Some(v) = inner("string ") {
        return format!("a string ({v})");
    }
    if let Some(v) = inner("integer ") {
        return format!("the whole number {v}");
    }
    if let Some(v) = inner("floating point ") {
        return format!("the number {v}");
    }
    if let Some(v) = inner("boolean ") {
        return format!("the boolean {v}");
    }
    match f {
        "sequence" => "a list".into(),
        "map" => "a table".into(),
        _ => quote_all(f),
    }
}

/// A TOML value as found, in plain words: `a string ("1")`, `the whole number 3`, `a list`.
pub fn found_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("a string ({s:?})"),
        toml::Value::Integer(i) => format!("the whole number {i}"),
        toml::Value::Float(f) => format!("the number {f}"),
        toml::Value::Boolean(b) => format!("the boolean {b}"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(text: &str) -> String {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct P {
            folds: Option<usize>,
            seeds: Option<Vec<u64>>,
            range: Option<[f64; 2]>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct G {
            name: String,
            protocol: Option<P>,
            generators: Option<Vec<toml::Table>>,
        }
        let e = toml::from_str::<G>(text).unwrap_err();
        grid_toml_error(text, &e).to_string()
    }

    #[test]
    fn type_errors_name_the_key_and_both_types() {
        assert_eq!(
            err_of("name = \"t\"\n[protocol]\nfolds = \"3\"\n"),
            "line 3: key 'protocol.folds': expected a whole number >= 0, found a string (\"3\")"
        );
        assert_eq!(
            err_of("name = \"t\"\n[protocol]\nseeds = [1, -2]\n"),
            "line 3: key 'protocol.seeds[1]': expected a whole number >= 0, found the whole number -2"
        );
        assert_eq!(
            err_of("name = \"t\"\n[protocol]\nrange = [1]\n"),
            "line 3: key 'protocol.range': expected a list of 2 values, found 1 value(s)"
        );
        assert_eq!(err_of("name = 5\n"), "line 1: key 'name': expected a string, found the whole number 5");
        assert_eq!(
            err_of("name = \"t\"\ngenerators = 3\n"),
            "line 2: key 'generators': expected a list, found the whole number 3"
        );
    }

    #[test]
    fn unknown_duplicate_missing_and_empty() {
        let e = err_of("name = \"t\"\n[protocol]\nfoldz = 3\n");
        assert!(
            e.starts_with("line 3: key 'protocol.foldz': unknown key 'foldz' (expected one of 'folds', 'seeds'"),
            "{e}"
        );
        assert_eq!(
            err_of("name = \"t\"\nname = \"u\"\n"),
            "line 2: duplicate key 'name' (each key may be set once per table; remove one of them)"
        );
        assert_eq!(err_of("[protocol]\nfolds = 3\n"), "missing required key 'name'");
        assert!(err_of("# nothing\n\n").starts_with("the grid is empty; required: at least one [[datasets]]"));
    }

    #[test]
    fn keys_are_found_by_path() {
        let text = "name = \"t\"\n[[generators]]\nname = \"a\"\n\n[[generators]]\nname = \"b\"\ndelta = 2\n";
        assert_eq!(line_of_key(text, "generators[1].delta"), Some(7));
        assert_eq!(line_of_key(text, "generators[1]"), Some(5));
        assert_eq!(line_of_key(text, "generators[2].delta"), None);
        assert_eq!(named_key("generator 'b': key 'epsilons[1]': x"), Some("epsilons"));
    }

    #[test]
    fn plain_words_passes_other_messages_through() {
        assert_eq!(plain_words("expected `]`"), "expected `]`");
        assert_eq!(
            plain_words("unknown variant `mts`, expected `label-star` or `mst`"),
            "unknown value 'mts' (expected 'label-star' or 'mst')"
        );
    }
}
