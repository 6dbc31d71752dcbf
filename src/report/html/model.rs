//! The document model both renderers read: blocks (headings, paragraphs, tables, figures,
//! collapsible details) and table cells.

use crate::report::plots::Figure;

/// A table cell: main text, optional second line, emphasis, and whether long text may wrap
/// (numbers never do). Long wrapping text is collapsed in HTML behind `summary` (or, without
/// one, its first words) when it is longer than [`COLLAPSE_CHARS`]; lines of `main` are
/// separated by `\n`.
#[derive(Clone, Debug, Default)]
pub(super) struct Cell {
    pub main: String,
    pub sub: Option<String>,
    pub warn: bool,
    pub wrap: bool,
    pub summary: Option<String>,
}

/// Wrapping text longer than this many characters is collapsed into a `<details>` in HTML.
pub(super) const COLLAPSE_CHARS: usize = 120;

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { main: s.into(), ..Cell::default() }
    }
    pub fn warn(s: impl Into<String>) -> Cell {
        Cell { main: s.into(), warn: true, wrap: true, ..Cell::default() }
    }
    pub fn long(s: impl Into<String>) -> Cell {
        Cell { main: s.into(), wrap: true, ..Cell::default() }
    }
    /// A list shown collapsed behind `summary` in HTML (one item a line); fully in Markdown.
    pub fn collapsed(summary: impl Into<String>, items: &[String], warn: bool) -> Cell {
        Cell { main: items.join("\n"), warn, wrap: true, summary: Some(summary.into()), ..Cell::default() }
    }

    /// What a collapsed cell shows closed: its summary, or its first words and "…"; `None`
    /// when the cell is shown open.
    pub fn collapsed_summary(&self) -> Option<String> {
        if !self.wrap {
            return None;
        }
        if let Some(s) = &self.summary {
            return Some(s.clone());
        }
        if self.main.chars().count() <= COLLAPSE_CHARS {
            return None;
        }
        let head: String = self.main.chars().take(COLLAPSE_CHARS / 2).collect();
        let head = match head.rfind([' ', '/', ',', ';', '|']) {
            Some(i) if i > COLLAPSE_CHARS / 4 => head[..i].to_string(),
            _ => head,
        };
        Some(format!("{}…", head.trim_end()))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::text(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::text(s)
    }
}

#[derive(Clone, Debug)]
pub(super) struct TableBlock {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows to highlight (real-data references).
    pub highlight: Vec<bool>,
}

#[derive(Clone, Debug)]
pub(super) enum Block<'a> {
    Heading(u8, String),
    Para(String),
    Note(String),
    List(Vec<String>),
    Table(TableBlock),
    Code { summary: String, text: String },
    Details { summary: String, blocks: Vec<Block<'a>> },
    Figures(Vec<&'a Figure>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_collapse() {
        assert_eq!(Cell::long("short").collapsed_summary(), None);
        assert_eq!(Cell::text("x".repeat(500)).collapsed_summary(), None, "numbers never collapse");
        let path = format!("/data/{}/matrix.tsv", "sub/".repeat(40));
        let s = Cell::long(path).collapsed_summary().unwrap();
        assert!(s.ends_with('…') && s.chars().count() <= COLLAPSE_CHARS / 2 + 1, "{s}");
        let c = Cell::collapsed("2 warnings", &["a".into(), "b".into()], true);
        assert_eq!((c.collapsed_summary().as_deref(), c.main.as_str()), (Some("2 warnings"), "a\nb"));
    }
}
