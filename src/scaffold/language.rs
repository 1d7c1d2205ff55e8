//! Language detection from marker files, and what init knows about the repository's files.

use std::collections::BTreeSet;

use serde::Serialize;

/// A repository's main language, as far as the workflows care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Rust,
    Node,
    Python,
    Go,
    Maven,
    Gradle,
    /// Nothing recognised: the templates' generic `make lint` / `make coverage`.
    Generic,
}

/// Marker files in the order they are tried; the first present decides.
const MARKERS: &[(&str, Language)] = &[
    ("Cargo.toml", Language::Rust),
    ("package.json", Language::Node),
    ("pyproject.toml", Language::Python),
    ("requirements.txt", Language::Python),
    ("setup.py", Language::Python),
    ("go.mod", Language::Go),
    ("pom.xml", Language::Maven),
    ("build.gradle", Language::Gradle),
    ("build.gradle.kts", Language::Gradle),
];

/// What init knows about a repository: its paths two levels deep (directories end with `/`) and
/// the text of `package.json`, which says whether the tests run on jest. Read by the command,
/// so everything here stays pure.
#[derive(Debug, Clone, Default)]
pub struct RepoFiles {
    pub paths: BTreeSet<String>,
    pub package_json: Option<String>,
}

impl RepoFiles {
    /// A repository holding exactly these paths (tests).
    pub fn of(paths: &[&str]) -> RepoFiles {
        RepoFiles {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            package_json: None,
        }
    }

    pub fn has(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    /// Entries directly inside `dir` (`""` for the root), names only, directories with `/`.
    pub fn entries(&self, dir: &str) -> impl Iterator<Item = &str> {
        self.paths.iter().filter_map(move |p| {
            let rest = p.strip_prefix(dir)?;
            let inner = rest.trim_end_matches('/');
            (!inner.is_empty() && !inner.contains('/')).then_some(rest)
        })
    }
}

impl Language {
    pub fn label(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::Node => "Node.js",
            Language::Python => "Python",
            Language::Go => "Go",
            Language::Maven => "Java (Maven)",
            Language::Gradle => "Java (Gradle)",
            Language::Generic => "generic",
        }
    }

    /// The first marker file `exists` reports, or `Generic`.
    pub fn detect(exists: impl Fn(&str) -> bool) -> (Language, Option<&'static str>) {
        MARKERS
            .iter()
            .find(|(file, _)| exists(file))
            .map_or((Language::Generic, None), |(file, lang)| {
                (*lang, Some(*file))
            })
    }
}
