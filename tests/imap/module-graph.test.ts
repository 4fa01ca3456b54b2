// The server's modules import each other without cycles (type-only imports
// vanish at run time and do not count). A cycle between the session and its
// commands made a top-level `new ImapResponse()` in a command fail with a TDZ
// ReferenceError; ImapResponse now lives in imapd/response.ts, below both.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FOLDERS = ['imapd', 'smtpd', 'schema', 'server', 'certs'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports that exist at run time: not `import type`, not `{ type A, type B }`. */
function runtimeImports(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^(?:import|export)\s+(type\s+)?([\s\S]*?)\s+from\s+'(\.[^']+)';/gm)) {
    if (m[1]) continue;
    const braces = /^\{([\s\S]*)\}$/.exec(m[2].trim());
    const names = braces ? braces[1].split(',').map((n) => n.trim()).filter(Boolean) : [];
    if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    out.push(path.resolve(path.dirname(file), m[3]));
  }
  return out;
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const folder of FOLDERS) for (const file of sourceFiles(path.join(ROOT, folder))) graph.set(file, runtimeImports(file));
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep].map((f) => path.relative(ROOT, f)));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

test('the graph is read: the session imports the command table at run time, commands import the response type', () => {
  const graph = importGraph();
  const rel = (f: string) => (graph.get(path.join(ROOT, f)) ?? []).map((d) => path.relative(ROOT, d));
  assert.ok(rel('imapd/session.ts').includes('imapd/commands/index.ts'));
  assert.ok(rel('imapd/commands/login.ts').includes('imapd/response.ts'));
  assert.ok(!rel('imapd/commands/fetch.ts').includes('imapd/session.ts'), 'a type-only import is not a run-time edge');
});

test('no run-time import cycle, in particular none between the IMAP session and its commands', () => {
  assert.deepEqual(cycles(importGraph()), []);
});
