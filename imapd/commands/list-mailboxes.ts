// Shared by LIST and LSUB (RFC 3501 §6.3.8–9): reference + pattern with "*"
// (any characters) and "%" (no hierarchy delimiter); CHILDREN (RFC 3348) and
// SPECIAL-USE (RFC 6154) attributes.
import { HIERARCHY_DELIMITER, listMailboxes, normalizeMailboxName } from '../../schema/index.ts';
import { string } from '../render/quote.ts';
import type { Args } from '../parser/args.ts';
import type { Session } from '../session.ts';
import { encodeMailboxName } from '../utf7.ts';

export function parseList(args: Args): { reference: string; pattern: string } {
  const reference = args.mailbox();
  const pattern = args.mailbox();
  args.end();
  return { reference, pattern };
}

function patternRegex(pattern: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

export async function listCommand(session: Session, reference: string, pattern: string, lsub: boolean): Promise<void> {
  const verb = lsub ? 'LSUB' : 'LIST';
  if (pattern === '') {
    // RFC 3501 §6.3.8: the hierarchy delimiter and root name.
    session.writer.untagged(`${verb} (\\Noselect) "${HIERARCHY_DELIMITER}" ""`);
    return;
  }
  let full = reference && !reference.endsWith(HIERARCHY_DELIMITER) && !pattern.startsWith(HIERARCHY_DELIMITER) ? `${reference}${HIERARCHY_DELIMITER}${pattern}` : reference + pattern;
  full = normalizeMailboxName(full);
  const re = patternRegex(full);
  const reInbox = /^inbox$/i.test(full) ? /^INBOX$/ : null;
  const boxes = await listMailboxes(session.deps.store, session.account!.id);
  const names = new Set(boxes.map((b) => b.name));
  for (const box of boxes) {
    if (!re.test(box.name) && !reInbox?.test(box.name)) continue;
    if (lsub && !box.subscribed) continue;
    const hasChildren = [...names].some((n) => n.startsWith(box.name + HIERARCHY_DELIMITER));
    const attrs: string[] = [];
    if (box.noselect) attrs.push('\\Noselect');
    attrs.push(hasChildren ? '\\HasChildren' : '\\HasNoChildren');
    if (box.special_use && !lsub) attrs.push(box.special_use);
    session.writer.untagged(`${verb} (${attrs.join(' ')}) "${HIERARCHY_DELIMITER}" ${string(encodeMailboxName(box.name))}`);
  }
}
