//! What vaglio says, typed, and its catalogue: one module per language.
//!
//! A check's description ([`Description`]) and a finding's message
//! ([`Message`]) are values of an enum, the kind of sentence and its
//! parameters, not English text. The report renders them in its language
//! ([`Lang`]) through [`en`] or [`it`]; the machine-readable outputs
//! (`summary.json`, `findings.csv`, JUnit) keep the English rendering
//! ([`std::fmt::Display`]), so that their content does not depend on the
//! report's language.

pub mod en;
pub mod it;

use std::fmt;

use crate::identity::codice_fiscale::CfError;
use crate::read::ReadIssueKind;
use crate::rules::Severity;

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
    /// VG005.
    MissingColumns,
    /// VG006.
    UnexpectedColumns,
    /// VG007.
    ForbiddenColumns,
    /// VG008: the bounds on the number of rows.
    RowCount {
        /// Fewest rows.
        min: Option<u64>,
        /// Most rows.
        max: Option<u64>,
    },
    /// VG201.
    DuplicateRows,
    /// VG202, the table's primary key.
    PrimaryKey {
        /// The key's columns.
        columns: Vec<String>,
    },
    /// VG202, a `unique` combination.
    UniqueColumns {
        /// The combination's columns.
        columns: Vec<String>,
    },
    /// VG203.
    ForeignKey {
        /// The extract's columns.
        columns: Vec<String>,
        /// The referenced file, as the rule file names it.
        file: String,
        /// The referenced file's columns.
        reference: Vec<String>,
    },
    /// VG204.
    Address,
    /// VG101.
    Required {
        /// The field.
        field: String,
    },
    /// VG102.
    Valid {
        /// The field.
        field: String,
        /// Its type, as `type` names it in a rule file (`date`).
        type_name: String,
    },
    /// VG109.
    PlaceInUse {
        /// The field.
        field: String,
    },
    /// VG103.
    UniqueValue {
        /// The field.
        field: String,
    },
    /// VG107, a lower bound.
    MinLength {
        /// The field.
        field: String,
        /// Fewest characters.
        min: u64,
    },
    /// VG107, an upper bound.
    MaxLength {
        /// The field.
        field: String,
        /// Most characters.
        max: u64,
    },
    /// VG108.
    Completeness {
        /// The field.
        field: String,
        /// The percentage of rows.
        percent: f64,
    },
    /// VG110.
    Case {
        /// The field.
        field: String,
        /// The declared case.
        case: crate::checks::case::LetterCase,
    },
    /// VG104.
    Allowed {
        /// The field.
        field: String,
    },
    /// VG105.
    Pattern {
        /// The field.
        field: String,
        /// The regular expression as written.
        pattern: String,
    },
    /// VG106: the bounds, as they are written in outputs.
    Range {
        /// The field.
        field: String,
        /// The lower bound.
        min: Option<String>,
        /// The upper bound.
        max: Option<String>,
    },
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
    /// Text from a part of vaglio whose messages are not typed yet (the
    /// types' validation, the identity checks, expressions, addresses, the
    /// reader's structural problems). English; the Italian catalogue
    /// translates the phrases it knows and keeps the rest.
    Untyped(String),
    /// The message, followed by the value it is about (`--show-pii`).
    WithValue {
        /// What is wrong.
        message: Box<Message>,
        /// The value, as it is in the file.
        value: String,
    },
    /// Not a valid codice fiscale (VG102), and why.
    InvalidCf(CfError),
    /// A provisional code in a field that requires a personal one (VG102).
    ProvisionalNotAllowed,
    /// A placeholder such as `XXXXXXXXXXXXXXXX` (VG102).
    CfPlaceholder,
    /// A codice fiscale whose place code is no known place (VG102).
    CfUnknownPlace,
    /// The cell is empty (VG101).
    ValueMissing,
    /// The value repeats an earlier row's (VG103).
    DuplicateOf {
        /// The earlier row.
        first: u64,
    },
    /// The combination repeats an earlier row's (VG202).
    CombinationRepeats {
        /// The columns of the combination.
        columns: Vec<String>,
        /// The earlier row.
        first: u64,
    },
    /// A column of the primary key is empty (VG202).
    KeyColumnMissing {
        /// The key's columns.
        columns: Vec<String>,
    },
    /// A problem the reader found in a row or the file (VG001–VG004, VG009).
    Read(ReadIssueKind),
    /// A problem the reader found in the header row.
    Header(ReadIssueKind),
    /// A declared column is not in the file (VG005).
    ColumnNotFound {
        /// The column.
        column: String,
        /// A column of the file with a close name.
        similar: Option<String>,
    },
    /// The whole row repeats an earlier one (VG201).
    RepeatsRow {
        /// The earlier row.
        first: u64,
    },
    /// The key is not in the referenced file (VG203).
    NotFound {
        /// The referenced file.
        file: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// Not one of the allowed values (VG104); `preview` lists them, masked
    /// when they must be.
    NotAllowed {
        /// The first allowed values.
        preview: String,
    },
    /// Does not match the pattern (VG105).
    NoMatch {
        /// The regular expression as written.
        pattern: String,
    },
    /// Below a numeric minimum (VG106).
    BelowMinimum {
        /// The minimum.
        min: f64,
    },
    /// Above a numeric maximum (VG106).
    AboveMaximum {
        /// The maximum.
        max: f64,
    },
    /// Before the earliest allowed date (VG106), `YYYY-MM-DD`.
    BeforeEarliest {
        /// The date.
        date: String,
    },
    /// After the latest allowed date (VG106), `YYYY-MM-DD`.
    AfterLatest {
        /// The date.
        date: String,
    },
    /// A codice fiscale's place code was not in use on its birth date
    /// (VG109).
    PlaceNotInUse {
        /// Why not.
        why: PlaceChange,
    },
    /// Shorter than allowed (VG107).
    TooShort {
        /// Fewest characters.
        min: u64,
        /// The value's characters.
        found: u64,
    },
    /// Longer than allowed (VG107).
    TooLong {
        /// Most characters.
        max: u64,
        /// The value's characters.
        found: u64,
    },
    /// A date that does not exist, with the reason quoting its parts (day
    /// 31 of February 2020): a type error's detail, shown with
    /// `--show-pii` or on a field with `pii = false` (VG102).
    NotARealDate(crate::identity::dates::DateError),
    /// Not a valid identifier of its type, and why (VG102).
    InvalidId {
        /// The identifier's type.
        kind: IdKind,
        /// What is wrong with it (no identifier value).
        error: crate::identity::ids::IdError,
    },
    /// Not a value of the field's type (VG102).
    NotOfType(TypeProblem),
    /// A letter of the other case (VG110).
    NotInCase {
        /// The declared case.
        case: crate::checks::case::LetterCase,
    },
    /// Too few rows have a value (VG108).
    TooIncomplete {
        /// The rows with a value, in percent.
        percent: f64,
        /// The percentage required, as written.
        min_percent: f64,
    },
    /// Too few rows (VG008).
    TooFewRows {
        /// The rows.
        rows: u64,
        /// The fewest expected.
        min: u64,
    },
    /// Too many rows (VG008).
    TooManyRows {
        /// The rows.
        rows: u64,
        /// The most expected.
        max: u64,
    },
    /// A column of the file is not in `[fields]` (VG006).
    UndeclaredColumn {
        /// The column.
        column: String,
    },
    /// A forbidden column is delivered (VG007).
    ForbiddenColumn {
        /// The column.
        column: String,
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

/// Why a text is not a value of its field's type (VG102), without the
/// value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeProblem {
    /// Not an integer.
    WholeNumber,
    /// An integer whose thousands separator is out of place.
    WholeNumberSeparator {
        /// The separator.
        sep: char,
    },
    /// An integer of more than 18 digits.
    WholeNumberTooLarge,
    /// Not a number.
    Number,
    /// A number whose thousands separator is out of place.
    NumberSeparator {
        /// The separator.
        sep: char,
    },
    /// Not a number, with a comma where the field declares a decimal dot.
    NumberWithComma,
    /// Not a number, with a dot where the field declares a decimal comma.
    NumberWithDot,
    /// A number of more than 300 digits.
    NumberTooLarge,
    /// Neither a true nor a false value.
    YesNo {
        /// The values read as true.
        true_values: Vec<String>,
        /// The values read as false.
        false_values: Vec<String>,
    },
    /// Not a known Belfiore code.
    Belfiore,
    /// Not M or F.
    Sex,
    /// A date in none of the formats (strftime, as the rule file writes
    /// them).
    DateFormat {
        /// The formats.
        formats: Vec<String>,
    },
    /// A date and time in none of the formats.
    DateTimeFormat {
        /// The formats.
        formats: Vec<String>,
    },
    /// A day the month does not have.
    NoSuchDay,
    /// A month over 12.
    MonthOver12 {
        /// The day is a valid month: the date may be written month first.
        month_first: bool,
    },
    /// Another date that does not exist.
    NotARealDate,
}

/// The identifiers a field type checks with [`crate::identity::ids`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// `partita_iva`.
    PartitaIva,
    /// `cap`.
    Cap,
    /// `istat_comune`.
    IstatComune,
    /// `isee_protocol`.
    IseeProtocol,
}

/// Why a place code was not in use on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceChange {
    /// The code did not exist yet.
    NotYet,
    /// A newer code had replaced it.
    Replaced,
    /// It was no longer in use.
    Ended,
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

impl From<String> for Message {
    fn from(s: String) -> Message {
        Message::Untyped(s)
    }
}

impl From<TypeProblem> for Message {
    fn from(p: TypeProblem) -> Message {
        Message::NotOfType(p)
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Message {
        Message::Untyped(s.to_string())
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
