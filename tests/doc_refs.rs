//! Every spec citation in the code resolves inside the repository.
//!
//! Comments cite the reference documents as `<name>.md §N` or `<name>.md §N.M` (optionally with a
//! `docs/` prefix). This test scans every `.rs` file under `src/` and `tests/`, and asserts that
//! `docs/<name>.md` exists and has a heading whose number is the cited one (`## N.` for a
//! section, `### N.M` for a subsection, and so on).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// One citation found in a source file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Citation {
    doc: String,
    section: String,
    file: PathBuf,
    line: usize,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// The citations `<name>.md §<number>` on one line of text.
fn citations_in_line(text: &str) -> Vec<(String, String)> {
    const MARK: &str = ".md §";
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(MARK) {
        let start = from + at;
        let name_start =
            text[..start].char_indices().rev().take_while(|&(_, c)| is_name_char(c)).last().map_or(start, |(i, _)| i);
        let name = &text[name_start..start];
        let rest = &text[start + MARK.len()..];
        let number: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let number = number.trim_end_matches('.');
        if !name.is_empty() && !number.is_empty() {
            found.push((name.to_string(), number.to_string()));
        }
        from = start + MARK.len();
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn citations(root: &Path) -> Vec<Citation> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (i, line) in text.lines().enumerate() {
            for (doc, section) in citations_in_line(line) {
                found.push(Citation {
                    doc,
                    section,
                    file: file.strip_prefix(root).unwrap_or(&file).to_path_buf(),
                    line: i + 1,
                });
            }
        }
    }
    found
}

/// Section numbers of a markdown document: the first word of each heading, without a final dot.
fn section_numbers(markdown: &str) -> BTreeSet<String> {
    markdown
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start_matches('#');
            (rest.len() < line.len() && rest.starts_with(' ')).then_some(rest.trim_start())
        })
        .filter_map(|heading| heading.split_whitespace().next())
        .map(|word| word.trim_end_matches('.').to_string())
        .filter(|word| word.starts_with(|c: char| c.is_ascii_digit()))
        .collect()
}

#[test]
fn citation_scanner_reads_names_and_numbers() {
    let line = "// see docs/metrics.md §2.7, `generators.md` §1 and simulator.md §3. Not: §4, x.md §y";
    assert_eq!(
        citations_in_line(line),
        vec![("metrics".to_string(), "2.7".to_string()), ("simulator".to_string(), "3".to_string()),]
    );
    let numbers = section_numbers("# Title\n## 2. Profile\n### 2.1 Columns\n#### 0.4.1 Genes\ntext 3.1\n");
    let expected: BTreeSet<String> = ["2", "2.1", "0.4.1"].iter().map(|s| s.to_string()).collect();
    assert_eq!(numbers, expected);
}

#[test]
fn every_cited_section_exists_in_docs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = citations(root);
    assert!(found.len() >= 100, "expected the code's spec citations (about 150), found only {}", found.len());
    let mut broken = Vec::new();
    let mut sections_by_doc = std::collections::BTreeMap::new();
    for citation in &found {
        let numbers = sections_by_doc.entry(citation.doc.clone()).or_insert_with(|| {
            fs::read_to_string(root.join("docs").join(format!("{}.md", citation.doc)))
                .ok()
                .map(|text| section_numbers(&text))
        });
        let resolved = numbers.as_ref().is_some_and(|n| n.contains(&citation.section));
        if !resolved {
            broken.push(format!(
                "{}:{}: {}.md §{} ({})",
                citation.file.display(),
                citation.line,
                citation.doc,
                citation.section,
                if numbers.is_some() { "no such section" } else { "no such file in docs/" }
            ));
        }
    }
    assert!(broken.is_empty(), "{} unresolved citations:\n{}", broken.len(), broken.join("\n"));
    eprintln!("{} citations resolved in {} documents", found.len(), sections_by_doc.len());
}
