// Shared by LIST and LSUB (RFC 3501 §6.3.8–9): reference + pattern with "*"
// (any characters) and "%" (no hierarchy delimiter); CHILDREN (RFC 3348) and
// SPECIAL-USE (RFC 6154) attributes. LSUB is answered here; LIST in list.ts.
import { HIERARCHY_DELIMITER, listKeptSubscriptions, listMailboxes, normalizeMailboxName, parentNames } from '../../schema/index.ts';
import { ParseError } from '../parser/tokens.ts';
import type { Args } from '../parser/args.ts';
import type { Session } from '../session.ts';
import { mailboxName } from '../render/mailbox-name.ts';

/** null: not valid modified UTF-7, so nothing matches (Dovecot lists nothing rather than answering BAD). */
export function parseList(args: Args): { reference: string | null; pattern: string | null } {
  const reference = args.mailboxToFind();
  const pattern = args.mailboxToFind();
  args.end();
  return { reference, pattern };
}

export interface PatternMatch {
  /** Whether a stored name matches. */
  test(name: string): boolean;
  /** The pattern has "%", which stops at a level: the levels above a name it skips are listed too. */
  stopsAtLevels: boolean;
}

/** The reference joined to the pattern (RFC 3501 §6.3.8), as a test on stored names. */
export function patternMatcher(reference: string, pattern: string): PatternMatch {
  let full = reference && !reference.endsWith(HIERARCHY_DELIMITER) && !pattern.startsWith(HIERARCHY_DELIMITER) ? `${reference}${HIERARCHY_DELIMITER}${pattern}` : reference + pattern;
  full = normalizeMailboxName(full);
  const glob = globMatcher(full);
  const inbox = /^inbox$/i.test(full);
  return { test: (name) => glob(name) || (inbox && name === 'INBOX'), stopsAtLevels: full.includes('%') };
}

const isWildcard = (c: string): boolean => c === '*' || c === '%';
/** Bounds the work of matching one pattern against one name (name length × wildcards). */
export const MAX_WILDCARDS = 32;

/**
 * "*" matches any characters, "%" any but the delimiter. The name is walked
 * once while the set of pattern positions reached is kept: time grows with
 * name × pattern, never exponentially as a backtracking regular expression
 * would on "*a*a*a…" (a client could stall the process with one LIST).
 */
function globMatcher(pattern: string): (name: string) => boolean {
  // Runs of wildcards collapse: "%%" is "%", any run with a "*" is "*".
  const tokens: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const last = tokens.length - 1;
    if (isWildcard(c) && last >= 0 && isWildcard(tokens[last])) {
      if (c === '*') tokens[last] = '*';
    } else {
      tokens.push(c);
    }
  }
  if (tokens.filter(isWildcard).length > MAX_WILDCARDS) throw new ParseError(`more than ${MAX_WILDCARDS} wildcards in a mailbox pattern`);
  const n = tokens.length;
  let reached = new Uint8Array(n + 1);
  let step = new Uint8Array(n + 1);
  // A wildcard may match nothing: reaching it reaches what follows it.
  const close = (set: Uint8Array) => {
    for (let i = 0; i < n; i++) if (set[i] && isWildcard(tokens[i])) set[i + 1] = 1;
  };
  return (name) => {
    reached.fill(0);
    reached[0] = 1;
    close(reached);
    for (let k = 0; k < name.length; k++) {
      const c = name[k];
      step.fill(0);
      let alive = false;
      for (let i = 0; i < n; i++) {
        if (!reached[i]) continue;
        const t = tokens[i];
        if (t === '*' || (t === '%' && c !== HIERARCHY_DELIMITER)) step[i] = 1;
        else if (t === c) step[i + 1] = 1;
        else continue;
        alive = true;
      }
      if (!alive) return false;
      close(step);
      [reached, step] = [step, reached];
    }
    return reached[n] === 1;
  };
}

/** The hierarchy delimiter and root (RFC 3501 §6.3.8: an empty pattern). */
export function writeDelimiter(session: Session, verb: string): void {
  session.writer.untagged(`${verb} (\\Noselect) "${HIERARCHY_DELIMITER}" ""`);
}

export function writeListLine(session: Session, verb: string, name: string, attrs: readonly string[], extra = ''): void {
  session.writer.untagged(`${verb} (${attrs.join(' ')}) "${HIERARCHY_DELIMITER}" ${mailboxName(name, session.utf8)}${extra}`);
}

/** The names that have a mailbox below them: \HasChildren (RFC 3348 / RFC 5258 §4). */
export function namesWithChildren(names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of names) for (const parent of parentNames(name)) out.add(parent);
  return out;
}

export const childrenAttribute = (parents: Set<string>, name: string): string => (parents.has(name) ? '\\HasChildren' : '\\HasNoChildren');

export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function lsubCommand(session: Session, reference: string | null, pattern: string | null): Promise<void> {
  if (pattern === '') return writeDelimiter(session, 'LSUB');
  if (reference === null || pattern === null) return;
  const match = patternMatcher(reference, pattern);
  const accountId = session.account!.id;
  const boxes = await listMailboxes(session.deps.store, accountId);
  const parents = namesWithChildren(boxes.map((b) => b.name));
  const out = new Map<string, string[]>();
  for (const box of boxes) {
    if (!box.subscribed || !match.test(box.name)) continue;
    const attrs: string[] = [];
    if (box.noselect) attrs.push('\\Noselect');
    attrs.push(childrenAttribute(parents, box.name));
    out.set(box.name, attrs);
  }
  // Subscriptions whose mailbox was deleted stay listed (RFC 3501 §6.3.9: LSUB
  // lists subscribed names, existing or not).
  const kept = await listKeptSubscriptions(session.deps.store, accountId);
  for (const name of kept) {
    if (match.test(name)) out.set(name, [childrenAttribute(parents, name)]);
  }
  // RFC 3501 §6.3.9: when "%" stops above a subscribed name, the level it stops
  // at is returned too, flagged \Noselect if it is not itself subscribed, e.g.
  // "a/%" gives "a/b" for a subscribed "a/b/c".
  if (match.stopsAtLevels) {
    const subscribed = [...boxes.filter((b) => b.subscribed).map((b) => b.name), ...kept];
    for (const name of subscribed) {
      if (match.test(name)) continue;
      for (const parent of parentNames(name)) {
        if (!out.has(parent) && match.test(parent)) out.set(parent, ['\\Noselect', '\\HasChildren']);
      }
    }
  }
  for (const name of [...out.keys()].sort(byName)) writeListLine(session, 'LSUB', name, out.get(name)!);
}
