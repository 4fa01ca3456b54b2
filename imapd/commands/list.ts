// LIST (RFC 3501 §6.3.8), extended (RFC 5258): selection options SUBSCRIBED,
// REMOTE, RECURSIVEMATCH and SPECIAL-USE (RFC 6154), return options SUBSCRIBED,
// CHILDREN, SPECIAL-USE, STATUS (RFC 5819) and METADATA (RFC 9590), several patterns.
import { listKeptSubscriptions, listMailboxes, parentNames } from '../../schema/index.ts';
import { parseListArgs } from '../parser/list-args.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';
import { lookupEntries, writeMetadata } from './metadata-entries.ts';
import { byName, childrenAttribute, namesWithChildren, patternMatcher, writeDelimiter, writeListLine } from './list-mailboxes.ts';
import { checkStatusItems, parseStatusItems, writeStatus } from './status.ts';

export default defineCommand({
  name: 'LIST',
  states: AUTHENTICATED,
  parse(args) {
    const list = parseListArgs(args);
    // Items asked for twice are answered once.
    return { ...list, statusItems: list.returns.status && [...new Set(parseStatusItems(list.returns.status))] };
  },
  async run(session, { extended, select, returns, reference, patterns, statusItems }) {
    if (statusItems) checkStatusItems(session, statusItems);
    if (!extended && patterns[0] === '') return writeDelimiter(session, 'LIST');
    if (reference === null) return;
    // RFC 5258 §3: in an extended LIST "" asks for nothing; a pattern that is not
    // modified UTF-7 names nothing.
    const matchers = patterns.filter((p): p is string => p !== null && p !== '').map((p) => patternMatcher(reference, p));
    if (matchers.length === 0) return;
    const matches = (name: string) => matchers.some((m) => m.test(name));

    const store = session.deps.store;
    const accountId = session.account!.id;
    const boxes = new Map((await listMailboxes(store, accountId)).map((b) => [b.name, b]));
    const parents = namesWithChildren(boxes.keys());
    // Subscribed names without a mailbox: only SUBSCRIBED lists or marks them.
    const kept = new Set(returns.subscribed ? (await listKeptSubscriptions(store, accountId)).filter((n) => !boxes.has(n)) : []);

    // RFC 5258 §3: a name is selected when it satisfies every selection option;
    // with none (or only REMOTE: Heron has no remote mailboxes), every mailbox.
    const isSelected = (name: string): boolean => {
      const box = boxes.get(name);
      if (!box) return select.subscribed && !select.specialUse && kept.has(name);
      return (!select.subscribed || box.subscribed) && (!select.specialUse || box.special_use !== null);
    };
    const candidates = [...boxes.keys(), ...kept];
    /** Listed names, true when they carry CHILDINFO. */
    const out = new Map<string, boolean>();
    for (const name of candidates) if (isSelected(name) && matches(name)) out.set(name, false);
    if (select.recursiveMatch) {
      // RFC 5258 §3.5: a name matching the pattern whose descendant satisfies the
      // selection but is not listed (it does not match) comes with CHILDINFO,
      // whether or not it is selected itself.
      for (const name of candidates) {
        if (!isSelected(name) || matches(name)) continue;
        for (const parent of parentNames(name)) if (matches(parent)) out.set(parent, true);
      }
    } else if (!select.subscribed && !select.specialUse && matchers.some((m) => m.stopsAtLevels)) {
      // RFC 3501 §6.3.8: the level "%" stops at above a listed mailbox is listed
      // too, even when no mailbox has that name.
      for (const name of boxes.keys()) {
        if (matches(name)) continue;
        for (const parent of parentNames(name)) if (!out.has(parent) && matches(parent)) out.set(parent, false);
      }
    }

    for (const name of [...out.keys()].sort(byName)) {
      const box = boxes.get(name);
      const attrs: string[] = [];
      // RFC 5258 §3: in an extended LIST a name without a mailbox is \NonExistent
      // (which implies \Noselect); rev1 clients know only \Noselect. RFC 9051 §7.3.1:
      // IMAP4rev2 has \NonExistent in every LIST.
      if (!box) attrs.push(extended || session.rev2 ? '\\NonExistent' : '\\Noselect');
      else if (box.noselect) attrs.push('\\Noselect');
      // RFC 5258 §4 and RFC 6154 let these come without the CHILDREN and
      // SPECIAL-USE return options; a rev1 LIST has always had them.
      attrs.push(childrenAttribute(parents, name));
      if (returns.subscribed && (box ? box.subscribed : kept.has(name))) attrs.push('\\Subscribed');
      if (box?.special_use) attrs.push(box.special_use);
      writeListLine(session, 'LIST', name, attrs, out.get(name) ? ' ("CHILDINFO" ("SUBSCRIBED"))' : '');
      // RFC 9590 §3: each selectable mailbox's entries follow its LIST line, NIL for those without a value.
      if (returns.metadata && box && !box.noselect) writeMetadata(session, name, (await lookupEntries(session, box.id, returns.metadata, 0)).entries);
      // RFC 5819 §2: STATUS follows the mailbox's LIST line, never for a
      // \Noselect or \NonExistent name.
      if (statusItems && box && !box.noselect) await writeStatus(session, box, statusItems);
    }
  },
});
