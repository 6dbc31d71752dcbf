//! The sections of the report, in document order. Each file has
//! `pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>)`.

use super::model::Block;
use super::Context;

/// A section: appends its blocks to the document.
pub(super) type Section = for<'a> fn(&Context<'a>, &mut Vec<Block<'a>>);

/// Declare the section modules and list them in document order.
macro_rules! sections {
    ($($name:ident),* $(,)?) => {
        $(mod $name;)*
        /// Every section, in document order.
        pub(super) const ALL: &[Section] = &[$($name::section),*];
    };
}

sections!(header, summary, settings, budget, results, privacy, biology, reference, figures, failures, versions);
