//! The project file `vaglio.toml`: the anagrafe, the sources, the output
//! folders, the privacy settings of a `vaglio run`. Every problem is reported
//! with its span, as for rule files.
//!
//! ```toml
//! [anagrafe]
//! file = "anagrafe.csv"
//! rules = "rules/anagrafe.toml"
//! family = "ID_FAMIGLIA"          # optional: the family id column
//! citizenship = "CITTADINANZA"    # optional: ISTAT country code (100 Italy)
//! area = "QUARTIERE"              # optional: quartiere / zone
//! relation = "RELAZIONE_PARENTELA" # optional: ANPR relationship to the head (household types)
//!
//! [stradario]                     # optional: the civic-number register
//! file = "stradario.csv"
//! rules = "rules/stradario.toml"  # optional: its checks
//! columns = { street_code = "CODVIA", cap = "" }  # optional: "" = not in the file
//!
//! [[sources]]
//! name = "refezione"              # letters, digits, _ (a table of the datamart)
//! file = "refezione.csv"
//! rules = "rules/refezione.toml"
//! isee_column = "VALORE_ISEE"     # optional
//! drop_columns = ["CF_PAGANTE"]   # optional: besides the [link] fields
//! owner = "scuola"                # optional: a key of [owners]
//!
//! [owners.scuola]                 # optional: who owns sources, per owner
//! office = "Ufficio refezione scolastica"
//! contact = "refezione@comune.example.it"   # optional: the office's address
//! notify = ["qualita.dati@comune.example.it"]   # optional: who receives the bundle
//!
//! [output]                        # optional, these are the defaults
//! reports = "reports"
//! master = "master"
//! review = "review"
//! history = "history"             # history.sqlite: every delivery's quality
//!
//! [privacy]
//! key_env = "VAGLIO_KEY"          # and/or key_file = "/secure/vaglio.key"
//!
//! [thresholds]                    # optional: overrides every source's
//! match = 0.95
//! review = 0.5
//!
//! [fragility]                     # optional: indicators produced elsewhere
//! import = ["indicatori_ausl.csv"]
//! ```
//!
//! Paths are relative to the project file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::de::DeTable;

use crate::geography::register::RegisterColumns;
use crate::rules::walk::{Node, Table};
use crate::rules::{Diagnostics, RuleFileError};

/// Table names of the datamart a source may not take.
pub const RESERVED: [&str; 12] = [
    "individui",
    "famiglie",
    "collegamenti",
    "servizi",
    "fragilita",
    "aree",
    "metadata",
    "sqlite_sequence",
    "stradario",
    // the source-specific facts (`[facts]` in a rule file)
    "redditi",
    "riscossione",
    "graduatorie",
];

/// A loaded project.
#[derive(Clone, Debug)]
pub struct Project {
    /// The project file.
    pub path: PathBuf,
    /// Its folder (paths are relative to it).
    pub base: PathBuf,
    /// The population registry.
    pub anagrafe: Anagrafe,
    /// The civic-number register, if the project has one.
    pub stradario: Option<Stradario>,
    /// The extracts, in file order.
    pub sources: Vec<SourceConfig>,
    /// Where reports go (a folder per source).
    pub reports: PathBuf,
    /// Where links.csv and datamart.sqlite go.
    pub master: PathBuf,
    /// Where queue.csv goes.
    pub review: PathBuf,
    /// Where `history.sqlite` goes (every delivery's quality, no personal
    /// data).
    pub history: PathBuf,
    /// The data owners (`[owners.<id>]`), in file order.
    pub owners: Vec<Owner>,
    /// The pseudonym key's environment variable.
    pub key_env: Option<String>,
    /// The pseudonym key's file.
    pub key_file: Option<PathBuf>,
    /// Thresholds for every source, overriding their rule files.
    pub thresholds: Option<(f64, f64)>,
    /// Files of fragility indicators produced elsewhere (`[fragility]
    /// import`), put in the datamart's `fragilita`.
    pub fragility_imports: Vec<PathBuf>,
}

/// One `[owners.<id>]` entry: an office that owns sources and receives
/// their reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Owner {
    /// Its id: lowercase letters, digits, `_` and `-` (its bundle's folder,
    /// `reports/owners/<id>/`).
    pub id: String,
    /// The office, in words.
    pub office: String,
    /// The office's contact (an address of the office, not of a person).
    pub contact: Option<String>,
    /// Who receives the bundle (written into the bundle's `owner.json`
    /// only, never into a report).
    pub notify: Vec<String>,
    /// Its sources (`owner = "<id>"` in their `[[sources]]`), in project
    /// order.
    pub sources: Vec<String>,
}

/// The `[anagrafe]` section.
#[derive(Clone, Debug)]
pub struct Anagrafe {
    /// The data file.
    pub file: PathBuf,
    /// Its rule file (with a `[link]` section).
    pub rules: PathBuf,
    /// The family id column.
    pub family: Option<String>,
    /// The citizenship column (ISTAT country code).
    pub citizenship: Option<String>,
    /// The quartiere / zone column.
    pub area: Option<String>,
    /// The column of each member's relationship to the family's head (ANPR
    /// table 5 codes: 1 head, 2 spouse, 3 child…), for household types.
    pub relation: Option<String>,
}

/// The `[stradario]` section: the city's civic-number register, to which
/// every address of the anagrafe and of the sources is matched.
#[derive(Clone, Debug)]
pub struct Stradario {
    /// The data file (CSV, SQLite, a sheet: read like any input).
    pub file: PathBuf,
    /// Its rule file, if it is checked.
    pub rules: Option<PathBuf>,
    /// Its columns.
    pub columns: RegisterColumns,
}

/// One `[[sources]]` entry.
#[derive(Clone, Debug)]
pub struct SourceConfig {
    /// The name (also its datamart table).
    pub name: String,
    /// The data file.
    pub file: PathBuf,
    /// Its rule file.
    pub rules: PathBuf,
    /// The column carrying the family's ISEE.
    pub isee_column: Option<String>,
    /// Columns dropped from the datamart besides the `[link]` fields.
    pub drop_columns: Vec<String>,
}

impl Project {
    /// The sources' names, comma-separated (for messages).
    pub fn source_names(&self) -> String {
        self.sources
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The owner of source `name`, if the project names one.
    pub fn owner_of(&self, name: &str) -> Option<&Owner> {
        self.owners
            .iter()
            .find(|o| o.sources.iter().any(|s| s == name))
    }

    /// The history file: `history.sqlite` in the `[output] history` folder.
    pub fn history_file(&self) -> PathBuf {
        self.history.join(crate::history::FILE)
    }
}

/// Loads the project file at `path`.
pub fn load(path: &Path) -> miette::Result<Project> {
    let text = crate::read::read_regular_text(path).map_err(|e| {
        miette::miette!(
            code = "vaglio::project::read",
            help = "give the project file: vaglio run path/to/vaglio.toml",
            "cannot read the project file {}: {e}",
            path.display()
        )
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str(&text, path, &base).map_err(miette::Report::new)
}

/// Parses a project from `text`; `base` resolves relative paths.
pub fn load_str(text: &str, path: &Path, base: &Path) -> Result<Project, RuleFileError> {
    let source = Arc::new(text.to_string());
    let mut diags = Diagnostics::new(&path.display().to_string(), Arc::clone(&source));
    let parsed = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            diags.error(
                e.span().unwrap_or(0..0),
                format!("the project file is not valid TOML: {}", e.message().trim()),
                "here",
                Some("see https://toml.io for the syntax; strings need quotes".into()),
            );
            diags.finish()?;
            return Err(RuleFileError {
                path: path.display().to_string(),
                errors: Vec::new(),
            });
        }
    };
    let root = Table {
        table: parsed.get_ref(),
    };
    root.check_keys(
        &mut diags,
        "the project file",
        &[
            "anagrafe",
            "stradario",
            "sources",
            "output",
            "privacy",
            "thresholds",
            "fragility",
            "owners",
        ],
    );
    let d = &mut diags;
    let resolve = |p: &str| base.join(p);
    let str_at = |t: &Table, key: &str, what: &str, d: &mut Diagnostics| -> Option<String> {
        t.get(key).and_then(|n| n.str(d, what)).map(str::to_string)
    };

    // [anagrafe]
    let mut anagrafe = Anagrafe {
        file: PathBuf::new(),
        rules: PathBuf::new(),
        family: None,
        citizenship: None,
        area: None,
        relation: None,
    };
    match root.get("anagrafe") {
        None => d.error(
            0..0,
            "the project file has no [anagrafe] section",
            "here",
            Some(
                "add:\n[anagrafe]\nfile = \"anagrafe.csv\"\nrules = \"rules/anagrafe.toml\"".into(),
            ),
        ),
        Some(n) => {
            if let Some(t) = n.table(
                d,
                "[anagrafe]",
                &["file", "rules", "family", "citizenship", "area", "relation"],
            ) {
                for key in ["file", "rules"] {
                    if t.get(key).is_none() {
                        d.error(
                            n.span.clone(),
                            format!("[anagrafe] needs `{key}`"),
                            "in this section",
                            None,
                        );
                    }
                }
                anagrafe.file = str_at(&t, "file", "[anagrafe] file", d)
                    .map(|s| resolve(&s))
                    .unwrap_or_default();
                anagrafe.rules = str_at(&t, "rules", "[anagrafe] rules", d)
                    .map(|s| resolve(&s))
                    .unwrap_or_default();
                anagrafe.family = str_at(&t, "family", "[anagrafe] family", d);
                anagrafe.citizenship = str_at(&t, "citizenship", "[anagrafe] citizenship", d);
                anagrafe.area = str_at(&t, "area", "[anagrafe] area", d);
                anagrafe.relation = str_at(&t, "relation", "[anagrafe] relation", d);
            }
        }
    }

    // [stradario]
    let stradario = root
        .get("stradario")
        .and_then(|n| stradario_section(&n, d, base));

    // [[sources]]
    let mut sources: Vec<SourceConfig> = Vec::new();
    // (source, owner id, its span)
    let mut owned: Vec<(String, String, std::ops::Range<usize>)> = Vec::new();
    match root.get("sources") {
        None => d.error(
            0..0,
            "the project file has no [[sources]]",
            "here",
            Some("add one per extract:\n[[sources]]\nname = \"refezione\"\nfile = \"refezione.csv\"\nrules = \"rules/refezione.toml\"".into()),
        ),
        Some(n) => {
            for item in n.array(d, "[[sources]]").unwrap_or_default() {
                if let Some(owner) = source_entry(&item, d, base, &mut sources) {
                    owned.push(owner);
                }
            }
        }
    }

    // [output]
    let mut out = [
        base.join("reports"),
        base.join("master"),
        base.join("review"),
        base.join("history"),
    ];
    if let Some(n) = root.get("output") {
        if let Some(t) = n.table(d, "[output]", &["reports", "master", "review", "history"]) {
            for (i, key) in ["reports", "master", "review", "history"]
                .into_iter()
                .enumerate()
            {
                if let Some(s) = str_at(&t, key, &format!("[output] {key}"), d) {
                    out[i] = resolve(&s);
                }
            }
        }
    }

    // [privacy]
    let (mut key_env, mut key_file) = (None, None);
    if let Some(n) = root.get("privacy") {
        if let Some(t) = n.table(d, "[privacy]", &["key_env", "key_file"]) {
            key_env = str_at(&t, "key_env", "[privacy] key_env", d);
            key_file = str_at(&t, "key_file", "[privacy] key_file", d).map(|s| resolve(&s));
        }
    }

    // [thresholds]
    let mut thresholds = None;
    if let Some(n) = root.get("thresholds") {
        if let Some(t) = n.table(d, "[thresholds]", &["match", "review"]) {
            let num = |key: &str, d: &mut Diagnostics| -> Option<f64> {
                let node = t.get(key)?;
                let v = node.number(d, &format!("[thresholds] {key}"))?;
                if !(0.0..=1.0).contains(&v) {
                    d.error(
                        node.span.clone(),
                        format!("[thresholds] {key} is a probability: between 0 and 1"),
                        "out of range",
                        None,
                    );
                    return None;
                }
                Some(v)
            };
            let m = num("match", d);
            let r = num("review", d);
            match (m, r) {
                (Some(m), Some(r)) if r <= m => thresholds = Some((m, r)),
                (Some(_), Some(_)) => d.error(
                    n.span.clone(),
                    "[thresholds] review must not exceed match",
                    "here",
                    None,
                ),
                _ => d.error(
                    n.span.clone(),
                    "[thresholds] needs both `match` and `review`",
                    "here",
                    Some("e.g. [thresholds]\nmatch = 0.95\nreview = 0.5".into()),
                ),
            }
        }
    }

    // [fragility]
    let mut fragility_imports = Vec::new();
    if let Some(n) = root.get("fragility") {
        if let Some(t) = n.table(d, "[fragility]", &["import"]) {
            if let Some(files) = t
                .get("import")
                .and_then(|n| n.strings(d, "[fragility] import"))
            {
                fragility_imports = files.into_iter().map(|(s, _)| resolve(&s)).collect();
            }
        }
    }

    // [owners]
    let mut owners = Vec::new();
    if let Some(n) = root.get("owners") {
        owners = owners_section(&n, d);
    }
    for (source, o, span) in owned {
        match owners.iter_mut().find(|x| x.id == o) {
            Some(x) => x.sources.push(source),
            None => {
                let known: Vec<&str> = owners.iter().map(|x| x.id.as_str()).collect();
                d.error(
                    span,
                    format!("source `{source}` names owner `{o}`, which [owners] does not have"),
                    "unknown owner",
                    Some(if known.is_empty() {
                        format!("add:\n[owners.{o}]\noffice = \"…\"")
                    } else {
                        format!("the owners are: {}; or add [owners.{o}]", known.join(", "))
                    }),
                );
            }
        }
    }

    diags.finish()?;
    let [reports, master, review, history] = out;
    Ok(Project {
        path: path.to_path_buf(),
        base: base.to_path_buf(),
        anagrafe,
        stradario,
        sources,
        reports,
        master,
        review,
        history,
        owners,
        key_env,
        key_file,
        thresholds,
        fragility_imports,
    })
}

/// The keys of `[stradario] columns`: (key, optional column).
const REGISTER_KEYS: [(&str, bool); 14] = [
    ("street_code", false),
    ("dug", false),
    ("street_name", false),
    ("civic", false),
    ("suffix", true),
    ("cap", true),
    ("area_code", false),
    ("area_name", false),
    ("zona_code", false),
    ("zona_name", false),
    ("quartiere_code", false),
    ("quartiere_name", false),
    ("longitude", true),
    ("latitude", true),
];

fn stradario_section(n: &Node, d: &mut Diagnostics, base: &Path) -> Option<Stradario> {
    let t = n.table(d, "[stradario]", &["file", "rules", "columns"])?;
    let Some(file) = t.get("file") else {
        d.error(
            n.span.clone(),
            "[stradario] needs `file`",
            "in this section",
            Some("e.g. [stradario]\nfile = \"stradario.csv\"".into()),
        );
        return None;
    };
    let file = base.join(file.str(d, "[stradario] file")?);
    let rules = match t.get("rules") {
        Some(r) => Some(base.join(r.str(d, "[stradario] rules")?)),
        None => None,
    };
    let mut columns = RegisterColumns::default();
    if let Some(c) = t.get("columns") {
        let keys: Vec<&str> = REGISTER_KEYS.iter().map(|(k, _)| *k).collect();
        let ct = c.table(d, "[stradario] columns", &keys)?;
        let mut coordinates = columns.coordinates.clone().map(|(x, y)| [Some(x), Some(y)]);
        let mut coordinates_given = false;
        for (key, optional) in REGISTER_KEYS {
            let Some(node) = ct.get(key) else { continue };
            let Some(v) = node.str(d, &format!("[stradario] columns.{key}")) else {
                continue;
            };
            if v.is_empty() && !optional {
                d.error(
                    node.span.clone(),
                    format!("[stradario] columns.{key} is a column the register must have"),
                    "empty",
                    Some("name the register's column; only suffix, cap, longitude and latitude may be \"\" (not in the file)".into()),
                );
                continue;
            }
            let v = v.to_string();
            let slot = match key {
                "street_code" => &mut columns.street_code,
                "dug" => &mut columns.dug,
                "street_name" => &mut columns.street_name,
                "civic" => &mut columns.civic,
                "area_code" => &mut columns.area_code,
                "area_name" => &mut columns.area_name,
                "zona_code" => &mut columns.zona_code,
                "zona_name" => &mut columns.zona_name,
                "quartiere_code" => &mut columns.quartiere_code,
                "quartiere_name" => &mut columns.quartiere_name,
                "suffix" => {
                    columns.suffix = (!v.is_empty()).then_some(v);
                    continue;
                }
                "cap" => {
                    columns.cap = (!v.is_empty()).then_some(v);
                    continue;
                }
                _ => {
                    coordinates_given = true;
                    let at = usize::from(key == "latitude");
                    let pair = coordinates.get_or_insert([None, None]);
                    pair[at] = (!v.is_empty()).then_some(v);
                    continue;
                }
            };
            *slot = v;
        }
        columns.coordinates = match coordinates {
            Some([Some(x), Some(y)]) => Some((x, y)),
            Some([None, None]) | None => None,
            Some(_) => {
                if coordinates_given {
                    d.error(
                        c.span.clone(),
                        "[stradario] columns: longitude and latitude go together",
                        "one of them is \"\"",
                        Some("name both columns, or set both to \"\" when the register has no coordinates".into()),
                    );
                }
                None
            }
        };
    }
    Some(Stradario {
        file,
        rules,
        columns,
    })
}

/// Adds the `[[sources]]` entry `item` to `sources`; returns (its name, its
/// owner's id, the id's span) when it names an owner.
fn source_entry(
    item: &Node,
    d: &mut Diagnostics,
    base: &Path,
    sources: &mut Vec<SourceConfig>,
) -> Option<(String, String, std::ops::Range<usize>)> {
    let t = item.table(
        d,
        "[[sources]]",
        &[
            "name",
            "file",
            "rules",
            "isee_column",
            "drop_columns",
            "owner",
        ],
    )?;
    let get = |key: &str, d: &mut Diagnostics| -> Option<(String, std::ops::Range<usize>)> {
        let node = t.get(key)?;
        node.str(d, &format!("[[sources]] {key}"))
            .map(|s| (s.to_string(), node.span.clone()))
    };
    let mut missing = false;
    let mut required = |key: &str, d: &mut Diagnostics| match get(key, d) {
        Some(v) => Some(v),
        None => {
            if t.get(key).is_none() {
                d.error(
                    item.span.clone(),
                    format!("each [[sources]] needs `{key}`"),
                    "in this entry",
                    None,
                );
            }
            missing = true;
            None
        }
    };
    let name = required("name", d);
    let file = required("file", d);
    let rules = required("rules", d);
    let isee = t
        .get("isee_column")
        .and_then(|n| n.str(d, "[[sources]] isee_column"))
        .map(str::to_string);
    let drop = t
        .get("drop_columns")
        .and_then(|n| n.strings(d, "[[sources]] drop_columns"))
        .map(|v| v.into_iter().map(|(s, _)| s).collect())
        .unwrap_or_default();
    let owner = t.get("owner").and_then(|n| {
        n.str(d, "[[sources]] owner")
            .map(|s| (s.to_string(), n.span.clone()))
    });
    if missing {
        return None;
    }
    let (Some((name, span)), Some((file, _)), Some((rules, _))) = (name, file, rules) else {
        return None;
    };
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if !valid {
        d.error(
            span,
            format!("source name {name:?} must be lowercase letters, digits and _ (it names a datamart table)"),
            "not a valid name",
            Some("e.g. name = \"servizi_sociali\"".into()),
        );
        return None;
    }
    if RESERVED.contains(&name.as_str()) || name == "anagrafe" {
        d.error(
            span,
            format!("source name `{name}` is taken by the datamart"),
            "reserved",
            Some(format!(
                "choose another name; reserved: anagrafe, {}",
                RESERVED.join(", ")
            )),
        );
        return None;
    }
    if sources.iter().any(|s| s.name == name) {
        d.error(
            span,
            format!("source `{name}` is named twice"),
            "again here",
            None,
        );
        return None;
    }
    sources.push(SourceConfig {
        name: name.clone(),
        file: base.join(file),
        rules: base.join(rules),
        isee_column: isee,
        drop_columns: drop,
    });
    owner.map(|(o, sp)| (name, o, sp))
}

/// Whether `id` may name an owner (and its bundle's folder).
fn valid_owner_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        && !id.starts_with('-')
}

fn owners_section(n: &Node, d: &mut Diagnostics) -> Vec<Owner> {
    let Some(t) = n.open_table(d, "[owners]") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, key_span, item) in t.entries() {
        let id = id.to_string();
        if !valid_owner_id(&id) {
            d.error(
                key_span,
                format!("owner id {id:?} must be lowercase letters, digits, _ and - (it names the owner's folder)"),
                "not a valid id",
                Some("e.g. [owners.scuola]".into()),
            );
            continue;
        }
        let Some(o) = item.table(
            d,
            &format!("[owners.{id}]"),
            &["office", "contact", "notify"],
        ) else {
            continue;
        };
        let office = match o.get("office") {
            Some(v) => v
                .str(d, &format!("[owners.{id}] office"))
                .map(str::to_string),
            None => {
                d.error(
                    item.span.clone(),
                    format!("[owners.{id}] needs `office`"),
                    "in this entry",
                    Some("e.g. office = \"Ufficio refezione scolastica\"".into()),
                );
                None
            }
        };
        let contact = o
            .get("contact")
            .and_then(|v| v.str(d, &format!("[owners.{id}] contact")))
            .map(str::to_string);
        let notify = o
            .get("notify")
            .and_then(|v| v.strings(d, &format!("[owners.{id}] notify")))
            .map(|v| v.into_iter().map(|(s, _)| s).collect())
            .unwrap_or_default();
        if let Some(office) = office {
            out.push(Owner {
                id,
                office,
                contact,
                notify,
                sources: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Project, RuleFileError> {
        load_str(text, Path::new("vaglio.toml"), Path::new("/p"))
    }

    const OK: &str = r#"
[anagrafe]
file = "anagrafe.csv"
rules = "rules/anagrafe.toml"
family = "ID_FAMIGLIA"

[[sources]]
name = "refezione"
file = "refezione.csv"
rules = "rules/refezione.toml"
isee_column = "VALORE_ISEE"
drop_columns = ["CF_PAGANTE"]

[privacy]
key_env = "VAGLIO_KEY"

[thresholds]
match = 0.9
review = 0.4
"#;

    #[test]
    fn a_complete_project_loads() {
        let p = parse(OK).unwrap();
        assert_eq!(p.anagrafe.file, Path::new("/p/anagrafe.csv"));
        assert_eq!(p.anagrafe.family.as_deref(), Some("ID_FAMIGLIA"));
        assert_eq!(p.sources.len(), 1);
        assert_eq!(p.sources[0].drop_columns, vec!["CF_PAGANTE".to_string()]);
        assert_eq!(p.sources[0].isee_column.as_deref(), Some("VALORE_ISEE"));
        assert_eq!(p.master, Path::new("/p/master"));
        assert_eq!(p.key_env.as_deref(), Some("VAGLIO_KEY"));
        assert_eq!(p.thresholds, Some((0.9, 0.4)));
    }

    #[test]
    fn errors_point_at_their_span() {
        let text = OK.replace("isee_column", "ise_column");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.errors.len(), 1);
        let (line, _) = e.errors[0].line_col();
        assert_eq!(line, 11);
        assert!(e.errors[0].help.as_deref().unwrap().contains("isee_column"));
    }

    #[test]
    fn the_register_section_maps_its_columns() {
        assert!(parse(OK).unwrap().stradario.is_none());
        let text = format!(
            "{OK}\n[stradario]\nfile = \"vie.csv\"\ncolumns = {{ street_code = \"COD\", suffix = \"\", longitude = \"\", latitude = \"\" }}\n"
        );
        let s = parse(&text).unwrap().stradario.unwrap();
        assert_eq!(s.file, Path::new("/p/vie.csv"));
        assert_eq!(s.rules, None);
        assert_eq!(s.columns.street_code, "COD");
        assert_eq!(s.columns.suffix, None);
        assert_eq!(s.columns.coordinates, None);
        assert_eq!(s.columns.cap.as_deref(), Some("CAP"), "defaults kept");
        for (section, says) in [
            ("[stradario]\nrules = \"r.toml\"\n", "needs `file`"),
            (
                "[stradario]\nfile = \"v.csv\"\ncolumns = { civic = \"\" }\n",
                "must have",
            ),
            (
                "[stradario]\nfile = \"v.csv\"\ncolumns = { latitude = \"\" }\n",
                "go together",
            ),
            (
                "[stradario]\nfile = \"v.csv\"\ncolumns = { street = \"X\" }\n",
                "street",
            ),
        ] {
            let e = parse(&format!("{OK}\n{section}")).unwrap_err();
            assert!(
                e.errors.iter().any(|x| x.message.contains(says)
                    || x.help.as_deref().is_some_and(|h| h.contains(says))),
                "{section}: {:?}",
                e.errors.iter().map(|x| &x.message).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn owners_name_their_sources_and_unknown_owners_are_reported() {
        let text = OK.replace(
            "drop_columns = [\"CF_PAGANTE\"]",
            "drop_columns = [\"CF_PAGANTE\"]\nowner = \"scuola\"",
        ) + "\n[owners.scuola]\noffice = \"Ufficio scuola\"\ncontact = \"scuola@comune.example.it\"\nnotify = [\"a@comune.example.it\"]\n";
        let p = parse(&text).unwrap();
        assert_eq!(p.owners.len(), 1);
        assert_eq!(p.owners[0].sources, ["refezione"]);
        assert_eq!(p.owners[0].notify, ["a@comune.example.it"]);
        assert_eq!(
            p.owner_of("refezione").map(|o| o.id.as_str()),
            Some("scuola")
        );
        assert_eq!(p.history, Path::new("/p/history"));
        assert_eq!(p.history_file(), Path::new("/p/history/history.sqlite"));
        let e = parse(&text.replace("owner = \"scuola\"", "owner = \"scuole\"")).unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert!(e.errors[0].message.contains("owner `scuole`"));
        assert_eq!(e.errors[0].line_col().0, 13, "points at the owner");
        assert!(e.errors[0].help.as_deref().unwrap().contains("scuola"));
        let e = parse(&text.replace("[owners.scuola]", "[owners.\"Scuola Uno\"]")).unwrap_err();
        assert!(e.errors.iter().any(|x| x.message.contains("owner id")));
        let e = parse(&text.replace("office = \"Ufficio scuola\"\n", "")).unwrap_err();
        assert!(e
            .errors
            .iter()
            .any(|x| x.message.contains("needs `office`")));
    }

    #[test]
    fn bad_names_and_missing_sections_are_reported() {
        let text = OK.replace("name = \"refezione\"", "name = \"collegamenti\"");
        assert!(parse(&text).unwrap_err().errors[0]
            .message
            .contains("taken"));
        let text = OK.replace("name = \"refezione\"", "name = \"Refezione-1\"");
        assert!(parse(&text).is_err());
        assert!(
            parse("[privacy]\nkey_env = \"K\"\n")
                .unwrap_err()
                .errors
                .len()
                == 2
        );
        let text = OK.replace("review = 0.4", "review = 0.95");
        assert!(parse(&text).is_err());
    }
}
