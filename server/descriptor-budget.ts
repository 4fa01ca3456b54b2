// How many file descriptors the process may hold and how they are shared, so
// that a flood on one protocol cannot take what the others need (20,000 IMAP
// connections from one address once stopped SMTP greetings and /health).
//
// A part is kept back for the database, outbound deliveries, DNS, ACME, log
// files and Node itself; the API gets a total of its own; the rest is split
// between the two IMAP listeners (each its own total) and the SMTP listeners
// (one total across all of them). Any part can be set by the operator.
import fs from 'node:fs';

export interface BudgetSettings {
  /** RLIMIT_NOFILE of the process (or the operator's HERON_OPEN_FILES). */
  openFiles: number;
  reserve?: number;
  outboundConcurrency: number;
  api?: number;
  imapPerListener?: number;
  smtpTotal?: number;
}

export interface DescriptorBudget {
  openFiles: number;
  /** Kept back: database, outbound deliveries, DNS, ACME, logs, Node itself. */
  reserved: number;
  apiConnections: number;
  /** Each of the two IMAP listeners (cleartext and implicit TLS) accepts at most this many. */
  imapPerListener: number;
  /** All SMTP listeners together; each one also keeps to its mail_server row's max_clients. */
  smtpTotal: number;
  /** The parts add up to more than openFiles (the operator set them so). */
  overcommitted: boolean;
}

const BASE_RESERVE = 64;
/** Share of the listeners' part for IMAP: its connections live for hours (IDLE), SMTP's for seconds. */
const IMAP_SHARE = 0.6;
const MIN_PART = 16;
// Derived parts stop here: past it a connection costs more memory than its descriptor is worth.
const MAX_API = 1024;
const MAX_IMAP_PER_LISTENER = 10_000;
const MAX_SMTP_TOTAL = 5_000;
/** Where the limit cannot be read (not Linux): the usual soft limit. */
export const FALLBACK_OPEN_FILES = 1024;

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));

export function descriptorBudget(s: BudgetSettings): DescriptorBudget {
  const reserved = s.reserve ?? BASE_RESERVE + 2 * s.outboundConcurrency; // a socket and a DNS query per delivery
  const apiConnections = s.api ?? clamp(Math.floor(s.openFiles / 10), MIN_PART, MAX_API);
  const forListeners = Math.max(0, s.openFiles - reserved - apiConnections);
  const imapPerListener = s.imapPerListener ?? clamp(Math.floor((forListeners * IMAP_SHARE) / 2), MIN_PART, MAX_IMAP_PER_LISTENER);
  const smtpTotal = s.smtpTotal ?? clamp(forListeners - 2 * imapPerListener, MIN_PART, MAX_SMTP_TOTAL);
  const overcommitted = reserved + apiConnections + 2 * imapPerListener + smtpTotal > s.openFiles;
  return { openFiles: s.openFiles, reserved, apiConnections, imapPerListener, smtpTotal, overcommitted };
}

/** The soft "Max open files" of a /proc/<pid>/limits text; null when absent. */
export function parseOpenFileLimit(procLimits: string): number | null {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(procLimits);
  if (!m) return null;
  return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

/**
 * The process's open-file limit. Node has no API for getrlimit; on Linux it is
 * in /proc/self/limits (Node raised the soft limit to the hard one at start).
 */
export function openFileLimit(procFile = '/proc/self/limits'): number {
  try {
    return parseOpenFileLimit(fs.readFileSync(procFile, 'utf8')) ?? FALLBACK_OPEN_FILES;
  } catch {
    return FALLBACK_OPEN_FILES;
  }
}

/** One line for the startup banner and the log. */
export function describeBudget(b: DescriptorBudget): string {
  const parts = `API ${b.apiConnections}, IMAP ${b.imapPerListener} per listener, SMTP ${b.smtpTotal} in all, ${b.reserved} kept back`;
  return `open files ${b.openFiles}: ${parts}${b.overcommitted ? ' (OVERCOMMITTED: raise LimitNOFILE or lower the HERON_*_MAX_CONNECTIONS settings)' : ''}`;
}
