#!/usr/bin/env node
// Checks that a DBML file parses with the parser dbdiagram.io uses
// (`@dbml/core`'s `Parser.parse(src, 'dbmlv2')`, i.e. `@dbml/parse`).
//
// usage: node check.mjs FILE [--deny-warnings] [--summary]
//
//   FILE              the DBML file to parse
//   --deny-warnings   also fail (exit 1) when the parser reports warnings
//   --summary         on success, print a JSON summary of what the parser read
//                     (project, enums, tables with fields/indexes/checks/notes,
//                     refs, table groups) on stdout, so a test can compare it
//                     with the model the file was generated from
//
// Every diagnostic is printed on stderr as `FILE:LINE:COL: error: MESSAGE`
// followed by the source line and a caret. Exit status: 0 if the file parsed,
// 1 if it did not (or had warnings under --deny-warnings), 2 on bad usage.

import { readFileSync } from 'node:fs';
import { Parser, DEFAULT_ENTRY } from '@dbml/core';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const denyWarnings = args.includes('--deny-warnings');
const summary = args.includes('--summary');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--deny-warnings' && a !== '--summary');
if (!file || unknown.length > 0) {
  console.error('usage: node check.mjs FILE [--deny-warnings] [--summary]');
  process.exit(2);
}

const src = readFileSync(file, 'utf8');
const lines = src.split('\n');

function report(kind, message, line, column) {
  console.error(`${file}:${line}:${column}: ${kind}: ${message}`);
  const text = lines[line - 1];
  if (text !== undefined) {
    console.error(`  ${text}`);
    console.error(`  ${' '.repeat(Math.max(column - 1, 0))}^`);
  }
}

let failed = false;
try {
  Parser.parse(src, 'dbmlv2');
} catch (err) {
  failed = true;
  const diags = Array.isArray(err?.diags) ? err.diags : [{ message: String(err?.stack ?? err) }];
  for (const d of diags) {
    const start = d.location?.start ?? { line: 0, column: 0 };
    report('error', d.message, start.line, start.column);
  }
}

// Warnings are not thrown by `Parser.parse`; ask the compiler behind it.
const parser = new Parser();
parser.setDbmlSource(DEFAULT_ENTRY, src);
const warnings = parser.DBMLCompiler.parse.warnings(DEFAULT_ENTRY) ?? [];
for (const w of warnings) {
  const pos = w.nodeOrToken?.startPos ?? { line: -1, column: -1 };
  report('warning', w.diagnostic, pos.line + 1, pos.column + 1);
}
if (denyWarnings && warnings.length > 0) failed = true;

if (failed) process.exit(1);

if (summary) {
  const raw = Parser.parseDBMLToJSONv2(src);
  const note = (n) => n?.value ?? null;
  const out = {
    project: raw.project
      ? { name: raw.project.name ?? null, database_type: raw.project.database_type ?? null, note: note(raw.project.note) }
      : null,
    enums: raw.enums.map((e) => ({ name: e.name, values: e.values.map((v) => v.name) })),
    tables: raw.tables.map((t) => ({
      name: t.name,
      note: note(t.note),
      fields: t.fields.map((f) => ({
        name: f.name,
        type: f.type.type_name,
        pk: Boolean(f.pk),
        unique: Boolean(f.unique),
        not_null: Boolean(f.not_null),
        default: f.dbdefault ? { type: f.dbdefault.type, value: f.dbdefault.value } : null,
        note: note(f.note),
      })),
      indexes: t.indexes.map((i) => ({
        columns: i.columns.map((c) => c.value),
        pk: Boolean(i.pk),
        unique: Boolean(i.unique),
        name: i.name ?? null,
        note: note(i.note),
      })),
      checks: (t.checks ?? []).map((c) => ({ name: c.name ?? null, expression: c.expression })),
    })),
    refs: raw.refs.map((r) => ({
      name: r.name ?? null,
      on_delete: r.onDelete ?? null,
      on_update: r.onUpdate ?? null,
      endpoints: r.endpoints.map((e) => ({ table: e.tableName, fields: e.fieldNames, relation: e.relation })),
    })),
    table_groups: raw.tableGroups.map((g) => ({
      name: g.name,
      note: note(g.note),
      tables: g.tables.map((t) => t.name),
    })),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  console.error(`${file}: ok`);
}
