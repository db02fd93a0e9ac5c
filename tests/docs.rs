//! `nzc docs`, run as a user runs it: the real binary in a scratch directory; and the
//! repository's committed `docs/schema/`, which must match `schema.nzc`.

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{repo, text};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Output;

/// `nzc <args…>` in `dir`, without a database.
fn nzc(dir: &Path, args: &[&str]) -> Output {
    cli::nzc(dir, None, args)
}

/// A scratch project holding a copy of the repository's schema.nzc.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("schema.nzc"), dir.path().join("schema.nzc")).unwrap();
    dir
}

/// Every file under `dir`, by `/`-separated relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Checks every Markdown link and image under `dir` resolves to a file there and every
/// `#fragment` to an `<a id="…">` of the target page; returns the number checked.
fn assert_links_resolve(dir: &Path) -> usize {
    let files = tree(dir);
    let mut checked = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".md")) {
        let page = String::from_utf8(bytes.clone()).unwrap();
        let base = path.rsplit_once('/').map_or("", |(d, _)| d);
        let mut rest = page.as_str();
        while let Some(i) = rest.find("](") {
            let escaped = rest[..i].ends_with('\\');
            let after = &rest[i + 2..];
            let end = after.find(')').unwrap();
            let target = &after[..end];
            rest = &after[end..];
            if escaped {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let resolved = if file.is_empty() {
                path.clone()
            } else {
                let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
                for p in file.split('/') {
                    if p == ".." {
                        assert!(parts.pop().is_some(), "{path}: {target} leaves {dir:?}");
                    } else {
                        parts.push(p);
                    }
                }
                parts.join("/")
            };
            let Some(to) = files.get(&resolved) else {
                panic!("{path}: {target}: {resolved} does not exist");
            };
            if !fragment.is_empty() {
                let to = String::from_utf8_lossy(to);
                assert!(
                    to.contains(&format!("<a id=\"{fragment}\"></a>")),
                    "{path}: {target}: no anchor {fragment} in {resolved}"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn committed_docs_are_up_to_date() {
    // The repository's docs/schema/ must match schema.nzc: this fails when someone edits
    // the schema (or nzc's docs generator) without running `nzc docs`.
    let out = nzc(&repo(), &["docs", "--check"]);
    assert!(
        out.status.success(),
        "docs/schema/ is stale; run `nzc docs`\n{}",
        text(&out.stderr)
    );
}

#[test]
fn committed_docs_links_resolve() {
    let dir = repo().join("docs/schema");
    let files = tree(&dir);
    assert!(files.contains_key("README.md") && files.contains_key("diagram.svg"));
    assert_eq!(
        files.keys().filter(|p| p.starts_with("tables/")).count(),
        2 * 17
    );
    assert!(assert_links_resolve(&dir) > 200);
    // The repository README shows the diagram.
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("](docs/schema/diagram.svg)"));
    assert!(readme.contains("](docs/schema/README.md)"));
}

#[test]
fn docs_writes_then_is_idempotent_and_fresh() {
    let dir = scratch();
    let out = nzc(dir.path(), &["docs"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("17 tables, 0 enums → docs/schema (36 files changed)"),
        "{}",
        text(&out.stdout)
    );
    let docs = dir.path().join("docs/schema");
    assert!(assert_links_resolve(&docs) > 200);
    let before = tree(dir.path());
    let again = nzc(dir.path(), &["docs", "schema.nzc"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("(0 files changed)"));
    assert_eq!(before, tree(dir.path()), "a second run changes nothing");
    let check = nzc(dir.path(), &["docs", "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("docs/schema is up to date with schema.nzc"));
    // Byte-identical to the committed docs (same schema, same generator).
    assert_eq!(tree(&docs), tree(&repo().join("docs/schema")));
}

#[test]
fn check_reports_stale_missing_and_extra_files_and_writes_nothing() {
    let dir = scratch();
    assert!(nzc(dir.path(), &["docs"]).status.success());
    let docs = dir.path().join("docs/schema");
    let marker = nzc_types::contract::GENERATED_MARKER;
    std::fs::write(
        docs.join("tables/City.md"),
        format!("<!-- {marker} -->\nedited\n"),
    )
    .unwrap();
    std::fs::remove_file(docs.join("tables/Sector.svg")).unwrap();
    // Pages of a table that no longer exists: generated, so stale.
    std::fs::write(
        docs.join("tables/Dropped.md"),
        format!("<!-- {marker} -->\n"),
    )
    .unwrap();
    std::fs::write(
        docs.join("tables/Dropped.svg"),
        format!("<?xml version=\"1.0\"?>\n<!-- {marker} -->\n<svg/>\n"),
    )
    .unwrap();
    // Files nzc did not write are never reported nor removed.
    std::fs::write(docs.join("tables/notes.md"), "# hand-written\n").unwrap();
    std::fs::write(docs.join("logo.svg"), "<svg/>\n").unwrap();
    std::fs::write(docs.join("tables/data.txt"), format!("{marker}\n")).unwrap();
    let before = tree(dir.path());
    let out = nzc(dir.path(), &["docs", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("run `nzc docs schema.nzc`"), "{err}");
    let lines: HashSet<&str> = err.lines().skip(1).map(str::trim).collect();
    let expected: HashSet<&str> = [
        "update docs/schema/tables/City.md",
        "create docs/schema/tables/Sector.svg",
        "remove docs/schema/tables/Dropped.md",
        "remove docs/schema/tables/Dropped.svg",
    ]
    .into();
    assert_eq!(lines, expected, "{err}");
    assert_eq!(before, tree(dir.path()), "--check writes nothing");

    let fix = nzc(dir.path(), &["docs"]);
    assert!(fix.status.success(), "{}", text(&fix.stderr));
    assert!(
        text(&fix.stdout).contains("(4 files changed)"),
        "{}",
        text(&fix.stdout)
    );
    assert!(!docs.join("tables/Dropped.md").exists());
    assert!(!docs.join("tables/Dropped.svg").exists());
    for kept in ["tables/notes.md", "logo.svg", "tables/data.txt"] {
        assert!(docs.join(kept).exists(), "{kept}");
    }
    assert!(nzc(dir.path(), &["docs", "--check"]).status.success());
}

#[test]
fn a_dropped_table_loses_its_page() {
    let dir = scratch();
    let out_dir = "site/db";
    assert!(nzc(dir.path(), &["docs", "--out", out_dir])
        .status
        .success());
    let docs = dir.path().join(out_dir);
    assert!(docs.join("tables/InitiativeTef.md").is_file());
    let schema = std::fs::read_to_string(dir.path().join("schema.nzc")).unwrap();
    let start = schema
        .find("  /// The TEF categories an initiative falls under.")
        .unwrap();
    let end = start + schema[start..].find("\n  }\n").unwrap() + "\n  }\n".len();
    let dropped = format!("{}{}", &schema[..start], &schema[end..]);
    std::fs::write(dir.path().join("schema.nzc"), dropped).unwrap();

    let check = nzc(dir.path(), &["docs", "--out", out_dir, "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let err = text(&check.stderr);
    assert!(err.contains("--out site/db"), "{err}");
    assert!(
        err.contains("remove site/db/tables/InitiativeTef.md"),
        "{err}"
    );
    assert!(
        err.contains("remove site/db/tables/InitiativeTef.svg"),
        "{err}"
    );
    assert!(err.contains("update site/db/README.md"), "{err}");
    assert!(
        err.contains("update site/db/tables/TefCategory.md"),
        "{err}"
    );

    let out = nzc(dir.path(), &["docs", "--out", out_dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!docs.join("tables/InitiativeTef.md").exists());
    assert!(!docs.join("tables/InitiativeTef.svg").exists());
    assert_eq!(tree(&docs).len(), 2 + 2 * 16);
    assert!(assert_links_resolve(&docs) > 180);
}

#[test]
fn an_invalid_schema_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schema.nzc"),
        "table T {\n  id uuid @pk\n  x nosuchtype\n}\n",
    )
    .unwrap();
    let out = nzc(dir.path(), &["docs"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("nosuchtype"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("docs").exists());
}
