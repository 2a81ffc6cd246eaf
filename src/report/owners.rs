//! A bundle per data owner: `reports/owners/<id>/` holds only that owner's
//! sources' reports (each `<source>/` with its `index.html` — trend
//! included —, `findings.csv`, `summary.json` and `junit.xml`), a page
//! listing them (`index.html`) and `owner.json` (the office, its contact,
//! who to notify, each source's state) for whatever sends the bundle. The
//! school office receives its extract's report and nobody else's.
//!
//! The run's index lists the owners and the state of their sources
//! ([`index_section`]). Counts of records per outcome are counts of people:
//! shown through [`suppress`].

use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::charts::esc;
use super::html::Lang;
use super::run_index::IndexEntry;
use crate::output::Sink;
use crate::privacy::suppress;
use crate::project::{Owner, Project};

/// The bundles' folder, in the reports folder.
pub const FOLDER: &str = "owners";

/// The files of a source's report copied into its owner's bundle.
pub const FILES: [&str; 4] = ["index.html", "findings.csv", "summary.json", "junit.xml"];

struct Words {
    owners: &'static str,
    office: &'static str,
    contact: &'static str,
    sources: &'static str,
    bundle: &'static str,
    source: &'static str,
    rows: &'static str,
    state: &'static str,
    passed: &'static str,
    failing: &'static str,
    linked: &'static str,
    review: &'static str,
    unlinked: &'static str,
    intro: &'static str,
    unowned: &'static str,
}

const IT: Words = Words {
    owners: "Titolari dei dati",
    office: "Ufficio",
    contact: "Contatto",
    sources: "Fonti",
    bundle: "Pacchetto",
    source: "Fonte",
    rows: "Righe",
    state: "Stato",
    passed: "superato",
    failing: "controlli oltre la tolleranza",
    linked: "Collegati",
    review: "Da rivedere",
    unlinked: "Non collegati",
    intro: "I rapporti delle sole fonti di questo ufficio, con il loro andamento nel tempo.",
    unowned: "senza titolare",
};

const EN: Words = Words {
    owners: "Data owners",
    office: "Office",
    contact: "Contact",
    sources: "Sources",
    bundle: "Bundle",
    source: "Source",
    rows: "Rows",
    state: "State",
    passed: "passed",
    failing: "checks over tolerance",
    linked: "Linked",
    review: "Review",
    unlinked: "Unlinked",
    intro: "The reports of this office's sources only, with their trend over time.",
    unowned: "no owner",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::It => &IT,
        Lang::En => &EN,
    }
}

fn state(e: &IndexEntry, w: &Words) -> (String, &'static str) {
    if e.failing_checks == 0 {
        (w.passed.to_string(), "pass")
    } else {
        (format!("{} {}", e.failing_checks, w.failing), "fail")
    }
}

/// The sources of `owner`, in project order, with their index entries.
fn owned<'e>(project: &Project, owner: &Owner, entries: &'e [IndexEntry]) -> Vec<&'e IndexEntry> {
    project
        .sources
        .iter()
        .filter(|s| owner.sources.contains(&s.name))
        .filter_map(|s| entries.iter().find(|e| e.name == s.name))
        .collect()
}

/// The run index's section: per owner, its office, contact, sources with
/// their state, and a link to its bundle; empty when the project names no
/// owner.
pub fn index_section(project: &Project, entries: &[IndexEntry], lang: Lang) -> String {
    if project.owners.is_empty() {
        return String::new();
    }
    let w = words(lang);
    let mut s = format!(
        "<section class=\"card\" id=\"titolari\"><h2>{}</h2><table class=\"owners\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        w.owners, w.office, w.contact, w.sources, w.bundle
    );
    for o in &project.owners {
        let mut cells = Vec::new();
        for e in owned(project, o, entries) {
            let (label, class) = state(e, w);
            cells.push(format!(
                "<span class=\"{class}\" data-source=\"{}\">{}: {}</span>",
                esc(&e.name),
                esc(&e.name),
                esc(&label)
            ));
        }
        let _ = write!(
            s,
            "<tr data-owner=\"{id}\"><td>{}</td><td>{}</td><td>{}</td><td><a href=\"{FOLDER}/{id}/index.html\">{FOLDER}/{id}/</a></td></tr>",
            esc(&o.office),
            o.contact.as_deref().map(esc).unwrap_or_default(),
            cells.join("<br>"),
            id = esc(&o.id),
        );
    }
    let unowned: Vec<String> = project
        .sources
        .iter()
        .filter(|s| project.owner_of(&s.name).is_none())
        .map(|s| format!("<code>{}</code>", esc(&s.name)))
        .collect();
    s.push_str("</tbody></table>");
    if !unowned.is_empty() {
        let _ = write!(
            s,
            "<p class=\"muted\">{}: {}</p>",
            w.unowned,
            unowned.join(", ")
        );
    }
    s.push_str("</section>");
    s
}

/// `owner.json`: what a mailer needs to send the bundle.
#[derive(Serialize)]
struct Manifest<'a> {
    owner: &'a str,
    office: &'a str,
    contact: Option<&'a str>,
    notify: &'a [String],
    run: &'a str,
    date: &'a str,
    sources: Vec<ManifestSource<'a>>,
}

#[derive(Serialize)]
struct ManifestSource<'a> {
    name: &'a str,
    rows: u64,
    gate: &'static str,
    failing_checks: usize,
    report: String,
}

fn page(owner: &Owner, sources: &[&IndexEntry], date: &str, lang: Lang) -> String {
    let w = words(lang);
    let mut rows = String::new();
    for e in sources {
        let (label, class) = state(e, w);
        let dash = || "—".to_string();
        let _ = write!(
            rows,
            "<tr data-source=\"{n}\"><td><a href=\"{n}/index.html\">{n}</a></td><td>{}</td><td class=\"{class}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.rows,
            esc(&label),
            esc(&e.linkage.map_or_else(dash, |l| suppress(l[0]))),
            esc(&e.linkage.map_or_else(dash, |l| suppress(l[1]))),
            esc(&e.linkage.map_or_else(dash, |l| suppress(l[2]))),
            n = esc(&e.name),
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>vaglio · {office}</title>\
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328}}table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #d1d9e0;padding:.3rem .6rem;text-align:left}}.pass{{color:#1a7f37}}.fail{{color:#cf222e}}.muted{{color:#59636e}}</style></head>\
<body><main><h1>{office}</h1><p class=\"muted\">{contact}{date}</p><p>{intro}</p>\
<table><thead><tr><th>{source}</th><th>{rows_h}</th><th>{state}</th><th>{linked}</th><th>{review}</th><th>{unlinked}</th></tr></thead><tbody>{rows}</tbody></table></main></body></html>\n",
        lang = lang.code(),
        office = esc(&owner.office),
        contact = owner
            .contact
            .as_deref()
            .map(|c| format!("{} · ", esc(c)))
            .unwrap_or_default(),
        date = esc(date),
        intro = w.intro,
        source = w.source,
        rows_h = w.rows,
        state = w.state,
        linked = w.linked,
        review = w.review,
        unlinked = w.unlinked,
    )
}

/// Writes every owner's bundle into `reports/owners/<id>/` through `sink`
/// (in `vaglio run`, staged with the run: a source's files are copied as
/// this run wrote them); returns the bundles' folders.
pub fn write(
    sink: &Sink,
    project: &Project,
    entries: &[IndexEntry],
    run: &str,
    date: &str,
    lang: Lang,
) -> miette::Result<Vec<PathBuf>> {
    let root = project.reports.join(FOLDER);
    let mut out = Vec::new();
    for o in &project.owners {
        let dir = root.join(&o.id);
        let sources = owned(project, o, entries);
        for e in &sources {
            for f in FILES {
                let from = project.reports.join(&e.name).join(f);
                let to = dir.join(&e.name).join(f);
                copy_if_any(sink, &from, &to)?;
            }
        }
        sink.write(
            &dir.join("index.html"),
            page(o, &sources, date, lang).as_bytes(),
        )?;
        let manifest = Manifest {
            owner: &o.id,
            office: &o.office,
            contact: o.contact.as_deref(),
            notify: &o.notify,
            run,
            date,
            sources: sources
                .iter()
                .map(|e| ManifestSource {
                    name: &e.name,
                    rows: e.rows,
                    gate: if e.failing_checks == 0 {
                        "passed"
                    } else {
                        "failed"
                    },
                    failing_checks: e.failing_checks,
                    report: format!("{}/index.html", e.name),
                })
                .collect(),
        };
        let mut json = serde_json::to_string_pretty(&manifest)
            .map_err(|e| miette::miette!("cannot build owner.json: {e}"))?;
        json.push('\n');
        sink.write(&dir.join("owner.json"), json.as_bytes())?;
        out.push(dir);
    }
    remove_stale(sink, project, &root)?;
    Ok(out)
}

/// Removes, with the run, vaglio's files that earlier runs left in the
/// bundles and that are no longer an owner's: a source that changed owner,
/// an owner no longer in the project (its folders stay, empty).
fn remove_stale(sink: &Sink, project: &Project, root: &Path) -> miette::Result<()> {
    let dirs = |p: &Path| -> Vec<(String, PathBuf)> {
        std::fs::read_dir(p)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect()
    };
    for (id, dir) in dirs(root) {
        let owner = project.owners.iter().find(|o| o.id == id);
        if owner.is_none() {
            for f in ["index.html", "owner.json"] {
                sink.remove(&dir.join(f))?;
            }
        }
        for (source, sdir) in dirs(&dir) {
            if owner.is_some_and(|o| o.sources.contains(&source)) {
                continue;
            }
            for f in FILES {
                sink.remove(&sdir.join(f))?;
            }
        }
    }
    Ok(())
}

/// The bundles' folder in `reports` and every bundle in it (whatever owner
/// an earlier run wrote it for): the folders a run cleans of files staged
/// by a killed run, with their immediate subfolders.
pub fn folders(reports: &Path) -> Vec<PathBuf> {
    let root = reports.join(FOLDER);
    let mut out = vec![root.clone()];
    if let Ok(entries) = std::fs::read_dir(&root) {
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        dirs.sort();
        out.extend(dirs);
    }
    out
}

/// Copies `from` (staged by this run, or in place) to `to`; nothing when
/// there is neither (a source's report this run did not write and no
/// earlier run left).
fn copy_if_any(sink: &Sink, from: &Path, to: &Path) -> miette::Result<()> {
    match sink.copy(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.path == from && e.source.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        let text = r#"
[anagrafe]
file = "a.csv"
rules = "a.toml"
[[sources]]
name = "refezione"
file = "r.csv"
rules = "r.toml"
owner = "scuola"
[[sources]]
name = "sociali"
file = "s.csv"
rules = "s.toml"
owner = "sociali"
[[sources]]
name = "altro"
file = "x.csv"
rules = "x.toml"
[owners.scuola]
office = "Ufficio <scuola>"
contact = "scuola@comune.example.it"
notify = ["qualita@comune.example.it"]
[owners.sociali]
office = "Servizi sociali"
"#;
        crate::project::load_str(text, Path::new("vaglio.toml"), Path::new("/p")).unwrap()
    }

    fn entry(name: &str, failing: usize) -> IndexEntry {
        IndexEntry {
            name: name.into(),
            rows: 10,
            failing_checks: failing,
            linkage: Some([8, 1, 1]),
            addresses: None,
        }
    }

    #[test]
    fn the_index_lists_each_owner_with_only_its_sources() {
        let p = project();
        let entries = [
            entry("refezione", 2),
            entry("sociali", 0),
            entry("altro", 0),
        ];
        let s = index_section(&p, &entries, Lang::It);
        assert!(s.contains("Ufficio &lt;scuola&gt;"));
        let scuola =
            &s[s.find("data-owner=\"scuola\"").unwrap()..s.find("data-owner=\"sociali\"").unwrap()];
        assert!(scuola.contains("refezione: 2 controlli oltre la tolleranza"));
        assert!(!scuola.contains("sociali:"));
        assert!(s.contains("senza titolare: <code>altro</code>"));
        assert!(
            !s.contains("qualita@"),
            "the notify list is not in the index"
        );
        let mut bare = p.clone();
        bare.owners.clear();
        assert_eq!(index_section(&bare, &entries, Lang::It), "");
    }

    #[test]
    fn an_owner_page_suppresses_small_counts() {
        let p = project();
        let entries = [entry("refezione", 0)];
        let html = page(
            &p.owners[0],
            &owned(&p, &p.owners[0], &entries),
            "2026-01-31",
            Lang::It,
        );
        assert!(html.contains("<td>&lt;3</td>"), "{html}");
        assert!(!html.contains("<3"), "escaped");
        assert!(html.contains("href=\"refezione/index.html\""));
    }
}
