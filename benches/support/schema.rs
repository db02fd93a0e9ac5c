//! The synthetic schema of the compile and drift benches: `tables` tables
//! × 20 columns in the nzc language (`benches/compile.rs --emit-schema N`
//! prints it).

use std::fmt::Write as _;

/// Tables per `group` block.
pub const GROUP: usize = 50;

/// A schema of `tables` tables × 20 columns: uuid keys, varchar, int, bigint,
/// numeric, jsonb, …, nullable columns, two foreign keys per table to earlier
/// tables, `@unique` / `@@unique` / `@@index` / `@@check` on some tables, two
/// enums, docs on some tables and columns, 50 tables per group.
pub fn schema_source(tables: usize) -> String {
    let mut s = String::with_capacity(tables * 1100 + 512);
    s.push_str("// Synthetic schema of the nzc compile benchmark.\n\n");
    s.push_str("/// Lifecycle of a record.\nenum Status {\n  draft\n  active\n  archived\n}\n\n");
    s.push_str("enum Priority {\n  low\n  medium\n  high\n}\n\n");
    for group in 0..tables.div_ceil(GROUP) {
        let _ = writeln!(
            s,
            "/// Tables {} to {} of the synthetic model.",
            group * GROUP,
            ((group + 1) * GROUP).min(tables) - 1
        );
        let _ = writeln!(s, "group Area{group:04} {{");
        for i in group * GROUP..((group + 1) * GROUP).min(tables) {
            table_source(&mut s, i);
        }
        s.push_str("}\n\n");
    }
    s
}

fn table_source(s: &mut String, i: usize) {
    if i.is_multiple_of(3) {
        let _ = writeln!(s, "  /// Entity number {i}: what one row of it records.");
    }
    let _ = writeln!(s, "  table Entity{i:05} {{");
    let documented = i.is_multiple_of(2);
    let col = |s: &mut String, doc: Option<&str>, line: &str| {
        if let (true, Some(doc)) = (documented, doc) {
            let _ = writeln!(s, "    /// {doc}");
        }
        let _ = writeln!(s, "    {line}");
    };
    col(
        s,
        Some("Primary key, filled by the client."),
        "id           uuid          @pk",
    );
    col(s, Some("Display name."), "name         varchar");
    col(
        s,
        None,
        if i.is_multiple_of(2) {
            "code         varchar(32)   @unique"
        } else {
            "code         varchar(32)?"
        },
    );
    if i >= 1 {
        col(
            s,
            Some("The previous entity."),
            &format!("parentId     uuid?         @ref(Entity{:05}.id)", i - 1),
        );
    } else {
        col(s, Some("The previous entity."), "parentId     uuid?");
    }
    if i >= 2 {
        col(
            s,
            None,
            &format!(
                "ownerId      uuid?         @ref(Entity{:05}.id, on_delete: cascade)",
                i / 2
            ),
        );
    } else {
        col(s, None, "ownerId      uuid?");
    }
    col(s, None, "quantity     int");
    col(s, None, "total        bigint?");
    col(
        s,
        Some("Amount in euros."),
        "amount       numeric(12,2) @default(0)",
    );
    col(s, None, "ratio        numeric?");
    col(s, Some("Raw extracted record."), "payload      jsonb?");
    col(s, None, "description  text?");
    col(s, None, "createdAt    timestamptz   @default(now())");
    col(s, None, "isActive     boolean       @default(true)");
    if i.is_multiple_of(5) {
        col(s, None, "status       Status        @default(draft)");
    } else {
        col(s, None, "status       varchar(16)   @default(\"new\")");
    }
    col(s, None, "score        double precision?");
    col(s, None, "validFrom    date?");
    if i.is_multiple_of(7) {
        col(s, None, "priority     Priority?");
    } else {
        col(s, None, "sequenceNo   smallint?");
    }
    col(
        s,
        None,
        "externalRef  uuid          @default(gen_random_uuid())",
    );
    col(s, None, "label        varchar?");
    col(s, None, "weight       real?");
    let mut attrs = Vec::new();
    if i.is_multiple_of(4) {
        attrs.push("@@unique([name, quantity])".to_string());
    }
    if i.is_multiple_of(3) {
        attrs.push("@@index([createdAt])".to_string());
    }
    if i % 6 == 1 {
        attrs.push("@@index([quantity, total], unique: true)".to_string());
    }
    if i.is_multiple_of(10) {
        attrs.push("@@check(positive_quantity, `\"quantity\" >= 0`)".to_string());
    }
    if !attrs.is_empty() {
        s.push('\n');
        for a in attrs {
            let _ = writeln!(s, "    {a}");
        }
    }
    s.push_str("  }\n\n");
}
