//! Terminal output: diagnostics (coloured when stderr is a terminal and
//! NO_COLOR is unset) and top-level errors.

use std::io::{IsTerminal, Write};

fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Prints rendered diagnostics to stderr.
pub fn print_diagnostics(d: &nzc_dsl::Diagnostics) {
    let text = d.render();
    let mut err = std::io::stderr().lock();
    if !colour() {
        let _ = err.write_all(text.as_bytes());
        return;
    }
    for line in text.lines() {
        let styled = if line.starts_with("error") {
            let (head, rest) = line.split_once(": ").unwrap_or((line, ""));
            format!("\x1b[1;31m{head}\x1b[0m\x1b[1m: {rest}\x1b[0m")
        } else if line.trim_start().starts_with("-->")
            || line.trim_start().starts_with('|')
            || line.contains(" | ")
        {
            match line.split_once('|') {
                Some((gutter, rest)) => {
                    let rest = if rest.trim_start().starts_with('^') {
                        format!("\x1b[1;31m{rest}\x1b[0m")
                    } else if rest.trim_start().starts_with('-') {
                        format!("\x1b[1;34m{rest}\x1b[0m")
                    } else {
                        rest.to_string()
                    };
                    format!("\x1b[1;34m{gutter}|\x1b[0m{rest}")
                }
                None => format!("\x1b[1;34m{line}\x1b[0m"),
            }
        } else if line.trim_start().starts_with("= help") {
            format!("\x1b[1m{line}\x1b[0m")
        } else {
            line.to_string()
        };
        let _ = writeln!(err, "{styled}");
    }
}

/// Prints a top-level error and its causes, with the CLI's hint for a
/// migration-library error (the library's own messages give no CLI advice;
/// their text already holds PostgreSQL's message, so their sources are not
/// repeated).
pub fn print_error(err: &anyhow::Error) {
    let mut msg = format!("error: {err}");
    let mut hint = err
        .downcast_ref::<nzc_migrate::Error>()
        .and_then(super::migrate::hint);
    if hint.is_none() && err.downcast_ref::<nzc_migrate::Error>().is_none() {
        for cause in err.chain().skip(1) {
            msg.push_str(&format!("\n  caused by: {cause}"));
            if let Some(e) = cause.downcast_ref::<nzc_migrate::Error>() {
                hint = super::migrate::hint(e);
                break;
            }
        }
    }
    if let Some(h) = hint {
        msg.push_str(&format!("\n  hint: {h}"));
    }
    let _ = writeln!(std::io::stderr(), "{msg}");
}
