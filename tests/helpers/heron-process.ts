// Heron as an operator runs it, in its own process (npm start's entry point),
// for tests and benchmarks that measure the server apart from the client: its
// memory (VmRSS), what it logs, how it behaves under a lower open-file limit.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureTestDatabase } from './database.ts';
import { testEnv } from './heron.ts';

export interface HeronProcess {
  child: ChildProcess;
  pid: number;
  ports: { api: number; imap: number; imaps: number; smtp: number; submission: number; submissions: number };
  /** Everything it printed so far (banner and JSON log lines). */
  output(): string;
  stop(): void;
}

/** Starts Heron on ephemeral loopback ports; `openFiles` runs it under `ulimit -n`. */
export async function startHeronProcess(dataDir: string, options: { env?: Record<string, string>; openFiles?: number; startMs?: number } = {}): Promise<HeronProcess> {
  const main = path.join(import.meta.dirname, '../../server/main.ts');
  await ensureTestDatabase(dataDir);
  const env = { ...process.env, ...testEnv(dataDir, { HERON_LOG_LEVEL: 'info', ...options.env }) };
  const child = options.openFiles
    ? spawn('bash', ['-c', `ulimit -n ${options.openFiles} && exec "$0" --import tsx "$1"`, process.execPath, main], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['--import', 'tsx', main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + (options.startMs ?? 60_000);
  while (!/"msg":"heron started"/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`heron did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const ports = JSON.parse(/"ports":(\{[^}]*\})/.exec(out)![1]) as HeronProcess['ports'];
  return { child, pid: child.pid!, ports, output: () => out, stop: () => child.kill('SIGKILL') };
}

/** Resident memory of a process, in bytes. */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}
