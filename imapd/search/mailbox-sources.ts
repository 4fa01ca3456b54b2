// Which mailboxes an ESEARCH command searches (RFC 7377 §2.2, MULTISEARCH):
// the source options `IN (…)` are the mailbox specifiers of NOTIFY (RFC 5465
// §6) plus `subtree-one`, without `selected-delayed`:
//
//   selected             the selected mailbox (the default without IN)
//   personal             every selectable mailbox of the account (RFC 5465 §6.2)
//   inboxes              where Heron's SMTP delivers: INBOX and the \Junk mailbox (§6.3)
//   subscribed           the subscribed selectable mailboxes (§6.4)
//   subtree a / (a b)    each named mailbox and every selectable one below it (§6.5)
//   subtree-one a        each named mailbox and its children, one level down (RFC 7377 §2.2)
//   mailboxes a / (a b)  exactly the named mailboxes, no wildcards (§6.6)
//
// An account sees only its own mailboxes, so a name that does not exist or is
// \Noselect is skipped silently, like one the user may not read (RFC 7377 §2.2:
// no response for it, and nothing that tells the two apart). Names come from
// the store, not a file system, so a subtree cannot loop.
import { HIERARCHY_DELIMITER, listMailboxes, listUids, type MailBoxRow, normalizeMailboxName, type Store } from '../../schema/index.ts';
import { Args } from '../parser/args.ts';
import { ParseError } from '../parser/tokens.ts';
import type { SearchView } from './evaluate.ts';

export type MailboxSource =
  | { kind: 'selected' | 'personal' | 'inboxes' | 'subscribed' }
  /** null: a name that is not valid modified UTF-7, which no mailbox has. */
  | { kind: 'mailboxes' | 'subtree' | 'subtree-one'; names: Array<string | null> };

/** The `IN (…)` source options of an ESEARCH command, if it has them. */
export function readSourceOptions(args: Args): MailboxSource[] | null {
  const first = args.peek();
  if (first?.t !== 'atom' || first.v.toUpperCase() !== 'IN') return null;
  args.next('IN');
  const inner = new Args(args.list('source options'), args.utf8Names);
  const sources: MailboxSource[] = [];
  while (inner.more) {
    if (inner.peek()?.t === 'list') {
      // RFC 7377 §4: scope options close the list; none are defined yet.
      const scope = inner.list('scope options');
      throw new ParseError(scope.length ? 'unknown scope option' : 'empty scope options');
    }
    const kind = inner.atom('mailbox specifier').toLowerCase();
    switch (kind) {
      case 'selected':
      case 'personal':
      case 'inboxes':
      case 'subscribed':
        sources.push({ kind });
        break;
      case 'mailboxes':
      case 'subtree':
      case 'subtree-one': {
        const names: Array<string | null> = [];
        if (inner.peek()?.t === 'list') {
          const list = new Args(inner.list('mailbox list'), args.utf8Names);
          while (list.more) names.push(list.mailboxToFind());
          if (names.length === 0) throw new ParseError('empty mailbox list');
        } else names.push(inner.mailboxToFind());
        sources.push({ kind, names });
        break;
      }
      case 'selected-delayed':
        throw new ParseError('selected-delayed is not a source for ESEARCH (RFC 7377 §2.2)');
      default:
        throw new ParseError(`unknown mailbox specifier ${kind.slice(0, 30)}`);
    }
  }
  if (sources.length === 0) throw new ParseError('empty source options');
  return sources;
}

/** The selectable mailboxes the sources name, each once, in name order. */
export async function mailboxesOf(store: Store, accountId: number, selectedId: number | null, sources: readonly MailboxSource[]): Promise<MailBoxRow[]> {
  const boxes = (await listMailboxes(store, accountId)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const chosen = new Set<number>();
  const pick = (test: (box: MailBoxRow) => boolean) => boxes.forEach((box) => test(box) && chosen.add(box.id));
  /** Index of the first mailbox whose name is not below `name` (names are sorted, so a subtree is a run from there). */
  const from = (name: string) => {
    let lo = 0;
    let hi = boxes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (boxes[mid].name < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const source of sources) {
    switch (source.kind) {
      case 'selected':
        if (selectedId !== null) chosen.add(selectedId);
        break;
      case 'personal':
        pick(() => true);
        break;
      case 'inboxes':
        pick((box) => box.name === 'INBOX' || box.special_use === '\\Junk');
        break;
      case 'subscribed':
        pick((box) => !!box.subscribed);
        break;
      default:
        // Each name once, looked up by binary search: a long list of names costs little.
        for (const name of new Set(source.names)) {
          if (name === null) continue;
          const root = normalizeMailboxName(name);
          const exact = boxes[from(root)];
          if (exact?.name === root) chosen.add(exact.id);
          if (source.kind === 'mailboxes') continue;
          const prefix = root + HIERARCHY_DELIMITER;
          for (let i = from(prefix); i < boxes.length && boxes[i].name.startsWith(prefix); i++) {
            if (source.kind === 'subtree' || !boxes[i].name.slice(prefix.length).includes(HIERARCHY_DELIMITER)) chosen.add(boxes[i].id);
          }
        }
    }
  }
  return boxes.filter((box) => chosen.has(box.id) && !box.noselect);
}

/**
 * A mailbox that is not selected, seen as a search sees the selected one: all
 * its messages in UID order, \Recent for those no session has claimed yet (as
 * STATUS RECENT counts them), and no saved result.
 */
export async function mailboxView(store: Store, box: MailBoxRow): Promise<SearchView> {
  const uids = await listUids(store, box.id);
  return { deps: { store }, selected: { mailbox: box, uids, recent: new Set(uids.filter((uid) => uid > box.recent_uid)) } };
}
