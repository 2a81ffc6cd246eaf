//! A full run, or `vaglio link --against master/`: one source linked again,
//! the others' links reused from the last master. Every place where the two
//! differ asks this module.

use std::path::PathBuf;

use super::previous::{self, Against, Previous};
use crate::project::{Project, SourceConfig};

/// How a run treats its sources.
pub(crate) enum Mode<'a> {
    /// Check and link every source.
    Full,
    /// Check and link `against.source` only; reuse the rest from `previous`.
    Against {
        /// What to link again, and its new delivery.
        against: &'a Against,
        /// The last master.
        previous: Previous,
        /// The sources whose cross-source checks read `against.source`:
        /// checked and linked again too, so that their checks see the new
        /// delivery as a full run would ([`Mode::relink_readers`]).
        readers: Vec<String>,
    },
}

impl<'a> Mode<'a> {
    /// The mode of a run; refuses a source the project does not have, and
    /// reads the last master.
    pub fn new(project: &Project, against: Option<&'a Against>) -> miette::Result<Mode<'a>> {
        let Some(a) = against else {
            return Ok(Mode::Full);
        };
        if !project.sources.iter().any(|s| s.name == a.source) {
            miette::bail!(
                code = "vaglio::against::source",
                help = format!("the project's sources are: {}", project.source_names()),
                "`{}` is not a source of {}",
                a.source,
                project.path.display()
            );
        }
        Ok(Mode::Against {
            against: a,
            previous: previous::read(&a.master)?,
            readers: Vec::new(),
        })
    }

    /// Marks for checking and linking again, besides the new delivery, the
    /// sources whose cross-source checks read it (`rules` in project
    /// order): reusing their reports would keep findings about the old
    /// delivery.
    pub fn relink_readers<'r>(
        &mut self,
        project: &Project,
        rules: impl IntoIterator<Item = &'r crate::rules::RuleSet>,
    ) {
        if let Mode::Against {
            against, readers, ..
        } = self
        {
            for (s, r) in project.sources.iter().zip(rules) {
                let reads = r
                    .cross_checks
                    .iter()
                    .any(|c| c.sources().contains(&against.source.as_str()));
                if reads && s.name != against.source {
                    readers.push(s.name.clone());
                }
            }
        }
    }

    /// Whether `source` is not the new delivery but is checked and linked
    /// again because its cross-source checks read it.
    pub fn rereads(&self, source: &str) -> bool {
        match self {
            Mode::Full => false,
            Mode::Against { readers, .. } => readers.iter().any(|r| r == source),
        }
    }

    /// The last master, when sources are reused.
    pub fn previous(&self) -> Option<&Previous> {
        match self {
            Mode::Full => None,
            Mode::Against { previous, .. } => Some(previous),
        }
    }

    /// The one source linked again, when the others are reused.
    pub fn only(&self) -> Option<&str> {
        match self {
            Mode::Full => None,
            Mode::Against { against, .. } => Some(&against.source),
        }
    }

    /// Whether `source` is taken from the last master as it was.
    pub fn reuses(&self, source: &str) -> bool {
        self.only().is_some_and(|o| o != source) && !self.rereads(source)
    }

    /// The file of a source: the new delivery for the source linked again
    /// (named as the project names it when it is the project's own file),
    /// the file the last master recorded for a reused one, else the
    /// project's.
    pub fn file(&self, project: &Project, s: &SourceConfig) -> PathBuf {
        match self {
            Mode::Full => s.file.clone(),
            Mode::Against {
                against, previous, ..
            } if against.source != s.name => previous
                .file(&s.name, "file")
                .map(|r| project.base.join(&r.path))
                .unwrap_or_else(|| s.file.clone()),
            Mode::Against { against, .. } => {
                if super::source::same_file(&against.file, &s.file) {
                    s.file.clone()
                } else {
                    against.file.clone()
                }
            }
        }
    }

    /// The stages the progress display counts.
    pub fn stages(&self, project: &Project) -> usize {
        // Reading; checking (unless reused) and preparing, side by side.
        let anagrafe = 2;
        let sources: usize = project
            .sources
            .iter()
            .map(|s| if self.reuses(&s.name) { 1 } else { 2 })
            .sum();
        anagrafe + sources + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        let text = "[anagrafe]\nfile = \"a.csv\"\nrules = \"a.toml\"\n\n[[sources]]\nname = \"uno\"\nfile = \"uno.csv\"\nrules = \"uno.toml\"\n\n[[sources]]\nname = \"due\"\nfile = \"due.csv\"\nrules = \"due.toml\"\n";
        crate::project::load_str(text, "p.toml".as_ref(), "/base".as_ref()).unwrap()
    }

    #[test]
    fn a_full_run_reuses_nothing_and_counts_every_stage() {
        let p = project();
        let m = Mode::new(&p, None).unwrap();
        assert!(!m.reuses("uno") && !m.reuses("due"));
        assert_eq!(m.only(), None);
        assert_eq!(m.file(&p, &p.sources[1]), PathBuf::from("/base/due.csv"));
        // anagrafe: read, check and prepare; two stages a source; the master.
        assert_eq!(m.stages(&p), 2 + 4 + 1);
    }

    #[test]
    fn against_refuses_an_unknown_source_before_reading_the_master() {
        let p = project();
        let a = Against {
            master: "/nowhere/master".into(),
            source: "tre".into(),
            file: "tre.csv".into(),
        };
        let e = Mode::new(&p, Some(&a)).err().unwrap();
        assert!(e.to_string().contains("`tre` is not a source"), "{e}");
        let a = Against {
            source: "uno".into(),
            ..a
        };
        let e = Mode::new(&p, Some(&a)).err().unwrap();
        assert!(e.to_string().contains("no datamart.sqlite"), "{e}");
    }

    #[test]
    fn against_links_one_source_and_reuses_the_recorded_files_of_the_others() {
        let p = project();
        let a = Against {
            master: "/m".into(),
            source: "uno".into(),
            file: "/elsewhere/uno-december.csv".into(),
        };
        let mut previous = Previous {
            files: Default::default(),
            links: Vec::new(),
            master: "/m".into(),
            run: "0123456789abcdef".into(),
        };
        previous.files.insert(
            ("due".into(), "file".into()),
            previous::Recorded {
                path: "old/due.csv".into(),
                sha256: String::new(),
            },
        );
        let mut m = Mode::Against {
            against: &a,
            previous,
            readers: Vec::new(),
        };
        assert!(!m.reuses("uno") && m.reuses("due"));
        assert!(!m.rereads("due"));
        assert_eq!(m.file(&p, &p.sources[0]), a.file);
        assert_eq!(
            m.file(&p, &p.sources[1]),
            PathBuf::from("/base/old/due.csv")
        );
        assert_eq!(m.stages(&p), 2 + 2 + 1 + 1);
        // A source whose cross-source check reads the new delivery is
        // checked and linked again (from its recorded file).
        let today = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let load =
            |t: &str| crate::rules::load_str(t, "r.toml".as_ref(), ".".as_ref(), today).unwrap();
        let plain = load("[fields.N]\n");
        let reader = load("[fields.N]\n[[checks]]\nid = \"c\"\nassert = \"N == uno.N\"\n");
        m.relink_readers(&p, [&plain, &plain]);
        assert!(m.reuses("due"));
        m.relink_readers(&p, [&plain, &reader]);
        assert!(m.rereads("due") && !m.reuses("due") && !m.rereads("uno"));
        assert_eq!(
            m.file(&p, &p.sources[1]),
            PathBuf::from("/base/old/due.csv")
        );
        assert_eq!(m.stages(&p), 2 + 2 + 2 + 1);
    }
}
