//! PostgreSQL rendering of diff steps: one statement per step (a few steps
//! take several), identifiers always double-quoted, deterministic.

use crate::diff::{is_widening, Step};
use nzc_dsl::{
    quote_ident as q, quote_literal, Column, ColumnType, ForeignKey, ReferentialAction, Unique,
};
use std::fmt::Write as _;

/// The SQL statements of one step, each ending with `;`.
pub fn statements(step: &Step) -> Vec<String> {
    match step {
        Step::CreateEnum(e) => vec![create_enum(&e.name, &e.values)],
        Step::DropEnum(e) => vec![format!("DROP TYPE {};", q(&e.name))],
        Step::RenameEnum { from, to } => {
            vec![format!("ALTER TYPE {} RENAME TO {};", q(from), q(to))]
        }
        Step::AddEnumValue {
            enum_name,
            value,
            before,
        } => vec![match before {
            Some(b) => format!(
                "ALTER TYPE {} ADD VALUE {} BEFORE {};",
                q(enum_name),
                quote_literal(value),
                quote_literal(b)
            ),
            None => format!(
                "ALTER TYPE {} ADD VALUE {};",
                q(enum_name),
                quote_literal(value)
            ),
        }],
        Step::ReplaceEnum { old, new, usages } => {
            let parked = crate::diff::parked_enum_name(&new.name);
            let mut out = vec![
                format!("ALTER TYPE {} RENAME TO {};", q(&old.name), q(&parked)),
                create_enum(&new.name, &new.values),
            ];
            for (table, column, default) in usages {
                // The current default is of the old type and cannot be cast
                // (whether or not the new schema has one): drop it.
                out.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;",
                    q(table),
                    q(column)
                ));
                out.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::text::{};",
                    q(table),
                    q(column),
                    q(&new.name),
                    q(column),
                    q(&new.name)
                ));
                if let Some(d) = default {
                    out.push(format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {};",
                        q(table),
                        q(column),
                        d.sql()
                    ));
                }
            }
            // The parked type is dropped by a DropEnum step at the end of
            // the migration, after columns changing away from it.
            out
        }
        Step::CreateTable { table, inline_fks } => {
            let mut s = String::with_capacity(256);
            let _ = writeln!(s, "CREATE TABLE {} (", q(&table.name));
            let mut lines: Vec<String> = table.columns.iter().map(column_def).collect();
            lines.push(format!(
                "CONSTRAINT {} PRIMARY KEY ({})",
                q(&table.primary_key.name),
                cols(&table.primary_key.columns)
            ));
            // CREATE TABLE silently drops a UNIQUE whose column list and
            // NULLS [NOT] DISTINCT equal the primary key's (which counts as
            // NULLS DISTINCT) or an earlier UNIQUE's (PostgreSQL removes
            // redundant index specifications there, not in ALTER TABLE):
            // such a constraint is added by its own statement after it.
            let mut inline: Vec<(&[String], bool)> = vec![(&table.primary_key.columns, false)];
            let mut separate = Vec::new();
            for u in &table.uniques {
                let key = (u.columns.as_slice(), u.nulls_not_distinct);
                if inline.contains(&key) {
                    separate.push(u);
                    continue;
                }
                inline.push(key);
                lines.push(format!("CONSTRAINT {} {}", q(&u.name), unique_def(u)));
            }
            for c in &table.checks {
                lines.push(format!("CONSTRAINT {} CHECK ({})", q(&c.name), c.expr));
            }
            for fk in inline_fks {
                lines.push(format!("CONSTRAINT {} {}", q(&fk.name), fk_def(fk)));
            }
            for (i, l) in lines.iter().enumerate() {
                let _ = writeln!(s, "    {l}{}", if i + 1 < lines.len() { "," } else { "" });
            }
            s.push_str(");");
            let mut out = vec![s];
            for u in separate {
                out.push(format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} {};",
                    q(&table.name),
                    q(&u.name),
                    unique_def(u)
                ));
            }
            out
        }
        Step::DropTable(t) => vec![format!("DROP TABLE {};", q(&t.name))],
        Step::RenameTable { from, to } => {
            vec![format!("ALTER TABLE {} RENAME TO {};", q(from), q(to))]
        }
        Step::AddColumn { table, column } => {
            vec![format!(
                "ALTER TABLE {} ADD COLUMN {};",
                q(table),
                column_def(column)
            )]
        }
        Step::DropColumn { table, column } => {
            vec![format!(
                "ALTER TABLE {} DROP COLUMN {};",
                q(table),
                q(&column.name)
            )]
        }
        Step::RenameColumn { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {};",
            q(table),
            q(from),
            q(to)
        )],
        Step::AlterColumnType {
            table,
            column,
            from,
            to,
        } => {
            let using = if needs_using(from, to) {
                format!(" USING {}::{}", q(column), using_type(to))
            } else {
                String::new()
            };
            vec![format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {}{};",
                q(table),
                q(column),
                to.pg(),
                using
            )]
        }
        Step::SetNotNull { table, column } => {
            vec![format!(
                "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL;",
                q(table),
                q(column)
            )]
        }
        Step::DropNotNull { table, column } => {
            vec![format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL;",
                q(table),
                q(column)
            )]
        }
        Step::SetDefault {
            table,
            column,
            default,
        } => vec![format!(
            "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {};",
            q(table),
            q(column),
            default.sql()
        )],
        Step::DropDefault { table, column } => {
            vec![format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;",
                q(table),
                q(column)
            )]
        }
        Step::AddPrimaryKey { table, pk } => vec![format!(
            "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({});",
            q(table),
            q(&pk.name),
            cols(&pk.columns)
        )],
        Step::AddUnique { table, unique } => vec![format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {};",
            q(table),
            q(&unique.name),
            unique_def(unique)
        )],
        Step::AddForeignKey { table, fk } => vec![format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {};",
            q(table),
            q(&fk.name),
            fk_def(fk)
        )],
        Step::AddCheck { table, check } => vec![format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({});",
            q(table),
            q(&check.name),
            check.expr
        )],
        Step::DropPrimaryKey { table, pk: named } => drop_constraint(table, &named.name),
        Step::DropUnique { table, unique } => drop_constraint(table, &unique.name),
        Step::DropForeignKey { table, fk } => drop_constraint(table, &fk.name),
        Step::DropCheck { table, check } => drop_constraint(table, &check.name),
        Step::CreateIndex { table, index } => vec![format!(
            "CREATE {}INDEX {} ON {} ({});",
            if index.unique { "UNIQUE " } else { "" },
            q(&index.name),
            q(table),
            cols(&index.columns)
        )],
        Step::DropIndex { index, .. } => vec![format!("DROP INDEX {};", q(&index.name))],
        Step::RenameConstraint { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {};",
            q(table),
            q(from),
            q(to)
        )],
        Step::RenameIndex { from, to } => {
            vec![format!("ALTER INDEX {} RENAME TO {};", q(from), q(to))]
        }
        Step::CommentTable { table, comment } => {
            vec![format!(
                "COMMENT ON TABLE {} IS {};",
                q(table),
                comment_text(comment)
            )]
        }
        Step::CommentColumn {
            table,
            column,
            comment,
        } => vec![format!(
            "COMMENT ON COLUMN {}.{} IS {};",
            q(table),
            q(column),
            comment_text(comment)
        )],
    }
}

fn create_enum(name: &str, values: &[String]) -> String {
    let values: Vec<String> = values.iter().map(|v| quote_literal(v)).collect();
    format!("CREATE TYPE {} AS ENUM ({});", q(name), values.join(", "))
}

fn drop_constraint(table: &str, name: &str) -> Vec<String> {
    vec![format!(
        "ALTER TABLE {} DROP CONSTRAINT {};",
        q(table),
        q(name)
    )]
}

fn comment_text(c: &Option<String>) -> String {
    c.as_deref()
        .map_or_else(|| "NULL".to_string(), quote_literal)
}

/// Quoted column names joined by `, `.
pub fn cols(columns: &[String]) -> String {
    columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

/// `"name" type [NOT NULL] [DEFAULT …]`
pub fn column_def(c: &Column) -> String {
    let mut s = format!("{} {}", q(&c.name), c.ty.pg());
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        let _ = write!(s, " DEFAULT {}", d.sql());
    }
    s
}

/// `UNIQUE [NULLS NOT DISTINCT] (…)`
pub fn unique_def(u: &Unique) -> String {
    let nulls = if u.nulls_not_distinct {
        "NULLS NOT DISTINCT "
    } else {
        ""
    };
    format!("UNIQUE {nulls}({})", cols(&u.columns))
}

/// What follows the column list of a unique index: ` NULLS NOT DISTINCT` for
/// such a key (`CREATE UNIQUE INDEX … ON t (…) NULLS NOT DISTINCT`), else nothing.
pub fn index_nulls(nulls_not_distinct: bool) -> &'static str {
    if nulls_not_distinct {
        " NULLS NOT DISTINCT"
    } else {
        ""
    }
}

/// `FOREIGN KEY (…) REFERENCES "T" (…) [ON DELETE …] [ON UPDATE …]`
pub fn fk_def(fk: &ForeignKey) -> String {
    let mut s = format!(
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        cols(&fk.columns),
        q(&fk.ref_table),
        cols(&fk.ref_columns)
    );
    if fk.on_delete != ReferentialAction::NoAction {
        let _ = write!(s, " ON DELETE {}", fk.on_delete.sql());
    }
    if fk.on_update != ReferentialAction::NoAction {
        let _ = write!(s, " ON UPDATE {}", fk.on_update.sql());
    }
    s
}

/// Whether PostgreSQL needs an explicit `USING` to convert the values.
fn needs_using(from: &ColumnType, to: &ColumnType) -> bool {
    if is_widening(from, to) {
        return false;
    }
    match (from, to) {
        (ColumnType::Scalar(a), ColumnType::Scalar(b)) => {
            let numeric = |k| {
                matches!(
                    k,
                    nzc_dsl::Kind::SmallInt
                        | nzc_dsl::Kind::Int
                        | nzc_dsl::Kind::BigInt
                        | nzc_dsl::Kind::Numeric
                        | nzc_dsl::Kind::Real
                        | nzc_dsl::Kind::Double
                )
            };
            let text = |k| {
                matches!(
                    k,
                    nzc_dsl::Kind::Varchar | nzc_dsl::Kind::Char | nzc_dsl::Kind::Text
                )
            };
            !(numeric(a.kind) && numeric(b.kind) || text(a.kind) && text(b.kind))
        }
        _ => true,
    }
}

fn using_type(to: &ColumnType) -> String {
    to.pg()
}
