//! The document model both renderers read: blocks (headings, paragraphs, tables, figures,
//! collapsible details) and table cells.

use crate::report::plots::Figure;

/// A table cell: main text, optional second line, emphasis, and whether long text may wrap
/// (numbers never do).
#[derive(Clone, Debug, Default)]
pub(super) struct Cell {
    pub main: String,
    pub sub: Option<String>,
    pub warn: bool,
    pub wrap: bool,
}

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
