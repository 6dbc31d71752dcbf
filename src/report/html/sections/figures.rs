//! The figures: PCA panels and metric-vs-ε curves per dataset.

use super::super::model::Block;
use super::Context;
use crate::report::plots::{Figure, FigureKind};
use crate::report::table::PAPER_COLUMNS;

pub(super) fn section<'a>(ctx: &Context<'a>, blocks: &mut Vec<Block<'a>>) {
    let (inputs, figures) = (ctx.inputs, ctx.figures);

    blocks.push(Block::Heading(2, "Figures".into()));
    blocks.push(Block::Para(
        "PNG and SVG of every figure are in plots/. Curves: mean over folds × seeds with a ±1 sd band per DP generator \
         (log-scale ε), non-DP generators as solid horizontal lines, the real-data reference dashed."
            .into(),
    ));
    for dataset in inputs.datasets() {
        let of: Vec<&Figure> = figures.iter().filter(|f| f.dataset == dataset).collect();
        if of.is_empty() {
            continue;
        }
        blocks.push(Block::Heading(3, format!("Dataset {dataset}")));
        let pca: Vec<&Figure> = of.iter().copied().filter(|f| matches!(f.kind, FigureKind::Pca { .. })).collect();
        if !pca.is_empty() {
            blocks.push(Block::Heading(4, "PCA: real train vs synthetic".into()));
            blocks.push(Block::Figures(pca));
        }
        let is_paper = |f: &&Figure| match &f.kind {
            FigureKind::Curve { metric, .. } => PAPER_COLUMNS.iter().any(|c| c.synthetic.contains(&metric.as_str())),
            FigureKind::Pca { .. } | FigureKind::Suite(_) => false,
        };
        let curves: Vec<&Figure> = of.iter().copied().filter(|f| matches!(f.kind, FigureKind::Curve { .. })).collect();
        let (paper, other): (Vec<&Figure>, Vec<&Figure>) = curves.into_iter().partition(is_paper);
        if !paper.is_empty() {
            blocks.push(Block::Heading(4, "Table-1 metrics vs ε".into()));
            blocks.push(Block::Figures(paper));
        }
        if !other.is_empty() {
            blocks.push(Block::Details {
                summary: format!("Other metrics vs ε ({} figures)", other.len()),
                blocks: vec![Block::Figures(other)],
            });
        }
    }
}
