//! A new source, end to end (`vaglio infer`): read the extract, recognise its
//! columns by content against the anagrafe, draft its field rules and its
//! `[link]` section, and find how it ties in with the anagrafe and the other
//! sources of the project.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use miette::{miette, WrapErr};

use super::columns::{self, Column, NameTable};
use super::link_draft::{self, LinkDraft};
use super::reference::Reference;
use super::relations::{self, Relation};
use super::sample::Sample;
use super::{draft, InferOptions};
use crate::read::ReadOptions;

/// What to infer from.
#[derive(Clone, Debug, Default)]
pub struct NewSource {
    /// The extract.
    pub extract: PathBuf,
    /// The anagrafe and its rule file.
    pub anagrafe: Option<(PathBuf, PathBuf)>,
    /// The anagrafe's family column.
    pub family: Option<String>,
    /// Other sources to relate the extract to: name, file, read options.
    pub others: Vec<(String, PathBuf, ReadOptions)>,
    /// Rows looked at.
    pub sample_rows: usize,
}

impl NewSource {
    /// The inputs a project file names: its anagrafe (with its family
    /// column) and its sources, but the one whose file is `extract`.
    pub fn from_project(
        extract: &Path,
        project: &Path,
        today: NaiveDate,
    ) -> miette::Result<NewSource> {
        let p = crate::project::load(project)?;
        let same = |f: &Path| match (f.canonicalize(), extract.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        let mut others = Vec::new();
        for s in &p.sources {
            if same(&s.file) {
                continue;
            }
            let rules = crate::rules::load_without_references(&s.rules, today)?;
            others.push((s.name.clone(), s.file.clone(), rules.input.read.clone()));
        }
        Ok(NewSource {
            extract: extract.to_path_buf(),
            anagrafe: Some((p.anagrafe.file.clone(), p.anagrafe.rules.clone())),
            family: p.anagrafe.family.clone(),
            others,
            sample_rows: InferOptions::default().sample_rows,
        })
    }
}

/// Everything `vaglio infer` found.
#[derive(Clone, Debug)]
pub struct Inference {
    /// The extract's columns, recognised.
    pub columns: Vec<Column>,
    /// The `[link]` draft.
    pub link: LinkDraft,
    /// Candidate relation keys, best first.
    pub relations: Vec<Relation>,
    /// The whole rule file drafted: relations as comments, field rules,
    /// the `[link]` section.
    pub text: String,
}

fn file_name(path: &Path) -> String {
    path.file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Infers a new source's rule file.
pub fn infer(input: &NewSource, today: NaiveDate) -> miette::Result<Inference> {
    let rows = if input.sample_rows == 0 {
        InferOptions::default().sample_rows
    } else {
        input.sample_rows
    };
    let extract = Sample::read(
        &input.extract,
        &file_name(&input.extract),
        &ReadOptions::default(),
        rows,
    )
    .wrap_err_with(|| format!("cannot read the extract {}", input.extract.display()))?;
    if extract.rows.is_empty() {
        return Err(miette!(
            code = "vaglio::infer::empty",
            help = "give an extract with a header and at least one data row",
            "{} has no data rows: there is nothing to infer from",
            input.extract.display()
        ));
    }
    let reference = match &input.anagrafe {
        None => None,
        Some((file, rules)) => Some(Reference::load(
            file,
            rules,
            input.family.as_deref(),
            today,
        )?),
    };
    let empty = NameTable::default();
    let names = reference.as_ref().map_or(&empty, |r| &r.names);
    let columns = columns::recognise(&extract, names, today);
    let link = link_draft::draft(&extract, &columns, reference.as_ref(), today);

    let mut others: Vec<Sample> = Vec::new();
    for (name, file, options) in &input.others {
        let s = Sample::read(file, name, options, rows)
            .wrap_err_with(|| format!("cannot read the source {name} ({})", file.display()))?;
        others.push(s);
    }
    let mut tables: Vec<&Sample> = Vec::new();
    if let Some(r) = &reference {
        tables.push(&r.sample);
    }
    tables.extend(others.iter());
    let relations = relations::relations(&extract, &columns, &tables, today);

    let options = InferOptions {
        sample_rows: rows,
        by: "vaglio infer".into(),
        personal: columns
            .iter()
            .filter(|c| c.kind != columns::Kind::Other)
            .map(|c| c.name.clone())
            .collect(),
        dates: columns
            .iter()
            .filter_map(|c| match &c.kind {
                columns::Kind::Date { formats } => Some((c.name.clone(), formats.clone())),
                _ => None,
            })
            .collect(),
        ..InferOptions::default()
    };
    let fields = draft(&input.extract, &options)?;
    let mut text = String::new();
    let name = file_name(&input.extract);
    let safe_name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    text.push_str(&fields.replacen(
        "\n[input]",
        &format!(
            "{}\nname = {}\n\n[input]",
            relations::comments(&relations),
            toml::Value::String(safe_name)
        ),
        1,
    ));
    text.push('\n');
    text.push_str(&link.text);
    Ok(Inference {
        columns,
        link,
        relations,
        text,
    })
}
