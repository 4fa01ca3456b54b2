// npm run fuzz [-- target …]: the fuzz targets of tests/fuzz with large budgets.
//   FUZZ_RUNS     inputs per target (default 1,000,000)
//   FUZZ_SECONDS  stop a target after this many seconds instead (optional)
//   FUZZ_SEED     first seed (default: random); each batch of runs uses the next one
// Prints, per target, the inputs run, the time and the outcome; a failure shows
// fast-check's shrunk counterexample with the seed and path that replay it.
import { API_TARGETS } from '../tests/fuzz/api-input.ts';
import { IMAP_TARGETS } from '../tests/fuzz/imap-input.ts';
import { MIME_TARGETS } from '../tests/fuzz/mime-input.ts';
import { SMTP_TARGETS } from '../tests/fuzz/smtp-input.ts';
import { runTarget } from '../tests/fuzz/target.ts';

const ALL = [...IMAP_TARGETS, ...MIME_TARGETS, ...SMTP_TARGETS, ...API_TARGETS];
const BATCH = 100_000;

const runs = Number(process.env.FUZZ_RUNS ?? 1_000_000);
const seconds = process.env.FUZZ_SECONDS ? Number(process.env.FUZZ_SECONDS) : Infinity;
let seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !ALL.some((t) => t.name === name));
if (unknown.length) {
  console.error(`unknown target(s) ${unknown.join(', ')}; known: ${ALL.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
const targets = wanted.length ? ALL.filter((t) => wanted.includes(t.name)) : ALL;

const fmt = (n: number) => n.toLocaleString('en-US');
let failures = 0;
console.log(`fuzz: ${targets.length} target(s), ${Number.isFinite(runs) ? fmt(runs) : '∞'} inputs each${Number.isFinite(seconds) ? `, at most ${seconds} s each` : ''}, first seed ${seed}`);
for (const target of targets) {
  console.log(`\n${target.name}: ${target.claim}`);
  let done = 0;
  let ms = 0;
  let failed = false;
  // Batches, so a long run shows progress; each batch has its own seed.
  while (done < runs && ms < seconds * 1000 && !failed) {
    const batch = Math.min(BATCH, runs - done);
    const left = seconds * 1000 - ms;
    const result = await runTarget(target, { numRuns: batch, seed, ...(Number.isFinite(left) ? { interruptAfterTimeLimit: left, markInterruptAsFailure: false } : {}) });
    seed = (seed + 1) | 0;
    done += result.runs;
    ms += result.ms;
    failed = result.failed;
    if (failed) console.log(result.report);
    console.log(`  ${fmt(done)} inputs, ${(ms / 1000).toFixed(1)} s, ${fmt(Math.round(done / (ms / 1000)))}/s${failed ? ' — FAILED' : ''}`);
    if (result.interrupted) break;
  }
  if (failed) failures++;
  console.log(`${target.name}: ${failed ? 'FAILED' : 'ok'} after ${fmt(done)} inputs in ${(ms / 1000).toFixed(1)} s`);
}
process.exit(failures ? 1 : 0);
