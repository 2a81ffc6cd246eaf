//! What vaglio says, typed, and its catalogue: one module per language.
//!
//! A check's description ([`Description`]) and a finding's message
//! ([`Message`]) are values of an enum, the kind of sentence and its
//! parameters, not English text. The report renders them in its language
//! ([`Lang`]) through [`en`] or [`it`]; the machine-readable outputs
//! (`summary.json`, `findings.csv`, JUnit) keep the English rendering
//! ([`std::fmt::Display`]), so that their content does not depend on the
//! report's language.
//!
//! The sentences of the field kinds (VG101–VG1xx) and of the table kinds
//! (VG008, VG201–VG203) are not in the catalogues: each kind's module writes its
//! own, in both languages, as a [`Sentence`], and [`Description::Field`],
//! [`Message::Field`], [`Description::Table`] and [`Message::Table`] carry
//! them. So do the expressions' explanations ([`Message::Expression`], from
//! [`crate::expr`], with what the identity functions say about a call,
//! [`crate::identity::functions::Explanation`], held as a [`Said`]) and the
//! address check's ([`Message::Address`]). The catalogues keep the sentences
//! of the other file, table and cross-source kinds and the shared pieces
//! (severities, percentages); the errors a sentence quotes are `Sentence`s
//! of the module that finds them (a codice fiscale's, a date's, an
//! identifier's, in [`crate::identity`]). Every message is typed: there is
//! no English text for the Italian catalogue to translate.

pub mod en;
pub mod it;

use std::fmt;
use std::sync::Arc;

use crate::read::ReadIssueKind;
use crate::rules::Severity;

/// A sentence in both languages, written by the module that owns it: a
/// field or table kind's description or finding (see
/// [`crate::checks::registry`]).
/// Sentences are built only for failing cells and rendered when an output
/// is written, straight into the output's formatter.
pub trait Sentence {
    /// Writes the sentence in English, as `summary.json`, `findings.csv`,
    /// JUnit and the terminal carry it.
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// Writes the sentence in Italian.
    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// One value of every form the sentence takes (every variant, a count
    /// of 1 and of several where the words agree with it), with field names
    /// and texts left empty: the tests of the Italian (agreement, no English
    /// left) read every kind's sentences through these.
    fn examples() -> Vec<Self>
    where
        Self: Sized;
}

/// A [`Sentence`] in a language, as a [`fmt::Display`]:
/// `In(&sentence, Lang::It).to_string()`.
pub struct In<'a, S: ?Sized>(pub &'a S, pub Lang);

impl<S: Sentence + ?Sized> fmt::Display for In<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Lang::En => self.0.en(f),
            Lang::It => self.0.it(f),
        }
    }
}

/// A sentence of a module the catalogues do not name, held as a value: what
/// a function registered with the expressions says about a row
/// ([`crate::expr::ExplainFn`]), carried inside an expression's
/// [`crate::expr::Explanation`]. Two are equal when they read the same in
/// both languages.
#[derive(Clone)]
pub struct Said(Arc<dyn Sentence + Send + Sync>);

impl Said {
    /// Holds `sentence`.
    pub fn new(sentence: impl Sentence + Send + Sync + 'static) -> Said {
        Said(Arc::new(sentence))
    }
}

impl Sentence for Said {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.en(f)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.it(f)
    }

    /// None: a held sentence's examples are its own type's.
    fn examples() -> Vec<Self> {
        Vec::new()
    }
}

impl fmt::Debug for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Said({:?})", In(self, Lang::En).to_string())
    }
}

impl PartialEq for Said {
    fn eq(&self, other: &Said) -> bool {
        [Lang::En, Lang::It]
            .into_iter()
            .all(|lang| In(self, lang).to_string() == In(other, lang).to_string())
    }
}

/// Writes `parts` in `lang`, separated by `sep`: the sentences of a list
/// (`A is false; B is false`).
pub fn write_joined<S: Sentence>(
    f: &mut fmt::Formatter<'_>,
    parts: &[S],
    sep: &str,
    lang: Lang,
) -> fmt::Result {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        match lang {
            Lang::En => part.en(f)?,
            Lang::It => part.it(f)?,
        }
    }
    Ok(())
}

/// The language of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Italian (default).
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// Parses `it` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "it" | "ita" | "italiano" => Some(Lang::It),
            "en" | "eng" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's code in `<html lang>`: `it` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }
}

/// What a check verifies, as vaglio words it, or as the rule file wrote it.
#[derive(Clone, Debug, PartialEq)]
pub enum Description {
    /// The rule file's own text (`description = "…"`, an `assert`): shown
    /// as written, in every language.
    Written(String),
    /// VG001.
    Encoding,
    /// VG002.
    RaggedRows,
    /// VG003.
    Quotes,
    /// VG009.
    BlankRows,
    /// VG004.
    Header,
    /// VG204.
    Address,
    /// A column kind's description (VG005–VG007), in the words of the
    /// kind's own module.
    Column(crate::checks::ColumnDescription),
    /// A field kind's description (VG101–VG1xx), in the words of the
    /// kind's own module.
    Field(crate::checks::FieldDescription),
    /// A table kind's description (VG008, VG201–VG203), in the words of the
    /// kind's own module.
    Table(crate::checks::TableDescription),
}

impl Description {
    /// The description in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::En => en::description(self),
            Lang::It => it::description(self),
        }
    }
}

/// English, as `summary.json` and JUnit carry it.
impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&en::description(self))
    }
}

/// What is wrong with a row, a column or the file: a finding's message, or
/// why a check was not evaluated.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// A column kind's finding (VG005–VG007), in the words of the kind's
    /// own module.
    Column(crate::checks::ColumnMessage),
    /// A field kind's finding (VG101–VG1xx), in the words of the kind's own
    /// module.
    Field(crate::checks::FieldMessage),
    /// A table kind's finding (VG008, VG201–VG203), in the words of the kind's
    /// own module.
    Table(crate::checks::TableMessage),
    /// Why an expression check (VG301) or a cross-source check (VG302) came
    /// out false, in the words of the expressions' module.
    Expression(crate::expr::Explanation),
    /// Why an address is not in the civic-number register (VG204), in the
    /// words of the address check's module.
    Address(crate::checks::address::Failure),
    /// The message, followed by the value it is about (`--show-pii`).
    WithValue {
        /// What is wrong.
        message: Box<Message>,
        /// The value, as it is in the file.
        value: String,
    },
    /// A problem the reader found in a row or the file (VG001–VG004, VG009).
    Read(ReadIssueKind),
    /// A problem the reader found in the header row.
    Header(ReadIssueKind),
    /// A check fails for more values than in the baseline (`--baseline`).
    FailRateRose {
        /// The check's id.
        check: String,
        /// Percentage failing now.
        now: f64,
        /// Percentage failing in the baseline.
        was: f64,
    },
    /// A field is less complete than in the baseline (`--baseline`).
    CompletenessFell {
        /// The field.
        field: String,
        /// Percentage complete now.
        now: f64,
        /// Percentage complete in the baseline.
        was: f64,
    },
    /// A check was not evaluated: its columns are missing.
    ColumnsMissing {
        /// The columns.
        columns: Vec<String>,
    },
    /// A uniqueness check was not evaluated: a column of its key is missing.
    KeyMissing,
    /// A check of the CSV reader was not evaluated: the file is not CSV.
    NotDelimited,
    /// A cross-source check is evaluated after the linkage (`vaglio run`).
    NotLinked,
}

impl Message {
    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::En => en::message(self),
            Lang::It => it::message(self),
        }
    }

    /// `self`, followed by `value` when `show` allows it.
    pub fn with_value(self, value: &str, show: bool) -> Message {
        if show {
            Message::WithValue {
                message: Box::new(self),
                value: value.to_string(),
            }
        } else {
            self
        }
    }
}

/// English, as `findings.csv`, the terminal and JUnit carry it.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&en::message(self))
    }
}

/// A severity's name in `lang` (`errore`); in English the name outputs use
/// (`error`).
pub fn severity(s: Severity, lang: Lang) -> &'static str {
    match lang {
        Lang::En => s.name(),
        Lang::It => it::severity(s),
    }
}

/// What a file the run read is, in the run's index and the datamart's
/// `metadata`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileRole {
    /// The project file.
    Project,
    /// A source's (or the anagrafe's, the register's, an import's) data.
    Data(String),
    /// A source's rule file.
    Rules(String),
    /// The reviewers' decisions.
    Decisions,
}

impl FileRole {
    /// The role in `lang`: `refezione: rules`, `refezione: regole`.
    pub fn render(&self, lang: Lang) -> String {
        let (project, data, rules, decisions) = match lang {
            Lang::En => ("project", "file", "rules", "decisions"),
            Lang::It => ("progetto", "dati", "regole", "decisioni"),
        };
        match self {
            FileRole::Project => project.into(),
            FileRole::Data(source) => format!("{source}: {data}"),
            FileRole::Rules(source) => format!("{source}: {rules}"),
            FileRole::Decisions => decisions.into(),
        }
    }
}

/// How a comparison level is shown in a score's steps.
#[derive(Clone, Debug, PartialEq)]
pub enum LevelShown {
    /// The prior, the first step: no level.
    Prior,
    /// A level of the comparison (`exact`, as
    /// [`crate::link::spec::CompKind::levels`] names it), with its
    /// term-frequency adjustment in bits (0: none).
    Level {
        /// The level's name.
        name: String,
        /// The adjustment.
        tf: f64,
    },
    /// A codice fiscale that is another resident's: its level is ignored.
    NotTheirs,
}

impl LevelShown {
    /// The level in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            LevelShown::Prior => String::new(),
            LevelShown::Level { name, tf } if *tf != 0.0 => {
                format!("{} (tf {tf:+.1})", level_name(name, lang))
            }
            LevelShown::Level { name, .. } => level_name(name, lang).to_string(),
            LevelShown::NotTheirs => match lang {
                Lang::En => "ignored (not theirs)".into(),
                Lang::It => "ignorato (di un altro residente)".into(),
            },
        }
    }
}

/// The name of a score's first step, the prior, in `lang`.
pub fn prior(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "prior",
        Lang::It => "a priori",
    }
}

/// A comparison level's name in `lang`, from the comparisons' tables of
/// levels ([`crate::link::compare::Level`]): in English the name the model
/// and `summary.json` use (`one_edit`); a name no table has is kept.
pub fn level_name(name: &str, lang: Lang) -> &str {
    crate::link::compare::Level::find(name).map_or(name, |l| l.label(lang))
}

/// A percentage with `decimals` decimals as `lang` writes it: `12.50%` in
/// English, `12,50 %` in Italian.
pub fn percent(x: f64, decimals: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{x:.decimals$}%"),
        Lang::It => format!("{x:.decimals$} %").replace('.', ","),
    }
}

/// A percentage as the rule file wrote it (a tolerance: `2.5`), as `lang`
/// writes it: `2.5%` in English, `2,5 %` in Italian.
pub fn percent_as_written(x: f64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{x}%"),
        Lang::It => format!("{x} %").replace('.', ","),
    }
}

/// `columns` joined as outputs show a combination: `A + B`.
pub(crate) fn joined(columns: &[String]) -> String {
    columns.join(" + ")
}
