// Summarises a .cpuprofile: self and inclusive time per function, optionally within a time window.
//   node --import tsx scripts/cpuprofile-summary.ts FILE [--top 40] [--from ms] [--to ms] [--busy]
// --busy prints a timeline of non-idle time in 100 ms buckets (to find the windows).
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '40' }, from: { type: 'string' }, to: { type: 'string' }, busy: { type: 'boolean' }, bucket: { type: 'string', default: '100' } },
});
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const prof = JSON.parse(fs.readFileSync(positionals[0], 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: Node) => {
  const url = n.callFrame.url.replace(new RegExp(`^file://${process.cwd()}/`), '').replace(/.*node_modules\//, 'nm/');
  return `${n.callFrame.functionName || '(anon)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const times: number[] = [];
let t = 0;
for (const d of prof.timeDeltas) times.push((t += d) / 1000);
const from = values.from ? Number(values.from) : -Infinity;
const to = values.to ? Number(values.to) : Infinity;
const idle = (n: Node) => n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)' || n.callFrame.functionName === '(garbage collector)';

if (values.busy) {
  const bucket = Number(values.bucket);
  const busy = new Map<number, number>();
  const gc = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const n = byId.get(prof.samples[i])!;
    const b = Math.floor(times[i] / bucket);
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    if (n.callFrame.functionName === '(garbage collector)') gc.set(b, (gc.get(b) ?? 0) + dt);
    if (!idle(n)) busy.set(b, (busy.get(b) ?? 0) + dt);
  }
  for (const b of [...new Set([...busy.keys(), ...gc.keys()])].sort((x, y) => x - y)) {
    const v = busy.get(b) ?? 0;
    if (v + (gc.get(b) ?? 0) > bucket * 0.05) console.log(`${(b * bucket).toString().padStart(8)} ms  busy ${v.toFixed(0).padStart(4)}  gc ${(gc.get(b) ?? 0).toFixed(0)}`);
  }
  process.exit(0);
}

const self = new Map<string, number>();
const incl = new Map<string, number>();
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  if (times[i] < from || times[i] > to) continue;
  const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
  const n = byId.get(prof.samples[i])!;
  if (n.callFrame.functionName === '(idle)') continue;
  total += dt;
  self.set(name(n), (self.get(name(n)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const k = name(byId.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + dt);
  }
}
const top = Number(values.top);
console.log(`non-idle ${total.toFixed(0)} ms`);
console.log('--- self');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${v.toFixed(1).padStart(8)}  ${k}`);
console.log('--- inclusive');
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${v.toFixed(1).padStart(8)}  ${k}`);
