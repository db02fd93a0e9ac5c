//! What `nzc migrate status | history | current | check` print: text for
//! people, or with `--format json` one JSON document on stdout (for CI and
//! dashboards). The JSON shapes are documented in the README ("Machine-
//! readable output").

use nzc_migrate::history::{Applied, RowState};
use nzc_migrate::{Drift, Migration, State};
use serde_json::{json, Value};

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn print_json(v: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("JSON values serialize")
    );
}

/// `base (no migration applied)` or the id.
pub fn describe_current(at: Option<&str>) -> String {
    at.map_or_else(
        || "base (no migration applied)".to_string(),
        ToString::to_string,
    )
}

fn state_json(id: &str, state: &State) -> Value {
    match state {
        State::Applied => json!({"id": id, "state": "applied"}),
        State::Pending => json!({"id": id, "state": "pending"}),
        State::Modified => json!({"id": id, "state": "modified"}),
        State::Missing => json!({"id": id, "state": "missing"}),
        State::Failed {
            done,
            at,
            error,
            reverting,
        } => json!({
            "id": id,
            "state": if *reverting { "revert_failed" } else { "failed" },
            "failed_statement": done + 1,
            "at": at,
            "error": error,
        }),
        State::Running { done } => {
            json!({"id": id, "state": "running", "statements_done": done})
        }
    }
}

pub fn state_text(state: &State) -> String {
    match state {
        State::Applied => "applied".to_string(),
        State::Pending => "pending".to_string(),
        State::Modified => "MODIFIED (changed after it was applied)".to_string(),
        State::Missing => "MISSING (applied, no file)".to_string(),
        State::Failed {
            done,
            at,
            error,
            reverting,
        } => format!(
            "FAILED{} at statement {}, {at}: {error}",
            if *reverting { " (downgrade)" } else { "" },
            done + 1
        ),
        State::Running { done } => {
            format!("RUNNING ({done} statement(s) done by another runner)")
        }
    }
}

/// `nzc migrate status`.
pub fn status(format: Format, list: &[(String, State)]) {
    match format {
        Format::Text => {
            for (id, state) in list {
                println!("{:<9} {id}", state_text(state));
            }
        }
        Format::Json => print_json(&json!({
            "migrations": list.iter().map(|(id, s)| state_json(id, s)).collect::<Vec<_>>(),
        })),
    }
}

/// `nzc migrate current`; `list` is the status, for the pending ones.
pub fn current(format: Format, current: Option<&str>, list: &[(String, State)]) {
    match format {
        Format::Text => println!("{}", describe_current(current)),
        Format::Json => {
            let pending: Vec<&str> = list
                .iter()
                .filter(|(_, s)| matches!(s, State::Pending | State::Failed { .. }))
                .map(|(id, _)| id.as_str())
                .collect();
            print_json(&json!({
                "current": current,
                "head": list.iter().rev().find(|(_, s)| !matches!(s, State::Missing)).map(|(id, _)| id),
                "at_head": pending.is_empty(),
                "pending": pending,
            }))
        }
    }
}

/// `nzc migrate history`: every migration, applied or not, and history rows
/// without files.
pub fn history(format: Format, files: &[Migration], rows: &[Applied]) {
    let mut entries: Vec<Value> = Vec::new();
    for m in files {
        let row = rows.iter().find(|a| a.version == m.version);
        let status = nzc_migrate::runner::status(
            std::slice::from_ref(m),
            row.map(std::slice::from_ref).unwrap_or_default(),
        );
        let state = &status[0].1;
        match format {
            Format::Text => match (row, state) {
                (Some(a), State::Applied | State::Modified) => println!(
                    "{}  applied {} ({} ms){}",
                    m.id(),
                    a.applied_at,
                    a.execution_ms,
                    a.note
                        .as_ref()
                        .map(|n| format!(" — {n}"))
                        .unwrap_or_default()
                ),
                (
                    Some(_),
                    State::Failed {
                        done, at, error, ..
                    },
                ) => println!(
                    "{}  failed at statement {}, {at}: {error}",
                    m.id(),
                    done + 1
                ),
                (Some(_), State::Running { done }) => {
                    println!("{}  running ({done} statement(s) done)", m.id())
                }
                _ => println!(
                    "{}  pending{}",
                    m.id(),
                    row.and_then(|a| a.note.as_ref())
                        .map(|n| format!(" — {n}"))
                        .unwrap_or_default()
                ),
            },
            Format::Json => {
                let mut v = state_json(&m.id(), state);
                if let (Some(a), Value::Object(o)) = (row, &mut v) {
                    if a.state == RowState::Applied {
                        o.insert("applied_at".into(), json!(a.applied_at));
                        o.insert("execution_ms".into(), json!(a.execution_ms));
                    }
                    if let Some(n) = &a.note {
                        o.insert("note".into(), json!(n));
                    }
                }
                entries.push(v);
            }
        }
    }
    for a in rows
        .iter()
        .filter(|a| !files.iter().any(|m| m.version == a.version))
    {
        match format {
            Format::Text => println!("{}  applied {} (file missing)", a.id(), a.applied_at),
            Format::Json => entries.push(json!({
                "id": a.id(),
                "state": "missing",
                "applied_at": a.applied_at,
                "execution_ms": a.execution_ms,
            })),
        }
    }
    if format == Format::Json {
        print_json(&json!({ "migrations": entries }));
    }
}

/// `nzc migrate check`; returns whether the database is in sync.
pub fn check(format: Format, drift: &Drift) -> bool {
    let at = describe_current(drift.at.as_deref());
    match format {
        Format::Text => {
            for d in &drift.differences {
                println!("drift: {d}");
            }
            for d in &drift.cosmetic {
                println!("cosmetic: {d}");
            }
            for u in &drift.unmanaged {
                println!("unmanaged: {u}");
            }
            for p in &drift.pending {
                println!("pending: {p}");
            }
            if drift.is_empty() {
                let cosmetic = if drift.cosmetic.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({} comment difference(s); `nzc migrate check --sql` adds them)",
                        drift.cosmetic.len()
                    )
                };
                println!("in sync with {at}{cosmetic}");
            } else {
                println!(
                    "{} difference(s) from the schema at {at}; `nzc migrate check --sql` prints the repair",
                    drift.differences.len()
                );
            }
        }
        Format::Json => {
            let diff = |d: &nzc_migrate::Difference| json!({"object": d.object, "expected": d.expected, "found": d.found});
            print_json(&json!({
                "in_sync": drift.is_empty(),
                "at": drift.at,
                "pending": drift.pending,
                "differences": drift.differences.iter().map(diff).collect::<Vec<_>>(),
                "cosmetic": drift.cosmetic.iter().map(diff).collect::<Vec<_>>(),
                "unmanaged": drift.unmanaged.iter().map(|u| json!({"kind": u.kind, "name": u.name, "detail": u.detail})).collect::<Vec<_>>(),
            }));
        }
    }
    drift.is_empty()
}
