//! `report.html` (one self-contained file: CSS inline, PNG figures as base64 data URIs, no
//! network) and `report.md` beside it (figures linked relatively). Both are rendered from one
//! document model ([`model`]), so they always say the same thing.
//!
//! The document is the concatenation of the sections listed in [`sections`]; each section is one
//! file that turns the report's inputs ([`Context`]) into blocks. Adding a section is one new
//! file under `sections/` and its name in the `sections!` list.

mod format;
mod model;
mod sections;
mod to_html;
mod to_markdown;

use super::budget::BudgetRow;
use super::inputs::Inputs;
use super::plots::Figure;
use super::reference::{self, Published};
use super::table::Table1;
use crate::error::Result;
use crate::io::write_atomic;
use model::Block;

/// Everything a section may read.
pub struct Context<'a> {
    pub inputs: &'a Inputs,
    pub table: &'a Table1,
    pub budget: &'a [BudgetRow],
    pub figures: &'a [Figure],
    pub published: &'a [Published],
    /// Things the reader should know (see `report::generate`).
    pub notes: &'a [String],
}

/// The whole document: every section in order.
fn document<'a>(ctx: &Context<'a>) -> Vec<Block<'a>> {
    let mut blocks = Vec::new();
    for section in sections::ALL {
        section(ctx, &mut blocks);
    }
    blocks
}

/// Write report.html and report.md into the results directory.
pub fn write(
    inputs: &Inputs,
    table: &Table1,
    budget: &[BudgetRow],
    figures: &[Figure],
    notes: &[String],
) -> Result<()> {
    let published = reference::published()?;
    let ctx = Context { inputs, table, budget, figures, published: &published, notes };
    let blocks = document(&ctx);
    write_atomic(&inputs.dir.join("report.html"), to_html::render_html(&blocks).as_bytes())?;
    write_atomic(&inputs.dir.join("report.md"), to_markdown::render_markdown(&blocks).as_bytes())
}
