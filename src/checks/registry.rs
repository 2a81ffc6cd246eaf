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
//! The other kinds (file structure, table keys, expressions, cross-source
//! checks) are registered by their identity ([`CheckKind`]: code, name,
//! documentation) so that `vaglio rules` lists them; their evaluation needs
//! the reader or several rows at once, and keeps its own stage in the
//! engine.

use std::fmt;

use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
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

/// Builds the registry: `ALL` (every kind, by code), the [`FieldCheck`]
/// enum with one variant per field kind, [`FieldDescription`] and
/// [`FieldMessage`] (the kinds' sentences, and their conversions into
/// [`crate::messages::Description`] and [`crate::messages::Message`]),
/// [`FIELD_KEYS`] and [`parse_field`]. Field kinds are listed in the order the loader parses
/// them, which is the order of their checks in reports.
macro_rules! registry {
    (
        other: [$($other:ident),* $(,)?],
        fields: [$($variant:ident => $module:ident :: $ty:ident),* $(,)?] $(,)?
    ) => {
        $(pub mod $module;)*

        const COUNT: usize = [$(stringify!($other),)* $(stringify!($module),)*].len();
        const SORTED: [CheckKind; COUNT] =
            registry::sort_by_code([$($other::KIND,)* $($module::KIND,)*]);

        /// Every check kind, in code order.
        pub const ALL: &[CheckKind] = &SORTED;

        /// A field's constraint, resolved: one variant per field kind, each
        /// holding its kind's concrete evaluator.
        #[derive(Clone, Debug)]
        pub enum FieldCheck {
            $(
                #[doc = concat!("[`", stringify!($module), "`].")]
                $variant($module::$ty),
            )*
        }

        impl FieldCheck {
            /// The kind's identity.
            pub fn kind(&self) -> &'static CheckKind {
                match self {
                    $(FieldCheck::$variant(_) => &$module::KIND,)*
                }
            }

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

        /// A field kind's description: one variant per kind, each holding
        /// its module's [`registry::Sentences::Description`].
        #[derive(Clone, Debug, PartialEq)]
        pub enum FieldDescription {
            $(
                #[doc = concat!("[`", stringify!($module), "`].")]
                $variant(<$module::$ty as registry::Sentences>::Description),
            )*
        }

        /// A field kind's finding: one variant per kind, each holding its
        /// module's [`registry::Sentences::Failure`].
        #[derive(Clone, Debug, PartialEq)]
        pub enum FieldMessage {
            $(
                #[doc = concat!("[`", stringify!($module), "`].")]
                $variant(<$module::$ty as registry::Sentences>::Failure),
            )*
        }

        registry::sentence_enum!(FieldDescription, Description, $($variant => $module::$ty),*);
        registry::sentence_enum!(FieldMessage, Failure, $($variant => $module::$ty),*);

        $(
            impl From<<$module::$ty as registry::Sentences>::Description>
                for crate::messages::Description
            {
                fn from(d: <$module::$ty as registry::Sentences>::Description) -> Self {
                    crate::messages::Description::Field(FieldDescription::$variant(d))
                }
            }

            impl From<<$module::$ty as registry::Sentences>::Failure> for Message {
                fn from(m: <$module::$ty as registry::Sentences>::Failure) -> Self {
                    Message::Field(FieldMessage::$variant(m))
                }
            }
        )*

        /// The keys of a field's table that the field kinds read, kind by
        /// kind.
        pub const FIELD_KEYS: &[&[&str]] = &[
            $(<$module::$ty as registry::FieldKind>::KEYS,)*
        ];

        /// Asks every field kind, in registry order, for its constraints on
        /// the field `cx` describes.
        pub(crate) fn parse_field(
            cx: &mut crate::rules::load::fields::FieldCx<'_, '_, '_, '_>,
        ) -> Vec<crate::rules::FieldConstraint> {
            let mut out = Vec::new();
            $(
                let mut found: Vec<($module::$ty, crate::rules::CheckMeta)> = Vec::new();
                <$module::$ty as registry::FieldKind>::parse(cx, &mut found);
                out.extend(found.into_iter().map(|(c, meta)| crate::rules::FieldConstraint {
                    kind: FieldCheck::$variant(c),
                    meta,
                }));
            )*
            out
        }
    };
}

pub(crate) use registry;

/// Implements [`Sentence`] for [`FieldDescription`] or [`FieldMessage`]
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
    use super::super::{FieldCheck, FieldDescription, FieldMessage, ALL, FIELD_KEYS};
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

    #[test]
    fn every_field_kind_gives_examples_of_its_sentences() {
        let kinds = |codes: Vec<&'static str>| {
            let mut codes = codes;
            codes.dedup();
            codes
        };
        let described = kinds(
            FieldDescription::examples()
                .iter()
                .map(|d| d.kind().code)
                .collect(),
        );
        let failing = kinds(
            FieldMessage::examples()
                .iter()
                .map(|m| m.kind().code)
                .collect(),
        );
        assert_eq!(described.len(), FIELD_KEYS.len());
        assert_eq!(failing, described);
    }

    #[test]
    fn no_key_is_read_by_two_kinds() {
        let mut keys: Vec<&str> = FIELD_KEYS.iter().flat_map(|k| k.iter().copied()).collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    #[test]
    fn field_kinds_parse_in_registry_order_and_are_in_all() {
        let rules = "[fields.A]\ntype = \"integer\"\nrequired = true\nunique = true\n\
                     enum = [\"1\"]\npattern = '\\d'\nrange = { min = 0 }\nmax_length = 3\n\
                     completeness = 90\n";
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let set = crate::rules::load_str(
            rules,
            std::path::Path::new("x.toml"),
            std::path::Path::new("."),
            today,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
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
