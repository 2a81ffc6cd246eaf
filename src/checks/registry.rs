//! The registry of check kinds, in the style of ruff's rules: every kind is
//! one module of [`crate::checks`] and one line of the `registry!` call in
//! `checks/mod.rs`.
//!
//! A *field kind* (a constraint written in `[fields.NAME]`: `required`,
//! `pattern`, `range`, …) implements [`FieldKind`]: it reads its own keys
//! from the field's table, and judges a value. The loader asks every field
//! kind in turn to parse the field ([`parse_field`]), the planner files each
//! constraint by its [`Stage`], and the engine's loop calls the concrete
//! evaluator through [`FieldCheck`], an enum the macro generates with one
//! variant per kind: a `match` per value, no `Box<dyn>`, no allocation.
//!
//! A *table kind* (a check written in `[table]`: the row count, duplicate
//! rows, keys, foreign keys) implements [`TableKind`] the same way: it
//! reads its own keys of `[table]` ([`parse_table`]), and says why the file
//! or a row fails; the planner files each check by its [`TableStage`], a
//! stage of the engine that the kinds of that stage share (the count of
//! rows, the ordered merge that finds repeated keys and rows, the per-row
//! lookup of a key), and the engine calls the kind through [`TableCheck`].
//!
//! A *column kind* (missing, unexpected and forbidden columns, also written
//! in `[table]`) implements [`ColumnKind`]: it reads its keys of `[table]`
//! ([`parse_columns`]) and judges the file's header once, before any row
//! ([`HeaderCx`]); the planner reports its findings first, through
//! [`ColumnCheck`].
//!
//! The other kinds (file structure, expressions, addresses,
//! cross-source checks) are registered by their identity ([`CheckKind`]: code, name,
//! documentation) so that `vaglio rules` lists them; their evaluation needs
//! the reader or the linkage, and keeps its own stage in the engine.
//!
//! [`parse_field`]: super::parse_field
//! [`parse_table`]: super::parse_table
//! [`parse_columns`]: super::parse_columns
//! [`ColumnCheck`]: super::ColumnCheck
//! [`FieldCheck`]: super::FieldCheck
//! [`TableCheck`]: super::TableCheck

use std::fmt;

use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::load::table::TableCx;
use crate::rules::CheckMeta;
use crate::value::Value;

/// When the engine evaluates a field kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Every row: the kind judges whether the cell has a value
    /// ([`FieldKind::missing`]); a present value passes.
    Presence,
    /// A present value, once: whether it parses as the field's type. The
    /// engine parses every value anyway (for the other kinds and the
    /// expressions), so this stage is the parse's outcome.
    Type,
    /// A present value that parsed as the field's type
    /// ([`FieldKind::evaluate`]).
    Value,
    /// The whole column, once the file is read ([`FieldKind::column`]).
    Column,
    /// Across rows, in the engine's ordered merge (uniqueness).
    CrossRow,
}

/// A present cell, as a [`Stage::Value`] kind sees it.
#[derive(Clone, Copy, Debug)]
pub struct Cell<'v, 'a> {
    /// The cell's text, trimmed.
    pub text: &'v str,
    /// Its value, parsed as the field's type.
    pub value: &'v Value<'a>,
    /// Whether values may be shown in messages (`--show-pii`, or a field
    /// with `pii = false`).
    pub show: bool,
}

/// What a field kind says, in its own module: the types of its checks'
/// description and of its findings' message, each a [`Sentence`] in both
/// languages. Each kind has its own two types (the registry converts them
/// into [`crate::messages::Description`] and [`crate::messages::Message`]
/// by type, so two kinds cannot share one).
pub trait Sentences {
    /// What a check of the kind verifies: "CF must be in upper case".
    type Description: Sentence + Clone + fmt::Debug + PartialEq;
    /// Why a value (or the column) fails it: "not in upper case".
    type Failure: Sentence + Clone + fmt::Debug + PartialEq;
}

/// A check kind written in a field's table of the rule file.
pub(crate) trait FieldKind: Sentences + Sized + Clone + fmt::Debug {
    /// The keys of `[fields.NAME]` the kind reads (checked by the loader:
    /// any other key is an error with a suggestion).
    const KEYS: &'static [&'static str];

    /// Reads the kind's constraints from the field's table into `out`
    /// (none when its keys are absent; several for `minimum` and
    /// `maximum`). Problems are reported through `cx`'s diagnostics.
    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>);

    /// When the engine evaluates it.
    fn stage(&self) -> Stage {
        Stage::Value
    }

    /// [`Stage::Value`]: why `cell` fails, if it does.
    fn evaluate(&self, _cell: Cell<'_, '_>) -> Option<Self::Failure> {
        None
    }

    /// [`Stage::Presence`]: why a missing cell fails, if it does.
    fn missing(&self) -> Option<Self::Failure> {
        None
    }

    /// [`Stage::Column`]: why the column fails, given its `rows` and how
    /// many of them have no value.
    fn column(&self, _rows: u64, _missing: u64) -> Option<Self::Failure> {
        None
    }
}

/// When the engine evaluates a table kind. Each stage is the engine's and
/// is shared by the kinds that plug into it: the planner files a check by
/// its stage, and checks are reported stage by stage (the file, before the
/// fields' checks; keys, whole rows and references, after them), in
/// registry order within a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableStage {
    /// The whole file, once it is read: the engine asks [`TableKind::rows`]
    /// about its number of rows.
    File,
    /// A combination of columns ([`TableKind::columns`]) that no two rows
    /// may share: the engine's ordered merge, with the fields' `unique`
    /// ([`Stage::CrossRow`]), records each row's combination and asks
    /// [`TableKind::repeated`] about a repeat, [`TableKind::incomplete`]
    /// about a row missing a column of it.
    Keys,
    /// The whole row: the ordered merge records each row's cells and asks
    /// [`TableKind::repeated`] about a repeat.
    Rows,
    /// Each row on its own, with the rows' other checks: the engine reads
    /// the values of [`TableKind::columns`] and, when none is missing,
    /// asks [`TableKind::absent`] about them.
    Reference,
}

/// A check kind written in the `[table]` section of the rule file.
pub(crate) trait TableKind: Sentences + Sized + Clone + fmt::Debug {
    /// The keys of `[table]` the kind reads (checked by the loader: any
    /// other key is an error with a suggestion).
    const KEYS: &'static [&'static str];

    /// Reads the kind's checks from `[table]` into `out` (none when its
    /// keys are absent; one per key combination for `unique`). Problems
    /// are reported through `cx`'s diagnostics.
    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>);

    /// When the engine evaluates it.
    fn stage(&self) -> TableStage;

    /// The declared columns the check reads, in order (none: the whole
    /// row). Reports name the check's column by them, joined with `+`.
    fn columns(&self) -> &[String] {
        &[]
    }

    /// [`TableStage::File`]: why a file of `rows` data rows fails, if it
    /// does.
    fn rows(&self, _rows: u64) -> Option<Self::Failure> {
        None
    }

    /// [`TableStage::Keys`], [`TableStage::Rows`]: why a row whose key (or
    /// whole row) repeats row `first`'s fails, if it does.
    fn repeated(&self, _first: u64) -> Option<Self::Failure> {
        None
    }

    /// [`TableStage::Keys`]: why a row with no value in a column of the
    /// key fails, if it does (`None`: such a row is not evaluated).
    fn incomplete(&self) -> Option<Self::Failure> {
        None
    }

    /// [`TableStage::Reference`]: why a row whose values of
    /// [`columns`](Self::columns) are `key` (trimmed, none missing) fails,
    /// if it does. It runs for every such row: no allocation on the
    /// passing path.
    fn absent(&self, _key: &[String]) -> Option<Self::Failure> {
        None
    }
}

/// What a [`ColumnKind`] sees of the file's header.
#[derive(Clone, Copy, Debug)]
pub struct HeaderCx<'h> {
    /// The file's columns, in order.
    pub columns: &'h [String],
    /// The columns the rule file expects: the fields of `[fields]`, then
    /// `[table] required_columns`.
    pub expected: &'h [&'h str],
    /// The columns a check forbids ([`ColumnKind::forbidden`]): that check
    /// reports them, the others leave them be.
    pub forbidden: &'h [&'h str],
}

/// A check kind about the file's columns, written in `[table]` (missing,
/// unexpected, forbidden columns): judged once, from the header, before
/// any row is read. Its checks are reported first among the rules' checks
/// (after the file's structure), in code order.
pub(crate) trait ColumnKind: Sentences + Sized + Clone + fmt::Debug {
    /// The keys of `[table]` the kind reads, in the order they should be
    /// listed in the unknown-key diagnostic.
    const KEYS: &'static [&'static str];

    /// Reads the kind's check from `[table]` into `out` (the section may be
    /// empty: a kind on by default pushes its check all the same).
    /// Problems are reported through `cx`'s diagnostics.
    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>);

    /// The columns the check forbids, which the other column checks leave
    /// to it (none, the default).
    fn forbidden(&self) -> &[String] {
        &[]
    }

    /// Judges the header: how many names were evaluated, and each failing
    /// column with why it fails, in the order they are reported.
    fn header(&self, cx: &HeaderCx<'_>) -> (u64, Vec<(String, Self::Failure)>);
}

/// Sorts kinds by code, at compile time (the order `vaglio rules` lists
/// them in).
pub(crate) const fn sort_by_code<const N: usize>(mut kinds: [CheckKind; N]) -> [CheckKind; N] {
    let mut i = 1;
    while i < N {
        let mut j = i;
        while j > 0 && code_less(kinds[j].code.as_bytes(), kinds[j - 1].code.as_bytes()) {
            let t = kinds[j];
            kinds[j] = kinds[j - 1];
            kinds[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    kinds
}

const fn code_less(a: &[u8], b: &[u8]) -> bool {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// Builds the registry: `ALL` (every kind, by code); for the column kinds,
/// [`ColumnCheck`], [`ColumnDescription`], [`ColumnMessage`],
/// [`COLUMN_KEYS`] and [`parse_columns`]; for the field kinds,
/// the [`FieldCheck`] enum with one variant per kind, [`FieldDescription`]
/// and [`FieldMessage`] (the kinds' sentences, and their conversions into
/// [`crate::messages::Description`] and [`crate::messages::Message`]),
/// [`FIELD_KEYS`] and [`parse_field`]; for the table kinds, the same:
/// [`TableCheck`], [`TableDescription`], [`TableMessage`], [`TABLE_KEYS`]
/// and [`parse_table`]. Kinds are listed in the order the loader parses
/// them; a field's checks are reported in that order.
///
/// [`ColumnCheck`]: super::ColumnCheck
/// [`ColumnDescription`]: super::ColumnDescription
/// [`ColumnMessage`]: super::ColumnMessage
/// [`COLUMN_KEYS`]: super::COLUMN_KEYS
/// [`parse_columns`]: super::parse_columns
/// [`FieldCheck`]: super::FieldCheck
/// [`FieldDescription`]: super::FieldDescription
/// [`FieldMessage`]: super::FieldMessage
/// [`FIELD_KEYS`]: super::FIELD_KEYS
/// [`parse_field`]: super::parse_field
/// [`TableCheck`]: super::TableCheck
/// [`TableDescription`]: super::TableDescription
/// [`TableMessage`]: super::TableMessage
/// [`TABLE_KEYS`]: super::TABLE_KEYS
/// [`parse_table`]: super::parse_table
macro_rules! registry {
    (
        other: [$($other:ident),* $(,)?],
        columns: [$($cvariant:ident => $cmodule:ident :: $cty:ident),* $(,)?],
        fields: [$($variant:ident => $module:ident :: $ty:ident),* $(,)?],
        table: [$($tvariant:ident => $tmodule:ident :: $tty:ident),* $(,)?] $(,)?
    ) => {
        $(pub mod $cmodule;)*
        $(pub mod $module;)*
        $(pub mod $tmodule;)*

        const COUNT: usize = [
            $(stringify!($other),)* $(stringify!($cmodule),)* $(stringify!($module),)*
            $(stringify!($tmodule),)*
        ]
        .len();
        const SORTED: [CheckKind; COUNT] = registry::sort_by_code(
            [$($other::KIND,)* $($cmodule::KIND,)* $($module::KIND,)* $($tmodule::KIND,)*],
        );

        registry::kind_group! {
            what: "column",
            check: ColumnCheck,
            kind: ColumnKind,
            sentences: (ColumnDescription, ColumnMessage, Column),
            keys: COLUMN_KEYS,
            parse: parse_columns(crate::rules::load::table::TableCx<'_, '_, '_, '_>)
                -> ColumnConstraint,
            kinds: [$($cvariant => $cmodule::$cty),*],
        }

        impl ColumnCheck {
            /// See [`registry::ColumnKind::forbidden`].
            pub fn forbidden(&self) -> &[String] {
                match self {
                    $(ColumnCheck::$cvariant(c) => registry::ColumnKind::forbidden(c),)*
                }
            }

            /// See [`registry::ColumnKind::header`]: how many names were
            /// evaluated, and each failing column with its message.
            pub fn header(&self, cx: &registry::HeaderCx<'_>) -> (u64, Vec<(String, Message)>) {
                match self {
                    $(ColumnCheck::$cvariant(c) => {
                        let (evaluated, failed) = registry::ColumnKind::header(c, cx);
                        let failed = failed.into_iter().map(|(col, m)| (col, Message::from(m)));
                        (evaluated, failed.collect())
                    })*
                }
            }
        }

        /// Every check kind, in code order.
        pub const ALL: &[CheckKind] = &SORTED;

        registry::kind_group! {
            what: "field",
            check: FieldCheck,
            kind: FieldKind,
            sentences: (FieldDescription, FieldMessage, Field),
            keys: FIELD_KEYS,
            parse: parse_field(crate::rules::load::fields::FieldCx<'_, '_, '_, '_>)
                -> FieldConstraint,
            kinds: [$($variant => $module::$ty),*],
        }

        impl FieldCheck {
            /// When the engine evaluates it.
            pub fn stage(&self) -> registry::Stage {
                match self {
                    $(FieldCheck::$variant(c) => registry::FieldKind::stage(c),)*
                }
            }

            /// See [`registry::FieldKind::evaluate`].
            #[inline]
            pub fn evaluate(&self, cell: registry::Cell<'_, '_>) -> Option<Message> {
                match self {
                    $(FieldCheck::$variant(c) => {
                        registry::FieldKind::evaluate(c, cell).map(Message::from)
                    })*
                }
            }

            /// See [`registry::FieldKind::missing`].
            #[inline]
            pub fn missing(&self) -> Option<Message> {
                match self {
                    $(FieldCheck::$variant(c) => registry::FieldKind::missing(c).map(Message::from),)*
                }
            }

            /// See [`registry::FieldKind::column`].
            pub fn column(&self, rows: u64, missing: u64) -> Option<Message> {
                match self {
                    $(FieldCheck::$variant(c) => {
                        registry::FieldKind::column(c, rows, missing).map(Message::from)
                    })*
                }
            }
        }

        registry::kind_group! {
            what: "table",
            check: TableCheck,
            kind: TableKind,
            sentences: (TableDescription, TableMessage, Table),
            keys: TABLE_KEYS,
            parse: parse_table(crate::rules::load::table::TableCx<'_, '_, '_, '_>)
                -> TableConstraint,
            kinds: [$($tvariant => $tmodule::$tty),*],
        }

        impl TableCheck {
            /// When the engine evaluates it.
            pub fn stage(&self) -> registry::TableStage {
                match self {
                    $(TableCheck::$tvariant(c) => registry::TableKind::stage(c),)*
                }
            }

            /// See [`registry::TableKind::columns`].
            pub fn columns(&self) -> &[String] {
                match self {
                    $(TableCheck::$tvariant(c) => registry::TableKind::columns(c),)*
                }
            }

            /// See [`registry::TableKind::rows`].
            pub fn rows(&self, rows: u64) -> Option<Message> {
                match self {
                    $(TableCheck::$tvariant(c) => registry::TableKind::rows(c, rows).map(Message::from),)*
                }
            }

            /// See [`registry::TableKind::repeated`].
            pub fn repeated(&self, first: u64) -> Option<Message> {
                match self {
                    $(TableCheck::$tvariant(c) => {
                        registry::TableKind::repeated(c, first).map(Message::from)
                    })*
                }
            }

            /// See [`registry::TableKind::incomplete`].
            pub fn incomplete(&self) -> Option<Message> {
                match self {
                    $(TableCheck::$tvariant(c) => {
                        registry::TableKind::incomplete(c).map(Message::from)
                    })*
                }
            }

            /// See [`registry::TableKind::absent`].
            pub fn absent(&self, key: &[String]) -> Option<Message> {
                match self {
                    $(TableCheck::$tvariant(c) => {
                        registry::TableKind::absent(c, key).map(Message::from)
                    })*
                }
            }
        }
    };
}

pub(crate) use registry;

/// What the registry generates for a group of kinds (`what`: `"field"`,
/// `"table"`, `"column"`) that implement the trait `kind`: the enum `check`
/// (one variant per kind, holding its evaluator) with the kind's identity;
/// the enums of its sentences (`sentences`: the description's,
/// the message's, and their variant in [`crate::messages::Description`]
/// and [`crate::messages::Message`]), one variant per kind holding its
/// module's [`Sentences::Description`] and [`Sentences::Failure`], with
/// their [`Sentence`] implementations and the conversions of every kind's
/// sentences; `keys`, the keys each kind reads; and `parse`, which asks
/// every kind in turn for its checks in the section its argument reads.
macro_rules! kind_group {
    (
        what: $what:literal,
        check: $check:ident,
        kind: $kind:ident,
        sentences: ($desc:ident, $msg:ident, $outer:ident),
        keys: $keys:ident,
        parse: $parse:ident($cx:ty) -> $constraint:ident,
        kinds: [$($variant:ident => $module:ident :: $ty:ident),*],
    ) => {
        #[doc = concat!("A ", $what, " check, resolved: one variant per ", $what, " kind, each")]
        /// holding its kind's concrete evaluator.
        #[derive(Clone, Debug)]
        pub enum $check {
            $(
                #[doc = concat!("[`", stringify!($module), "`].")]
                $variant($module::$ty),
            )*
        }

        impl $check {
            /// The kind's identity.
            pub fn kind(&self) -> &'static CheckKind {
                match self {
                    $($check::$variant(_) => &$module::KIND,)*
                }
            }
        }

        #[doc = concat!("A ", $what, " kind's description: one variant per kind, each holding")]
        /// its module's [`registry::Sentences::Description`].
        #[derive(Clone, Debug, PartialEq)]
        pub enum $desc {
            $(
                #[doc = concat!("[`", stringify!($module), "`].")]
                $variant(<$module::$ty as registry::Sentences>::Description),
            )*
        }

        #[doc = concat!("A ", $what, " kind's finding: one variant per kind, each holding its")]
        /// module's [`registry::Sentences::Failure`].
        #[derive(Clone, Debug, PartialEq)]
        pub enum $msg {
            $(
                #[doc = concat!("[`", stringify!($module), "`].")]
                $variant(<$module::$ty as registry::Sentences>::Failure),
            )*
        }

        registry::sentence_enum!($desc, Description, $($variant => $module::$ty),*);
        registry::sentence_enum!($msg, Failure, $($variant => $module::$ty),*);

        $(
            impl From<<$module::$ty as registry::Sentences>::Description>
                for crate::messages::Description
            {
                fn from(d: <$module::$ty as registry::Sentences>::Description) -> Self {
                    crate::messages::Description::$outer($desc::$variant(d))
                }
            }

            impl From<<$module::$ty as registry::Sentences>::Failure> for Message {
                fn from(m: <$module::$ty as registry::Sentences>::Failure) -> Self {
                    Message::$outer($msg::$variant(m))
                }
            }
        )*

        #[doc = concat!("The keys that the ", $what, " kinds read, kind by kind.")]
        pub const $keys: &[&[&str]] = &[
            $(<$module::$ty as registry::$kind>::KEYS,)*
        ];

        #[doc = concat!("Asks every ", $what, " kind, in registry order, for its checks in the")]
        /// section `cx` reads.
        pub(crate) fn $parse(cx: &mut $cx) -> Vec<crate::rules::$constraint> {
            let mut out = Vec::new();
            $(
                let mut found: Vec<($module::$ty, crate::rules::CheckMeta)> = Vec::new();
                <$module::$ty as registry::$kind>::parse(cx, &mut found);
                out.extend(found.into_iter().map(|(c, meta)| crate::rules::$constraint {
                    kind: $check::$variant(c),
                    meta,
                }));
            )*
            out
        }
    };
}

pub(crate) use kind_group;

/// Implements [`Sentence`] for a group's description or message enum
/// (`$assoc`: the associated type of [`Sentences`] its variants hold), by
/// dispatching to the variant's module.
macro_rules! sentence_enum {
    ($name:ident, $assoc:ident, $($variant:ident => $module:ident :: $ty:ident),*) => {
        impl crate::messages::Sentence for $name {
            fn en(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $($name::$variant(s) => crate::messages::Sentence::en(s, f),)*
                }
            }

            fn it(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $($name::$variant(s) => crate::messages::Sentence::it(s, f),)*
                }
            }

            /// Every kind's examples, in registry order.
            fn examples() -> Vec<$name> {
                let mut out = Vec::new();
                $(
                    out.extend(
                        <<$module::$ty as registry::Sentences>::$assoc as crate::messages::Sentence>::examples()
                            .into_iter()
                            .map($name::$variant),
                    );
                )*
                out
            }
        }

        impl $name {
            /// The kind whose sentence this is.
            pub fn kind(&self) -> &'static crate::checks::CheckKind {
                match self {
                    $($name::$variant(_) => &$module::KIND,)*
                }
            }
        }
    };
}

pub(crate) use sentence_enum;

#[cfg(test)]
mod tests {
    use super::super::{
        ColumnDescription, ColumnMessage, FieldCheck, FieldDescription, FieldMessage,
        TableDescription, TableMessage, ALL, COLUMN_KEYS, FIELD_KEYS, TABLE_KEYS,
    };
    use super::*;

    #[test]
    fn kinds_sort_by_code_at_compile_time() {
        let codes: Vec<&str> = ALL.iter().map(|k| k.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
        assert!(code_less(b"VG009", b"VG101"));
        assert!(!code_less(b"VG101", b"VG101"));
    }

    /// The codes of `examples`' kinds, each once, in order.
    fn codes_of<S>(examples: Vec<S>, kind: fn(&S) -> &'static CheckKind) -> Vec<&'static str> {
        let mut codes: Vec<&str> = examples.iter().map(|s| kind(s).code).collect();
        codes.dedup();
        codes
    }

    #[test]
    fn every_kind_gives_examples_of_its_sentences() {
        let described = codes_of(FieldDescription::examples(), FieldDescription::kind);
        let failing = codes_of(FieldMessage::examples(), FieldMessage::kind);
        assert_eq!(described.len(), FIELD_KEYS.len());
        assert_eq!(failing, described);
        let described = codes_of(TableDescription::examples(), TableDescription::kind);
        let failing = codes_of(TableMessage::examples(), TableMessage::kind);
        assert_eq!(described.len(), TABLE_KEYS.len());
        assert_eq!(failing, described);
        let described = codes_of(ColumnDescription::examples(), ColumnDescription::kind);
        let failing = codes_of(ColumnMessage::examples(), ColumnMessage::kind);
        assert_eq!(described.len(), COLUMN_KEYS.len());
        assert_eq!(failing, described);
    }

    #[test]
    fn no_key_is_read_by_two_kinds() {
        // The column and table kinds share `[table]`.
        let table = [COLUMN_KEYS, TABLE_KEYS].concat();
        for group in [FIELD_KEYS, &table] {
            let mut keys: Vec<&str> = group.iter().flat_map(|k| k.iter().copied()).collect();
            let n = keys.len();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), n);
        }
    }

    #[test]
    fn table_kinds_parse_in_registry_order_and_are_in_all() {
        let rules = "[fields.A]\n[fields.B]\n[table]\nunique = [[\"A\", \"B\"]]\n\
                     duplicate_rows = true\nprimary_key = [\"A\"]\n";
        let set = super::super::load_rules(rules).unwrap_or_else(|e| panic!("{e:?}"));
        let checks: Vec<(&str, TableStage)> = set
            .table
            .checks
            .iter()
            .map(|c| (c.kind.kind().name, c.kind.stage()))
            .collect();
        assert_eq!(
            checks,
            [
                ("duplicate-row", TableStage::Rows),
                ("composite-key", TableStage::Keys),
                ("composite-key", TableStage::Keys),
            ]
        );
        for c in &set.table.checks {
            assert!(ALL.contains(c.kind.kind()), "{}", c.kind.kind().code);
        }
    }

    #[test]
    fn column_kinds_parse_in_registry_order_and_are_in_all() {
        let rules = "[fields.A]\n[table]\nforbidden_columns = [\"B\"]\n";
        let set = super::super::load_rules(rules).unwrap_or_else(|e| panic!("{e:?}"));
        let kinds: Vec<&str> = set
            .table
            .columns
            .iter()
            .map(|c| c.kind.kind().code)
            .collect();
        assert_eq!(kinds, ["VG007", "VG006", "VG005"]);
        for c in &set.table.columns {
            assert!(ALL.contains(c.kind.kind()), "{}", c.kind.kind().code);
        }
    }

    #[test]
    fn field_kinds_parse_in_registry_order_and_are_in_all() {
        let rules = "[fields.A]\ntype = \"integer\"\nrequired = true\nunique = true\n\
                     enum = [\"1\"]\npattern = '\\d'\nrange = { min = 0 }\nmax_length = 3\n\
                     completeness = 90\n";
        let set = super::super::load_rules(rules).unwrap_or_else(|e| panic!("{e:?}"));
        let kinds: Vec<&str> = set.fields[0]
            .constraints
            .iter()
            .map(|c| c.kind.kind().name)
            .collect();
        assert_eq!(
            kinds,
            [
                "required",
                "valid",
                "unique",
                "enum",
                "pattern",
                "range",
                "length",
                "completeness",
            ]
        );
        for c in &set.fields[0].constraints {
            assert!(ALL.contains(c.kind.kind()), "{}", c.kind.kind().code);
            let _: &FieldCheck = &c.kind;
        }
    }
}
