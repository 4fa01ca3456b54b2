// Heron as an operator runs it, in its own process (npm start's entry point),
// for tests and benchmarks (scripts/ use it too) that measure the server apart
// from the client: its memory (VmRSS), what it logs, how it behaves under a
// lower open-file limit. Its ports are ephemeral loopback ports, read from its
// "heron started" log line.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Heron } from '../../server/heron.ts';
import { ensureTestDatabase } from './database.ts';
import { testEnv } from './heron.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
/** How long a clean shutdown may take before SIGKILL (Heron's own limit is 15 s). */
const STOP_MS = 30_000;

export interface HeronProcess {
  child: ChildProcess;
  pid: number;
  ports: Heron['ports'];
  /** Everything it printed so far (banner and JSON log lines). */
  output(): string;
  /** Resident memory in MB (VmRSS); throws with its last output once it has exited. */
  rssMb(): number;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGTERM, then waits for the exit (SIGKILL after 30 s): a clean shutdown (a --cpu-prof profile is written then). */
  stop(): Promise<void>;
  /** SIGKILL, at once. */
  kill(): void;
}

/**
 * Starts Heron on ephemeral loopback ports; `openFiles` runs it under `ulimit -n`;
 * `nodeArgs` go to node before the entry point (e.g. --cpu-prof).
 */
export async function startHeronProcess(
  dataDir: string,
  options: { env?: Record<string, string>; openFiles?: number; startMs?: number; nodeArgs?: string[] } = {},
): Promise<HeronProcess> {
  await ensureTestDatabase(dataDir);
  const env = { ...process.env, ...testEnv(dataDir, { HERON_LOG_LEVEL: 'info', ...options.env }) };
  const args = [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'server/main.ts')];
  const spawnOptions = { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
  const child = options.openFiles
    ? spawn('bash', ['-c', `ulimit -n ${options.openFiles} && exec "$0" "$@"`, process.execPath, ...args], spawnOptions)
    : spawn(process.execPath, args, spawnOptions);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const deadline = Date.now() + (options.startMs ?? 60_000);
  let started: string | undefined;
  while (!(started = out.split('\n').find((line) => line.includes('"msg":"heron started"')))) {
    if (Date.now() > deadline || !alive()) {
      child.kill('SIGKILL');
      throw new Error(`Heron did not start (${alive() ? `not within ${options.startMs ?? 60_000} ms` : 'it exited'}):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const ports = (JSON.parse(started) as { ports: Heron['ports'] }).ports;

  return {
    child,
    pid: child.pid!,
    ports,
    output: () => out,
    rssMb: () => {
      if (!alive()) throw new Error(`Heron has exited; its last output:\n${out.slice(-3000)}`);
      return rssOf(child.pid!) / 2 ** 20;
    },
    alive,
    async stop() {
      if (!alive()) return;
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/** Resident memory of a process, in bytes. */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`process ${pid} has no resident memory (exited)`);
  return Number(m[1]) * 1024;
}

/** Samples the process's RSS every 50 ms from now; stop() returns the peak in MB (sampling ends if it exits). */
export function sampleRss(heron: HeronProcess): { baseline: number; stop(): number } {
  const baseline = heron.rssMb();
  let peak = baseline;
  const sample = () => {
    if (heron.alive()) peak = Math.max(peak, heron.rssMb());
  };
  const timer = setInterval(() => {
    try {
      sample();
    } catch {
      clearInterval(timer); // exited between the check and the read; the test reports it
    }
  }, 50);
  return {
    baseline,
    stop() {
      clearInterval(timer);
      if (heron.alive()) sample();
      return peak;
    },
  };
}
