#!/usr/bin/env node
// Checks that a Mermaid diagram file parses with Mermaid's own parser
// (`mermaid.parse`, which runs in node without a browser).
//
// usage: node check.mjs FILE [--summary]
//
//   FILE        the Mermaid file to parse (one diagram)
//   --summary   on success, print a JSON summary of an erDiagram as Mermaid read it
//               (entities with attributes, relationships with cardinalities) on
//               stdout, so a test can compare it with the model it came from
//
// A parse error is printed on stderr as `FILE:LINE:COL: error: MESSAGE`.
// Exit status: 0 if the file parsed, 1 if it did not, 2 on bad usage.

import { readFileSync } from 'node:fs';
import mermaid from 'mermaid';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const summary = args.includes('--summary');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--summary');
if (!file || unknown.length > 0) {
  console.error('usage: node check.mjs FILE [--summary]');
  process.exit(2);
}

const src = readFileSync(file, 'utf8');

try {
  await mermaid.parse(src);
} catch (err) {
  const loc = err?.hash?.loc;
  const line = loc ? loc.first_line : 0;
  const column = loc ? loc.first_column + 1 : 0;
  console.error(`${file}:${line}:${column}: error: ${err?.message ?? err}`);
  process.exit(1);
}

if (summary) {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(src);
  const db = diagram.db;
  if (typeof db.getEntities !== 'function') {
    console.error(`${file}: error: --summary supports erDiagram only (got ${diagram.type})`);
    process.exit(1);
  }
  const entities = [...db.getEntities().entries()];
  const nameById = new Map(entities.map(([name, e]) => [e.id, name]));
  const out = {
    entities: entities.map(([name, e]) => ({
      name,
      alias: e.alias || null,
      attributes: (e.attributes ?? []).map((a) => ({
        type: a.type,
        name: a.name,
        keys: a.keys ?? [],
        comment: a.comment ?? '',
      })),
    })),
    relationships: db.getRelationships().map((r) => ({
      // `A <cardB><relType><cardA> B : role` in the source
      a: nameById.get(r.entityA) ?? r.entityA,
      b: nameById.get(r.entityB) ?? r.entityB,
      role: r.roleA,
      card_a: r.relSpec.cardB,
      card_b: r.relSpec.cardA,
      rel_type: r.relSpec.relType,
    })),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  console.error(`${file}: ok`);
}
