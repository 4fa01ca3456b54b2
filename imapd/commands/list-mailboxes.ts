// Shared by LIST and LSUB (RFC 3501 §6.3.8–9): reference + pattern with "*"
// (any characters) and "%" (no hierarchy delimiter); CHILDREN (RFC 3348) and
// SPECIAL-USE (RFC 6154) attributes.
import { HIERARCHY_DELIMITER, listMailboxes, normalizeMailboxName, parentNames } from '../../schema/index.ts';
import { string } from '../render/quote.ts';
import type { Args } from '../parser/args.ts';
import type { Session } from '../session.ts';
import { encodeMailboxName } from '../utf7.ts';

/** null: not valid modified UTF-7, so nothing matches (Dovecot lists nothing rather than answering BAD). */
export function parseList(args: Args): { reference: string | null; pattern: string | null } {
  const reference = args.mailboxToFind();
  const pattern = args.mailboxToFind();
  args.end();
  return { reference, pattern };
}

function patternRegex(pattern: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

export async function listCommand(session: Session, reference: string | null, pattern: string | null, lsub: boolean): Promise<void> {
  const verb = lsub ? 'LSUB' : 'LIST';
  if (pattern === '') {
    // RFC 3501 §6.3.8: the hierarchy delimiter and root name.
    session.writer.untagged(`${verb} (\\Noselect) "${HIERARCHY_DELIMITER}" ""`);
    return;
  }
  if (reference === null || pattern === null) return;
  let full = reference && !reference.endsWith(HIERARCHY_DELIMITER) && !pattern.startsWith(HIERARCHY_DELIMITER) ? `${reference}${HIERARCHY_DELIMITER}${pattern}` : reference + pattern;
  full = normalizeMailboxName(full);
  const re = patternRegex(full);
  const reInbox = /^inbox$/i.test(full) ? /^INBOX$/ : null;
  const matches = (name: string) => re.test(name) || !!reInbox?.test(name);
  const boxes = await listMailboxes(session.deps.store, session.account!.id);
  const names = new Set(boxes.map((b) => b.name));
  // LIST names every mailbox, LSUB only the subscribed ones.
  const listed = lsub ? boxes.filter((b) => b.subscribed) : boxes;
  const out = new Map<string, string[]>();
  for (const box of listed) {
    if (!matches(box.name)) continue;
    const hasChildren = [...names].some((n) => n.startsWith(box.name + HIERARCHY_DELIMITER));
    const attrs: string[] = [];
    if (box.noselect) attrs.push('\\Noselect');
    attrs.push(hasChildren ? '\\HasChildren' : '\\HasNoChildren');
    if (box.special_use && !lsub) attrs.push(box.special_use);
    out.set(box.name, attrs);
  }
  // RFC 3501 §6.3.8–9: when "%" stops above a listed name, the level it stops
  // at is returned too, flagged \Noselect if it is not itself listed (for LSUB:
  // subscribed), e.g. "a/%" gives "a/b" for a subscribed "a/b/c".
  if (full.includes('%')) {
    for (const box of listed) {
      if (matches(box.name)) continue;
      for (const parent of parentNames(box.name)) {
        if (!out.has(parent) && matches(parent)) out.set(parent, ['\\Noselect', '\\HasChildren']);
      }
    }
  }
  for (const name of [...out.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    session.writer.untagged(`${verb} (${out.get(name)!.join(' ')}) "${HIERARCHY_DELIMITER}" ${string(encodeMailboxName(name))}`);
  }
}
