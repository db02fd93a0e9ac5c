//! Generated files on disk, for `nzc compile` and `nzc docs`: what must
//! change so a directory holds exactly what a generator produced (and
//! nothing nzc wrote earlier that it no longer produces), and writing it.

use anyhow::Context as _;
use nzc_codegen::GeneratedFile;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How many lines at the top of a file may hold the generated marker (an
/// SVG's comment comes after its XML declaration).
const MARKER_LINES: usize = 3;

#[derive(Debug)]
pub enum Change {
    Write(String),
    Remove,
}

/// One file to write or remove.
#[derive(Debug)]
pub struct Planned {
    pub path: PathBuf,
    pub change: Change,
    /// The file exists now.
    pub exists: bool,
}

impl Planned {
    /// `create`, `update` or `remove`.
    pub fn verb(&self) -> &'static str {
        match (&self.change, self.exists) {
            (Change::Remove, _) => "remove",
            (Change::Write(_), true) => "update",
            (Change::Write(_), false) => "create",
        }
    }

    pub fn apply(&self) -> anyhow::Result<()> {
        match &self.change {
            Change::Write(contents) => write_atomic(&self.path, contents),
            Change::Remove => std::fs::remove_file(&self.path)
                .with_context(|| format!("cannot remove {}", self.path.display())),
        }
    }
}

/// What must change on disk so `out_dir` holds exactly `files` (plus any
/// file that does not carry the generated marker, which is left alone): in
/// each of the `stale` directories, the files of the given extensions that
/// carry the marker but are no longer generated (a dropped table's module or
/// page) are removed.
pub fn plan(
    out_dir: &Path,
    files: &[GeneratedFile],
    stale: &[(&Path, &[&str])],
) -> anyhow::Result<Vec<Planned>> {
    let mut plan = Vec::new();
    for f in files {
        let path = out_dir.join(&f.path);
        match std::fs::read_to_string(&path) {
            Ok(current) if current == f.contents => {}
            Ok(_) => plan.push(Planned {
                path,
                change: Change::Write(f.contents.clone()),
                exists: true,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => plan.push(Planned {
                path,
                change: Change::Write(f.contents.clone()),
                exists: false,
            }),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    let expected: HashSet<PathBuf> = files.iter().map(|f| out_dir.join(&f.path)).collect();
    let mut gone = Vec::new();
    for (dir, extensions) in stale {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot list {}", dir.display()))?
                .path();
            let generated_kind = path
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| extensions.contains(&x));
            if generated_kind && !expected.contains(&path) && is_generated(&path) {
                gone.push(path);
            }
        }
    }
    gone.sort();
    plan.extend(gone.into_iter().map(|path| Planned {
        path,
        change: Change::Remove,
        exists: true,
    }));
    Ok(plan)
}

/// Whether the file carries the generated marker near its top.
fn is_generated(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| {
        t.lines()
            .take(MARKER_LINES)
            .any(|l| l.contains(nzc_types::contract::GENERATED_MARKER))
    })
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
pub fn write_atomic(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = path.with_extension(format!(
        "{}.nzc-tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, contents).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}
