//! HTML rendering of the document model: one self-contained page (inline CSS, figures as
//! base64 data URIs, no network).

use super::model::{Block, TableBlock};
use crate::report::plots::FigureKind;
use base64::Engine;

pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:0 auto;max-width:1380px;padding:12px 24px;color:#1a1a1a;line-height:1.4}
h1{font-size:26px;border-bottom:2px solid #333;padding-bottom:4px}h2{font-size:21px;margin-top:34px;border-bottom:1px solid #bbb}
h3{font-size:18px;margin-top:24px}h4{font-size:15px;margin:16px 0 6px}
.scroll{overflow-x:auto;margin:6px 0 14px}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 7px;vertical-align:top;text-align:left}th{background:#eef0f3;position:sticky;top:0}
tr.real td{background:#eef5ff;font-style:italic}td .sub{display:block;color:#666;font-size:11px}td{white-space:nowrap}td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:90px;max-width:360px}
td.warn,.warn{color:#a01010}p.note{background:#fff6e0;border-left:4px solid #e0a000;padding:6px 10px}
pre{background:#f6f6f6;padding:8px;font-size:12px;overflow-x:auto}details{margin:6px 0 12px}summary{cursor:pointer;font-weight:bold}
td details.cell{margin:0}td details.cell summary{font-weight:normal}td details.cell div{margin-top:3px;font-size:12px}
table.summary td{white-space:normal}.mark{color:#666;font-size:11px}
.figs{display:flex;flex-wrap:wrap;gap:14px}figure{margin:0;flex:1 1 640px;max-width:100%}
figure.wide{flex-basis:100%}figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{font-size:12px;color:#444}
@page{size:A4 portrait;margin:12mm}
@media print{body{max-width:none;padding:0;font-size:11px;line-height:1.3}h1{font-size:20px}h2{font-size:16px;margin-top:18px}
h3{font-size:14px}h4{font-size:12px}h2,h3,h4{break-after:avoid}.scroll{overflow:visible}table{font-size:9px}
th{position:static}tr,figure,pre{break-inside:avoid}td.wrap{max-width:200px}td .sub{font-size:8px}
figure{flex-basis:100%}figure img{border:0;max-height:240mm;width:auto}figcaption a{display:none}
a{color:inherit;text-decoration:none}p.note{border-left-width:2px}}";

fn html_table(t: &TableBlock, out: &mut String) {
    out.push_str("<div class=\"scroll\"><table>\n<tr>");
    for h in &t.header {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr>\n");
    for (i, row) in t.rows.iter().enumerate() {
        out.push_str(if t.highlight.get(i).copied().unwrap_or(false) { "<tr class=\"real\">" } else { "<tr>" });
        for c in row {
            out.push_str(match (c.warn, c.wrap) {
                (false, false) => "<td>",
                (true, false) => "<td class=\"warn\">",
                (false, true) => "<td class=\"wrap\">",
                (true, true) => "<td class=\"warn wrap\">",
            });
            let main = esc(&c.main).replace('\n', "<br>");
            match c.collapsed_summary() {
                Some(summary) => out.push_str(&format!(
                    "<details class=\"cell\"><summary>{}</summary><div>{main}</div></details>",
                    esc(&summary)
                )),
                None => out.push_str(&main),
            }
            if let Some(sub) = &c.sub {
                out.push_str(&format!("<span class=\"sub\">{}</span>", esc(sub).replace('\n', "<br>")));
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></div>\n");
}

fn html_blocks(blocks: &[Block<'_>], out: &mut String) {
    for b in blocks {
        match b {
            Block::Heading(level, text) => out.push_str(&format!("<h{level}>{}</h{level}>\n", esc(text))),
            Block::Para(text) => out.push_str(&format!("<p>{}</p>\n", esc(text))),
            Block::Note(text) => out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(text))),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    out.push_str(&format!("<li>{}</li>\n", esc(i)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(t) => html_table(t, out),
            Block::Code { summary, text } => out.push_str(&format!(
                "<details><summary>{}</summary><pre>{}</pre></details>\n",
                esc(summary),
                esc(text)
            )),
            Block::Details { summary, blocks } => {
                out.push_str(&format!("<details><summary>{}</summary>\n", esc(summary)));
                html_blocks(blocks, out);
                out.push_str("</details>\n");
            }
            Block::Figures(figs) => {
                out.push_str("<div class=\"figs\">\n");
                for f in figs {
                    let class = if matches!(f.kind, FigureKind::Pca { .. }) { " class=\"wide\"" } else { "" };
                    let data = base64::engine::general_purpose::STANDARD.encode(&f.png);
                    out.push_str(&format!(
                        "<figure{class}><img alt=\"{}\" src=\"data:image/png;base64,{data}\"><figcaption>{} · <a href=\"{}\">SVG</a> · <a href=\"{}\">PNG</a></figcaption></figure>\n",
                        esc(&f.title),
                        esc(&f.title),
                        esc(&f.svg_path()),
                        esc(&f.png_path())
                    ));
                }
                out.push_str("</div>\n");
            }
        }
    }
}

pub(super) fn render_html(blocks: &[Block<'_>]) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n",
        esc(&title)
    );
    html_blocks(blocks, &mut out);
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
