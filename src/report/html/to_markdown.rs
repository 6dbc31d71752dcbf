//! Markdown rendering of the document model (figures linked relatively, details expanded).

use super::model::Block;

pub(super) fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn md_blocks(blocks: &[Block<'_>], out: &mut String) {
    for b in blocks {
        match b {
            Block::Heading(level, text) => out.push_str(&format!("{} {}\n\n", "#".repeat(*level as usize), text)),
            Block::Para(text) => out.push_str(&format!("{text}\n\n")),
            Block::Note(text) => out.push_str(&format!("> **Note.** {text}\n\n")),
            Block::List(items) => {
                for i in items {
                    out.push_str(&format!("- {i}\n"));
                }
                out.push('\n');
            }
            Block::Table(t) => {
                out.push_str(&format!("| {} |\n", t.header.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(t.header.len())));
                for (i, row) in t.rows.iter().enumerate() {
                    let real = t.highlight.get(i).copied().unwrap_or(false);
                    let cells: Vec<String> = row
                        .iter()
                        .map(|c| {
                            let text = match &c.sub {
                                Some(sub) => format!("{} <br><sub>{}</sub>", c.main, sub.replace('\n', " · ")),
                                None => c.main.clone(),
                            };
                            let text = md_cell(&text);
                            if real && !text.is_empty() {
                                format!("*{text}*")
                            } else {
                                text
                            }
                        })
                        .collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
            Block::Code { summary, text } => {
                out.push_str(&format!("**{summary}**\n\n```\n{}\n```\n\n", text.trim_end()))
            }
            Block::Details { summary, blocks } => {
                out.push_str(&format!("**{summary}**\n\n"));
                md_blocks(blocks, out);
            }
            Block::Figures(figs) => {
                for f in figs {
                    out.push_str(&format!("![{}]({})\n\n[SVG]({})\n\n", f.title, f.png_path(), f.svg_path()));
                }
            }
        }
    }
}

pub(super) fn render_markdown(blocks: &[Block<'_>]) -> String {
    let mut out = String::new();
    md_blocks(blocks, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(md_cell("a|b"), "a\\|b");
    }
}
