// NOTIFY's arguments (RFC 5465 §8): which mailboxes are watched for which
// events. Parsing only; the Notifier (notifier.ts) acts on the result.
import { normalizeMailboxName } from '../../schema/index.ts';
import { Args } from '../parser/args.ts';
import { type FetchItem, parseFetchItems } from '../parser/fetch-items.ts';
import { ParseError, type Token } from '../parser/tokens.ts';
import { ImapResponse } from '../response.ts';

/** The events of one event group. MessageNew and MessageExpunge always come together (§5), so they are one flag. */
export interface EventSet {
  messages: boolean;
  flags: boolean;
  mailboxName: boolean;
  subscription: boolean;
  mailboxMetadata: boolean;
  serverMetadata: boolean;
}

export type MailboxFilter = { kind: 'inboxes' | 'personal' | 'subscribed' } | { kind: 'subtree' | 'mailboxes'; names: string[] };

export interface SelectedSpec {
  /** SELECTED-DELAYED (§6.1.2): expunges wait for a command that may report them. */
  delayed: boolean;
  events: EventSet;
  /** MessageNew's fetch attributes (§5.2), or null. */
  fetch: FetchItem[] | null;
}

export interface NotifySpec {
  /** The STATUS indicator (§3.1): a STATUS for each watched mailbox before the tagged OK. */
  status: boolean;
  selected: SelectedSpec | null;
  groups: Array<{ filter: MailboxFilter; events: EventSet }>;
}

/** Every event Heron reports, as listed in [BADEVENT] (§3.1). AnnotationChange is not among them: Heron has no ANNOTATE. */
export const SUPPORTED_EVENTS = ['MessageNew', 'MessageExpunge', 'FlagChange', 'MailboxName', 'SubscriptionChange', 'MailboxMetadataChange', 'ServerMetadataChange'];

const MESSAGE_EVENTS = new Set(['MESSAGENEW', 'MESSAGEEXPUNGE', 'FLAGCHANGE', 'ANNOTATIONCHANGE']);

/** Parses `NONE` (null) or `SET [STATUS] group…`; BAD for what §5 and §6.1 forbid, NO [BADEVENT] for events Heron lacks. */
export function parseNotify(args: Args): NotifySpec | null {
  const verb = args.atom('SET or NONE').toUpperCase();
  if (verb === 'NONE') {
    args.end();
    return null;
  }
  if (verb !== 'SET') throw new ParseError('expected SET or NONE');
  const spec: NotifySpec = { status: false, selected: null, groups: [] };
  const first = args.peek();
  if (first?.t === 'atom' && first.v.toUpperCase() === 'STATUS') {
    args.next('STATUS');
    spec.status = true;
  }
  if (!args.more) throw new ParseError('missing event group');
  let unsupported = false;
  while (args.more) {
    const group = new Args(args.list('event group'), args.utf8Names);
    const filter = group.atom('mailbox filter').toUpperCase();
    const selected = filter === 'SELECTED' || filter === 'SELECTED-DELAYED';
    let mailboxFilter: MailboxFilter | null = null;
    if (filter === 'INBOXES' || filter === 'PERSONAL' || filter === 'SUBSCRIBED') mailboxFilter = { kind: filter.toLowerCase() as 'inboxes' | 'personal' | 'subscribed' };
    else if (filter === 'SUBTREE' || filter === 'MAILBOXES') mailboxFilter = { kind: filter === 'SUBTREE' ? 'subtree' : 'mailboxes', names: mailboxNames(group.next('mailbox'), group.utf8Names) };
    else if (!selected) throw new ParseError(`unknown mailbox filter ${filter}`);
    const { events, fetch, unknown } = parseEvents(eventsToken(group), selected);
    unsupported ||= unknown;
    if (selected) {
      // §6.1: only one of SELECTED and SELECTED-DELAYED in a command.
      if (spec.selected) throw new ParseError('SELECTED or SELECTED-DELAYED given twice');
      spec.selected = { delayed: filter === 'SELECTED-DELAYED', events, fetch };
    } else spec.groups.push({ filter: mailboxFilter!, events });
  }
  // §3.1: an event Heron does not support is NO (not BAD), naming every event it does.
  if (unsupported) throw new ImapResponse('NO', 'Unsupported NOTIFY event', `BADEVENT (${SUPPORTED_EVENTS.join(' ')})`);
  return spec;
}

/** one-or-more-mailbox: names as stored (INBOX in any case is INBOX); one that is not modified UTF-7 (UTF-8 with utf8Names) names no mailbox. */
function mailboxNames(tok: Token, utf8Names: boolean): string[] {
  const names = new Args(tok.t === 'list' ? tok.v : [tok], utf8Names);
  const out: string[] = [];
  while (names.more) {
    const name = names.mailboxToFind();
    if (name !== null) out.push(normalizeMailboxName(name));
  }
  if (out.length === 0 && tok.t === 'list' && tok.v.length === 0) throw new ParseError('empty mailbox list');
  return out;
}

/**
 * The group's events: a list, or NONE. The RFC's own examples (§3.1, §6) write
 * the events of a group without their parentheses, "(selected MessageNew
 * (uid) MessageExpunge)"; clients copied from them are understood too.
 */
function eventsToken(group: Args): Token {
  const first = group.next('events');
  if (first.t !== 'atom' || first.v.toUpperCase() === 'NONE') {
    group.end();
    return first;
  }
  const rest: Token[] = [first];
  while (group.more) rest.push(group.next('event'));
  return { t: 'list', v: rest };
}

function parseEvents(tok: Token, selected: boolean): { events: EventSet; fetch: FetchItem[] | null; unknown: boolean } {
  const events: EventSet = { messages: false, flags: false, mailboxName: false, subscription: false, mailboxMetadata: false, serverMetadata: false };
  if (tok.t === 'atom' && tok.v.toUpperCase() === 'NONE') return { events, fetch: null, unknown: false };
  if (tok.t !== 'list' || tok.v.length === 0) throw new ParseError('expected an event list or NONE');
  const seen = new Set<string>();
  let fetch: FetchItem[] | null = null;
  let unknown = false;
  const items = tok.v;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.t !== 'atom') throw new ParseError('expected an event name');
    const name = item.v.toUpperCase();
    seen.add(name);
    if (name === 'MESSAGENEW' && items[i + 1]?.t === 'list') {
      // §8: the fetch-att list only for SELECTED/SELECTED-DELAYED.
      if (!selected) throw new ParseError('MessageNew fetch attributes need SELECTED or SELECTED-DELAYED');
      fetch = parseFetchItems(items[++i]);
    }
    // §6.1: SELECTED and SELECTED-DELAYED take message events only.
    if (selected && !MESSAGE_EVENTS.has(name)) throw new ParseError(`${item.v} is not a message event`);
    if (name === 'MAILBOXNAME') events.mailboxName = true;
    else if (name === 'SUBSCRIPTIONCHANGE') events.subscription = true;
    else if (name === 'MAILBOXMETADATACHANGE') events.mailboxMetadata = true;
    else if (name === 'SERVERMETADATACHANGE') events.serverMetadata = true;
    else if (name === 'FLAGCHANGE') events.flags = true;
    else if (name !== 'MESSAGENEW' && name !== 'MESSAGEEXPUNGE') unknown = true;
  }
  const messageNew = seen.has('MESSAGENEW');
  // §5: MessageNew and MessageExpunge together or not at all; FlagChange and AnnotationChange need both.
  if (messageNew !== seen.has('MESSAGEEXPUNGE')) throw new ParseError('MessageNew and MessageExpunge go together');
  if ((seen.has('FLAGCHANGE') || seen.has('ANNOTATIONCHANGE')) && !messageNew) throw new ParseError('FlagChange and AnnotationChange need MessageNew and MessageExpunge');
  events.messages = messageNew;
  return { events, fetch, unknown };
}
