// One session's NOTIFY (RFC 5465): which of its account's mailboxes it
// watches for which events, what waits to be told, and how it is told.
//
// Store events (through the hub) only mark what is due: a mailbox whose
// STATUS may have changed, the mailbox list to compare again, METADATA
// entries. What is written is read from the store when the session may send
// it (Session.pushNotifications, the end of each command, IDLE), so changes
// coalesce: a mailbox that got 1,000 messages while the client was busy gets
// one STATUS. The mailbox list is compared with the one last seen (by id), so
// CREATE, DELETE, RENAME and (UN)SUBSCRIBE by any session on any node come out
// as the LIST responses of §5.4 and §5.5. What waits is bounded: past
// MAX_BEHIND changes not yet written the session gets [NOTIFICATIONOVERFLOW] (§5.8).
import { listKeptSubscriptions, listMailboxes, mailboxStatus, type MailBoxRow, type MailboxChanged, type MetadataChanged, parentNames, StoreError } from '../../schema/index.ts';
import { childrenAttribute, namesWithChildren, writeListLine } from '../commands/list-mailboxes.ts';
import { mailboxName } from '../render/mailbox-name.ts';
import { astring } from '../render/quote.ts';
import type { Notifications, Session } from '../session.ts';
import { fetchUnasked } from './fetch-unasked.ts';
import { type AccountWatcher, notifyHub } from './hub.ts';
import type { EventSet, MailboxFilter, NotifySpec } from './spec.ts';

/** Changes (store events for the account) a session may have waiting before NOTIFY is switched off for it (RFC 5465 §5.8). */
export const MAX_BEHIND = 500;

interface Known {
  name: string;
  subscribed: boolean;
  noselect: boolean;
  specialUse: string | null;
}

interface Counters {
  messages: number;
  uidnext: number;
  uidvalidity: number;
  highestmodseq: number;
}

/** The account's mailboxes as last seen, by id, and its subscriptions kept for names without a mailbox. */
interface Snapshot {
  boxes: Map<number, Known>;
  kept: Set<string>;
}

const NO_EVENTS: EventSet = { messages: false, flags: false, mailboxName: false, subscription: false, mailboxMetadata: false, serverMetadata: false };

export class Notifier implements Notifications, AccountWatcher {
  readonly accountId: number;
  readonly selectedPush: Notifications['selectedPush'];
  private snapshot: Snapshot = { boxes: new Map(), kept: new Set() };
  /** What each watched mailbox's STATUS said last (sent, or read when NOTIFY was set). */
  private readonly counters = new Map<number, Counters>();
  private readonly statusDue = new Set<number>();
  private listDue = false;
  private readonly metadataDue = new Map<string, MetadataChanged>();
  /** Changes seen since the last flush began. */
  private behind = 0;
  private stopped = false;

  private constructor(
    private readonly session: Session,
    private readonly spec: NotifySpec,
  ) {
    this.accountId = session.account!.id;
    const selected = spec.selected;
    this.selectedPush = selected?.events.messages ? (selected.delayed ? 'delayed' : 'immediate') : 'none';
  }

  /**
   * NOTIFY SET: watching starts before anything is read, so no change is
   * missed; with the STATUS indicator (§3.1) each watched mailbox's STATUS is
   * written now, before the tagged OK.
   */
  static async start(session: Session, spec: NotifySpec): Promise<Notifier> {
    const notifier = new Notifier(session, spec);
    notifyHub(session.deps.store).add(notifier);
    try {
      notifier.snapshot = await notifier.readSnapshot();
      for (const [id, box] of notifier.snapshot.boxes) {
        if (!notifier.watchesMessages(id, box)) continue;
        const counters = await notifier.readCounters(id);
        if (!counters) continue;
        notifier.counters.set(id, counters);
        if (spec.status) notifier.writeStatus(box.name, counters);
      }
    } catch (err) {
      notifier.stop();
      throw err;
    }
    return notifier;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    notifyHub(this.session.deps.store).remove(this);
  }

  get pending(): boolean {
    return !this.stopped && (this.listDue || this.statusDue.size > 0 || this.metadataDue.size > 0);
  }

  // ---------------------------------------------------------------- store events (no I/O)

  mailboxChanged(change: MailboxChanged): void {
    // The selected mailbox's news come from its view (SELECTED overrides every other filter for it, §3.1).
    if (change.mailboxId === this.session.selected?.mailbox.id) return;
    const box = this.snapshot.boxes.get(change.mailboxId);
    // A mailbox not seen yet (created since the list was last read): the list is read first, then it is looked at.
    if (!box) this.listDue = true;
    else if (!this.watchesMessages(change.mailboxId, box)) return;
    this.statusDue.add(change.mailboxId);
    this.noted();
  }

  mailboxesChanged(): void {
    this.listDue = true;
    this.noted();
  }

  subscriptionsChanged(): void {
    this.listDue = true;
    this.noted();
  }

  metadataChanged(change: MetadataChanged): void {
    const wanted =
      change.mailboxId === null
        ? this.spec.groups.some((g) => g.events.serverMetadata)
        : this.eventsFor(this.snapshot.boxes.get(change.mailboxId), this.snapshot).mailboxMetadata;
    if (!wanted) return;
    this.metadataDue.set(`${change.mailboxId ?? ''}\0${change.entry}`, change);
    this.noted();
  }

  resync(): void {
    this.listDue = true;
    for (const [id, box] of this.snapshot.boxes) if (this.watchesMessages(id, box)) this.statusDue.add(id);
    this.noted();
  }

  private noted(): void {
    if (this.stopped) return;
    if (++this.behind > MAX_BEHIND) return this.overflow();
    this.session.pushNotifications();
  }

  /** §5.8: the client fell too far behind: it is told, and NOTIFY is off as after NOTIFY NONE. */
  private overflow(): void {
    this.stop();
    if (this.session.notifications === this) this.session.notifications = null;
    this.session.writer.untagged('OK [NOTIFICATIONOVERFLOW] Too many notifications waiting; NOTIFY is off');
  }

  // ---------------------------------------------------------------- writing

  async flush(): Promise<void> {
    if (this.stopped) return;
    this.behind = 0;
    if (this.listDue) {
      this.listDue = false;
      await this.reportListChanges();
    }
    const due = [...this.statusDue];
    this.statusDue.clear();
    for (const id of due) await this.reportStatus(id);
    const entries = [...this.metadataDue.values()];
    this.metadataDue.clear();
    for (const change of entries) this.reportMetadata(change);
  }

  /** §5.2: the fetch attributes SELECTED's MessageNew asked for, for the messages above `afterUid`. */
  async messagesArrived(afterUid: number): Promise<void> {
    const items = this.spec.selected?.fetch;
    const uids = this.session.selected?.uids;
    if (this.stopped || this.selectedPush === 'none' || !items || !uids || uids.length === 0) return;
    const last = uids[uids.length - 1];
    if (last > afterUid) await fetchUnasked(this.session, [{ from: afterUid + 1, to: last }], items);
  }

  /**
   * §5.1–5.3: STATUS for a watched mailbox that changed: MESSAGES, UIDNEXT and
   * UIDVALIDITY, with HIGHESTMODSEQ once CONDSTORE is on. A flag change alone
   * is told only with CONDSTORE and FlagChange (without UNSEEN, §5.1 says nothing is sent).
   */
  private async reportStatus(id: number): Promise<void> {
    const box = this.snapshot.boxes.get(id);
    if (!box || id === this.session.selected?.mailbox.id || !this.watchesMessages(id, box)) return;
    const now = await this.readCounters(id);
    if (!now) return;
    const before = this.counters.get(id);
    const counted = !before || before.messages !== now.messages || before.uidnext !== now.uidnext || before.uidvalidity !== now.uidvalidity;
    const flagged = this.session.condstore && this.eventsFor(box, this.snapshot).flags && before?.highestmodseq !== now.highestmodseq;
    this.counters.set(id, now);
    if (counted || flagged) this.writeStatus(box.name, now);
  }

  private writeStatus(name: string, c: Counters): void {
    const modseq = this.session.condstore ? ` HIGHESTMODSEQ ${c.highestmodseq}` : '';
    this.session.writer.untagged(`STATUS ${mailboxName(name, this.session.utf8)} (MESSAGES ${c.messages} UIDNEXT ${c.uidnext} UIDVALIDITY ${c.uidvalidity}${modseq})`);
  }

  /** RFC 5464 §4.4.2 via RFC 5465 §5.6–5.7: the names of changed entries, without values. */
  private reportMetadata(change: MetadataChanged): void {
    let mailbox = '';
    if (change.mailboxId !== null) {
      const box = this.snapshot.boxes.get(change.mailboxId);
      if (!box) return;
      mailbox = box.name;
    }
    this.session.writer.untagged(`METADATA ${mailboxName(mailbox, this.session.utf8)} ${astring(change.entry)}`);
  }

  /**
   * §5.4 and §5.5: the mailbox list now against the one last seen. A new id
   * is a CREATE, a missing one a DELETE, a new name for an id a RENAME (its
   * children's new names are not told again); the direct parent of a created
   * or deleted mailbox is affected too. A name whose subscription changed
   * otherwise gets a LIST with \Subscribed if and only if it is subscribed.
   */
  private async reportListChanges(): Promise<void> {
    const before = this.snapshot;
    const after = await this.readSnapshot();
    this.snapshot = after;
    const parents = namesWithChildren([...after.boxes.values()].map((b) => b.name));
    const byName = new Map([...after.boxes.values()].map((b) => [b.name, b]));
    const told = new Set<string>();
    const tell = (name: string, extra = '') => {
      if (told.has(name)) return;
      told.add(name);
      const box = byName.get(name);
      const attrs: string[] = [];
      if (!box) attrs.push('\\NonExistent');
      else if (box.noselect) attrs.push('\\Noselect');
      attrs.push(childrenAttribute(parents, name));
      if (box ? box.subscribed : after.kept.has(name)) attrs.push('\\Subscribed');
      if (box?.specialUse) attrs.push(box.specialUse);
      writeListLine(this.session, 'LIST', name, attrs, extra);
    };
    const tellWithParent = (name: string) => {
      tell(name);
      const parent = parentNames(name).at(-1);
      if (parent !== undefined) tell(parent);
    };
    const renamedFrom: string[] = [];
    for (const [id, old] of before.boxes) {
      const now = after.boxes.get(id);
      if (now && now.name !== old.name) renamedFrom.push(old.name);
    }
    for (const [id, old] of before.boxes) {
      const now = after.boxes.get(id);
      const named = this.eventsFor(old, before).mailboxName || (now !== undefined && this.eventsFor(now, after).mailboxName);
      if (!named) continue;
      if (!now) tellWithParent(old.name);
      else if (now.name !== old.name) {
        if (!renamedFrom.some((o) => old.name.startsWith(o + '/'))) tell(now.name, ` ("OLDNAME" (${mailboxName(old.name, this.session.utf8)}))`);
      } else if (now.noselect !== old.noselect) tell(now.name);
    }
    for (const [id, now] of after.boxes) if (!before.boxes.has(id) && this.eventsFor(now, after).mailboxName) tellWithParent(now.name);
    // Subscriptions, by name (a kept subscription has no mailbox); a name that
    // came or went with a CREATE, DELETE or RENAME is a MailboxName event, not this.
    const moved = new Set<string>();
    for (const [id, old] of before.boxes) if (after.boxes.get(id)?.name !== old.name) moved.add(old.name);
    for (const [id, now] of after.boxes) if (before.boxes.get(id)?.name !== now.name) moved.add(now.name);
    const subscribed = (s: Snapshot) => new Set([...s.kept, ...[...s.boxes.values()].filter((b) => b.subscribed).map((b) => b.name)]);
    const was = subscribed(before);
    const is = subscribed(after);
    const beforeByName = new Map([...before.boxes.values()].map((b) => [b.name, b]));
    for (const name of new Set([...was, ...is])) {
      if (was.has(name) === is.has(name) || moved.has(name)) continue;
      const box = byName.get(name) ?? beforeByName.get(name) ?? { name, subscribed: false, noselect: true, specialUse: null };
      if (this.eventsFor(box, after).subscription || this.eventsFor(box, before).subscription) tell(name);
    }
  }

  // ---------------------------------------------------------------- which mailboxes

  /** Whether message events of this (unselected) mailbox are watched. */
  private watchesMessages(id: number, box: Known): boolean {
    return !box.noselect && id !== this.session.selected?.mailbox.id && this.eventsFor(box, this.snapshot).messages;
  }

  /** The events every group whose filter takes the mailbox asks for (§6: several groups may apply). */
  private eventsFor(box: Known | undefined, snapshot: Snapshot): EventSet {
    if (!box) return NO_EVENTS;
    const out = { ...NO_EVENTS };
    for (const group of this.spec.groups) {
      if (!filterTakes(group.filter, box, snapshot)) continue;
      for (const key of Object.keys(out) as Array<keyof EventSet>) out[key] ||= group.events[key];
    }
    return out;
  }

  private async readSnapshot(): Promise<Snapshot> {
    const store = this.session.deps.store;
    const rows: MailBoxRow[] = await listMailboxes(store, this.accountId);
    const boxes = new Map(rows.map((r) => [r.id, { name: r.name, subscribed: Boolean(r.subscribed), noselect: Boolean(r.noselect), specialUse: r.special_use }]));
    return { boxes, kept: new Set(await listKeptSubscriptions(store, this.accountId)) };
  }

  /** The counters STATUS reports; null when the mailbox is gone. */
  private async readCounters(id: number): Promise<Counters | null> {
    try {
      const s = await mailboxStatus(this.session.deps.store, id);
      return { messages: s.messages, uidnext: s.uidnext, uidvalidity: s.uidvalidity, highestmodseq: s.highestmodseq };
    } catch (err) {
      if (err instanceof StoreError) return null;
      throw err;
    }
  }
}

/**
 * §6.2–6.6. INBOXES: the mailboxes Heron's delivery writes to (INBOX, and the
 * \Junk mailbox for mail scored as spam). SUBTREE: the mailbox and every one
 * below it. MAILBOXES: exactly these names, no wildcards.
 */
function filterTakes(filter: MailboxFilter, box: Known, snapshot: Snapshot): boolean {
  switch (filter.kind) {
    case 'personal':
      return true;
    case 'inboxes':
      return box.name === 'INBOX' || box.specialUse === '\\Junk';
    case 'subscribed':
      return box.subscribed || snapshot.kept.has(box.name);
    case 'subtree':
      return filter.names.some((n) => box.name === n || box.name.startsWith(n + '/'));
    case 'mailboxes':
      return filter.names.includes(box.name);
  }
}
