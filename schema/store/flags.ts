// Message flags as a set: system flags in their canonical spelling, keywords
// compared case-insensitively (RFC 3501 §2.3.2), stored as a sorted JSON array.
export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'] as const;
const CANONICAL = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/** One bit per system flag (in SYSTEM_FLAGS order), for compact flag sets: \Answered 1, \Flagged 2, \Deleted 4, \Seen 8, \Draft 16. */
export const SYSTEM_FLAG_BITS: ReadonlyMap<string, number> = new Map(SYSTEM_FLAGS.map((f, i) => [f, 1 << i]));

/** Canonical spelling of one flag, or null for \Recent (session state, never stored) and unknown system flags. */
export function canonicalFlag(flag: string): string | null {
  if (flag.startsWith('\\')) return CANONICAL.get(flag.toLowerCase()) ?? null;
  return flag;
}

export function normalizeFlags(flags: Iterable<string>): string[] {
  const byKey = new Map<string, string>();
  for (const flag of flags) {
    const canonical = canonicalFlag(flag);
    if (canonical !== null && !byKey.has(canonical.toLowerCase())) byKey.set(canonical.toLowerCase(), canonical);
  }
  return [...byKey.values()].sort();
}

export function parseFlags(json: string): string[] {
  return JSON.parse(json) as string[];
}

export function hasFlag(flags: readonly string[], flag: string): boolean {
  const key = flag.toLowerCase();
  return flags.some((f) => f.toLowerCase() === key);
}

export type FlagOperation = 'set' | 'add' | 'remove';

export function applyFlags(current: readonly string[], op: FlagOperation, flags: readonly string[]): string[] {
  if (op === 'set') return normalizeFlags(flags);
  if (op === 'add') return normalizeFlags([...current, ...flags]);
  const remove = new Set(normalizeFlags(flags).map((f) => f.toLowerCase()));
  return current.filter((f) => !remove.has(f.toLowerCase()));
}

/** What a flag change did, as EmailEngine's messageUpdated `changes.flags`: added and removed only when not empty, and the new value. */
export function flagChanges(before: readonly string[], after: readonly string[]): { added?: string[]; removed?: string[]; value: string[] } {
  const had = new Set(before.map((f) => f.toLowerCase()));
  const has = new Set(after.map((f) => f.toLowerCase()));
  const added = after.filter((f) => !had.has(f.toLowerCase()));
  const removed = before.filter((f) => !has.has(f.toLowerCase()));
  return { ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}), value: [...after] };
}
