//! `reports/index.html` of `vaglio run`: one page for the whole run, one row
//! per source (rows, checks failing the gate, records linked / in review /
//! unmatched, a link to the source's own report) and the run's metadata
//! (tool version, date, SHA-256 of every input and rule file), so that a
//! reader can tell exactly what was checked.
//!
//! Counts of records per outcome are counts of people: 1 and 2 are shown as
//! `<3` ([`suppress`]).

use std::path::{Path, PathBuf};

use askama::Template;
use miette::IntoDiagnostic;
use sha2::{Digest, Sha256};

use super::html::Lang;
use crate::link::Status;
use crate::output::write_atomic;
use crate::pipeline::SourceResult;
use crate::privacy::suppress;
use crate::project::Project;

/// One source of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexEntry {
    /// The source's name (its report is `<name>/index.html`).
    pub name: String,
    /// Data rows.
    pub rows: u64,
    /// Checks over tolerance that fail the gate.
    pub failing_checks: usize,
    /// Records linked, in review and not linked; `None` for a source that
    /// is not linked (the anagrafe).
    pub linkage: Option<[u64; 3]>,
}

impl IndexEntry {
    /// The entry of a source of `vaglio run` (the anagrafe, with no links,
    /// has no linkage figures).
    pub fn from_result(r: &SourceResult, linked: bool) -> IndexEntry {
        IndexEntry {
            name: r.name.clone(),
            rows: r.rows,
            failing_checks: r.failing_checks,
            linkage: linked.then(|| {
                [
                    r.count(Status::Match) as u64,
                    r.count(Status::Review) as u64,
                    r.count(Status::Unmatched) as u64,
                ]
            }),
        }
    }
}

/// One file the run read, with its digest.
#[derive(Clone, Debug, PartialEq)]
pub struct FileDigest {
    /// What it is: `progetto`, `anagrafe: file`, `refezione: regole`, …
    pub role: String,
    /// The path as the project names it.
    pub path: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// What identifies a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunMetadata {
    /// The tool's version.
    pub version: String,
    /// The run's date (`--today`).
    pub date: String,
    /// Every input and rule file, in project order.
    pub files: Vec<FileDigest>,
}

fn sha256_file(path: &Path) -> miette::Result<String> {
    let bytes = std::fs::read(path)
        .into_diagnostic()
        .map_err(|e| e.wrap_err(format!("cannot read {}", path.display())))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

impl RunMetadata {
    /// The metadata of a run of `project` on `today`, with the digests of
    /// the project file, the anagrafe and every source (data and rules),
    /// and of the decisions file when one is given.
    pub fn for_project(
        project: &Project,
        today: chrono::NaiveDate,
        decisions: Option<&Path>,
    ) -> miette::Result<RunMetadata> {
        let shown = |p: &Path| {
            p.strip_prefix(&project.base)
                .unwrap_or(p)
                .display()
                .to_string()
        };
        let mut files = Vec::new();
        let mut add = |role: String, p: &Path| -> miette::Result<()> {
            files.push(FileDigest {
                role,
                path: shown(p),
                sha256: sha256_file(p)?,
            });
            Ok(())
        };
        add("project".into(), &project.path)?;
        add("anagrafe: file".into(), &project.anagrafe.file)?;
        add("anagrafe: rules".into(), &project.anagrafe.rules)?;
        for s in &project.sources {
            add(format!("{}: file", s.name), &s.file)?;
            add(format!("{}: rules", s.name), &s.rules)?;
        }
        if let Some(d) = decisions {
            add("decisions".into(), d)?;
        }
        Ok(RunMetadata {
            version: env!("CARGO_PKG_VERSION").to_string(),
            date: today.format("%Y-%m-%d").to_string(),
            files,
        })
    }
}

struct Words {
    title: &'static str,
    generated: &'static str,
    run_date: &'static str,
    sources: &'static str,
    source: &'static str,
    rows: &'static str,
    failing: &'static str,
    linked: &'static str,
    review: &'static str,
    unmatched: &'static str,
    report: &'static str,
    open: &'static str,
    files: &'static str,
    role: &'static str,
    file: &'static str,
    suppression: &'static str,
    privacy: &'static str,
}

const IT: Words = Words {
    title: "Esecuzione di vaglio: rapporti",
    generated: "Generato da",
    run_date: "data dell'esecuzione",
    sources: "Fonti",
    source: "Fonte",
    rows: "Righe",
    failing: "Controlli oltre tolleranza",
    linked: "Collegati",
    review: "Da rivedere",
    unmatched: "Non collegati",
    report: "Rapporto",
    open: "apri",
    files: "File letti (SHA-256)",
    role: "Ruolo",
    file: "File",
    suppression: "I conteggi di persone pari a 1 o 2 sono mostrati come «<3», perché nessuno sia riconoscibile (i totali dei file e i conteggi dei controlli non lo sono).",
    privacy: "Nessun dato personale è mostrato in questa pagina né nei rapporti delle fonti.",
};

const EN: Words = Words {
    title: "vaglio run: reports",
    generated: "Generated by",
    run_date: "run date",
    sources: "Sources",
    source: "Source",
    rows: "Rows",
    failing: "Checks over tolerance",
    linked: "Linked",
    review: "In review",
    unmatched: "Not linked",
    report: "Report",
    open: "open",
    files: "Files read (SHA-256)",
    role: "Role",
    file: "File",
    suppression: "Counts of people of 1 or 2 are shown as “<3”, so that nobody can be singled out (row counts of whole files and check failure counts are not).",
    privacy: "No personal data is shown on this page or in the sources' reports.",
};

struct Row {
    name: String,
    href: String,
    rows: u64,
    failing: usize,
    linked: String,
    review: String,
    unmatched: String,
}

struct FileRow {
    role: String,
    path: String,
    sha256: String,
}

#[derive(Template)]
#[template(path = "run_index.html")]
struct Page<'a> {
    t: &'a Words,
    lang: &'static str,
    version: String,
    date: String,
    rows: Vec<Row>,
    files: Vec<FileRow>,
}

/// A source's name as a relative link to its page (`<name>/index.html`),
/// with characters outside `[A-Za-z0-9_.-]` percent-encoded.
fn href(name: &str) -> String {
    let mut s = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{s}/index.html")
}

/// Renders the run's index page.
pub fn render(
    entries: &[IndexEntry],
    metadata: &RunMetadata,
    lang: Lang,
) -> Result<String, askama::Error> {
    let t = match lang {
        Lang::It => &IT,
        Lang::En => &EN,
    };
    let dash = || "—".to_string();
    let rows = entries
        .iter()
        .map(|e| Row {
            name: e.name.clone(),
            href: href(&e.name),
            rows: e.rows,
            failing: e.failing_checks,
            linked: e.linkage.map_or_else(dash, |l| suppress(l[0])),
            review: e.linkage.map_or_else(dash, |l| suppress(l[1])),
            unmatched: e.linkage.map_or_else(dash, |l| suppress(l[2])),
        })
        .collect();
    let role = |r: &str| -> String {
        if lang == Lang::En {
            return r.to_string();
        }
        r.replace("project", "progetto")
            .replace(": file", ": dati")
            .replace(": rules", ": regole")
            .replace("decisions", "decisioni")
    };
    Page {
        t,
        lang: lang.code(),
        version: metadata.version.clone(),
        date: metadata.date.clone(),
        rows,
        files: metadata
            .files
            .iter()
            .map(|f| FileRow {
                role: role(&f.role),
                path: f.path.clone(),
                sha256: f.sha256.clone(),
            })
            .collect(),
    }
    .render()
}

/// Writes `index.html` into `reports_dir` (atomically) and returns its
/// path.
pub fn write(
    reports_dir: &Path,
    entries: &[IndexEntry],
    metadata: &RunMetadata,
    lang: Lang,
) -> miette::Result<PathBuf> {
    let page = render(entries, metadata, lang).map_err(|e| {
        miette::miette!(
            code = "vaglio::report::html",
            "cannot render the run's index page: {e}"
        )
    })?;
    let path = reports_dir.join("index.html");
    write_atomic(&path, page.as_bytes())?;
    Ok(path)
}

/// Writes the index of a `vaglio run`: the anagrafe (first result, not
/// linked) and every source, with the project's metadata.
pub fn write_for_run(
    project: &Project,
    results: &[SourceResult],
    today: chrono::NaiveDate,
    decisions: Option<&Path>,
    lang: Lang,
) -> miette::Result<PathBuf> {
    let entries: Vec<IndexEntry> = results
        .iter()
        .enumerate()
        .map(|(i, r)| IndexEntry::from_result(r, i > 0))
        .collect();
    let metadata = RunMetadata::for_project(project, today, decisions)?;
    write(&project.reports, &entries, &metadata, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_lists_sources_links_pages_and_suppresses_small_counts() {
        let entries = vec![
            IndexEntry {
                name: "anagrafe".into(),
                rows: 5000,
                failing_checks: 0,
                linkage: None,
            },
            IndexEntry {
                name: "refezione".into(),
                rows: 659,
                failing_checks: 2,
                linkage: Some([650, 2, 7]),
            },
        ];
        let meta = RunMetadata {
            version: "0.1.0".into(),
            date: "2025-12-31".into(),
            files: vec![FileDigest {
                role: "refezione: rules".into(),
                path: "rules/refezione.toml".into(),
                sha256: "ab".repeat(32),
            }],
        };
        let html = render(&entries, &meta, Lang::It).unwrap_or_default();
        assert!(html.contains("href=\"refezione/index.html\""), "{html}");
        assert!(html.contains("href=\"anagrafe/index.html\""));
        assert!(html.contains(">650<") && html.contains(">7<"));
        assert!(html.contains("&lt;3") || html.contains("&#60;3"), "{html}");
        assert!(!html.contains(">2</td><td class=\"num\">7"));
        assert!(html.contains(&"ab".repeat(32)));
        assert!(html.contains("refezione: regole"));
        assert!(html.contains("2025-12-31") && html.contains("0.1.0"));
        let en = render(&entries, &meta, Lang::En).unwrap_or_default();
        assert!(en.contains("<html lang=\"en\">") && en.contains("refezione: rules"));
        assert_eq!(href("a b"), "a%20b/index.html");
    }
}
