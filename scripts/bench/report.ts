// How the benchmarks print: one line about the machine, and a Markdown table
// with Heron, the reference, and the ratio between the two, every run's figure
// shown so that noise is visible.
import fs from 'node:fs';
import os from 'node:os';

export function machineLine(): string {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${os.availableParallelism()} cores (nproc) · ${model} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · load average ${load} · node ${process.version}`;
}

export interface Row {
  measure: string;
  /** Which way is better, for the verdict column. */
  better: 'higher' | 'lower';
  heron: number[];
  reference: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

const cell = (xs: number[]) => (xs.length ? xs.map(formatNumber).join(' · ') : '–');

function verdict(row: Row): [string, string] {
  if (!row.heron.length || !row.reference.length) return ['–', '–'];
  const h = median(row.heron);
  const r = median(row.reference);
  if (r === 0 || h === 0) return ['–', '–'];
  const ratio = h / r;
  const heronBetter = row.better === 'higher' ? ratio > 1 : ratio < 1;
  const factor = ratio >= 1 ? ratio : 1 / ratio;
  return [ratio >= 10 || ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2), `${heronBetter ? 'Heron' : 'reference'} ${factor.toFixed(1)}×`];
}

/** A Markdown table: measure | Heron (each run) | reference (each run) | Heron/reference (medians) | better. */
export function table(referenceName: string, rows: Row[]): string {
  const head = ['measure', 'Heron (each run)', `${referenceName} (each run)`, 'Heron / ref. (medians)', 'better'];
  const lines = [head, head.map(() => '---'), ...rows.map((r) => [r.measure, cell(r.heron), cell(r.reference), ...verdict(r)])];
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}
