// Shared in-memory views of selected mailboxes: the UID, MODSEQ and flags of
// every message, in UID order, kept current from the change journal and
// shared by every IMAP session that has the mailbox selected.
//
// Why: FETCH FLAGS, flag searches, SELECT and the updates sessions report
// (EXISTS, FETCH FLAGS, EXPUNGE) would otherwise read and parse every row of
// the mailbox, once per session; with a view they read memory, and a new
// message wakes 10,000 idle sessions with one journal read, not 10,000.
//
// How it stays correct:
// - The journal (mail_change, keyed by MODSEQ) is the source of truth. A view
//   is at `modseq`: every journal row up to it is applied. `refresh()` pulls
//   the rows above it and re-reads the messages they name; it runs on every
//   change notification and before every read a command makes, so a commit on
//   another node (PostgreSQL) is seen by the next command even if its
//   notification is still on the way. Notifications only make it sooner.
// - Applying is idempotent: a message read in a newer state than `modseq`
//   (committed between the journal read and the message read) is simply
//   applied again by the next pull.
// - Sessions never take in journal rows above their view's `modseq`, so a
//   session never knows of a message its view has not applied yet.
//
// Memory: 16 bytes per message (UID 4, MODSEQ 8, flag set 4) plus the distinct
// flag sets, interned: a mailbox has few (\Seen, \Seen \Flagged, …). A view
// lives while some session has its mailbox selected, then a short while
// longer (KEEP_MS, at most MAX_KEPT_MESSAGES in all) so that a SELECT again or
// a reconnecting client finds it warm. Its change log keeps the last
// MAX_LOG journal rows; a session further behind reads the journal itself.
import { StoreError } from './errors.ts';
import type { MailboxChanged, MailboxChangeDetail, MailboxListChanged } from './events.ts';
import { hasFlag, parseFlags, SYSTEM_FLAG_BITS } from './flags.ts';
import { claimRecentRange, type JournalEntry } from './messages.ts';
import type { MailBoxRow } from './rows.ts';
import type { Store } from './store.ts';

/** Journal rows a view keeps for its sessions' updates. */
const MAX_LOG = 10_000;
/** Messages read per query while a view loads (keeps the garbage of a 100,000-message load small). */
const LOAD_CHUNK = 20_000;
/** Between flag lists in a loaded chunk: a flags JSON text never holds a raw newline. */
const FLAGS_SEPARATOR = '\n';
/** An unwatched view is kept this long for the next SELECT. */
const KEEP_MS = 60_000;
/** Messages in unwatched views kept at most, all views together. */
const MAX_KEPT_MESSAGES = 1_000_000;

/** One distinct set of flags, shared by every message that carries exactly these flags. */
export class FlagSet {
  /** The system flags as bits (SYSTEM_FLAG_BITS). */
  readonly system: number;
  /** The keywords (flags without a backslash). */
  readonly keywords: readonly string[];

  constructor(
    /** Its index in the view's table of flag sets. */
    readonly id: number,
    /** Canonical and sorted, as stored. */
    readonly flags: readonly string[],
  ) {
    let system = 0;
    for (const f of flags) system |= SYSTEM_FLAG_BITS.get(f) ?? 0;
    this.system = system;
    this.keywords = flags.filter((f) => !f.startsWith('\\'));
  }

  /** Whether a flag is in the set: system flags by bit, keywords case-insensitively (RFC 3501 §2.3.2). */
  has(flag: string): boolean {
    const bit = SYSTEM_FLAG_BITS.get(flag);
    return bit !== undefined ? (this.system & bit) !== 0 : hasFlag(this.flags, flag);
  }
}

/** Told when a watched mailbox may have changed; called synchronously from the notification, so it must do no I/O. */
export interface ViewWatcher {
  /** `highestModseq` is the mailbox's MODSEQ after the change, or Infinity when unknown (resync, a mailbox renamed or deleted). */
  mailboxChanged(highestModseq: number): void;
}

interface MessageState {
  uid: number;
  modseq: number;
  flags: string;
}

export class MailboxView {
  /** Highest MODSEQ whose journal rows are applied. */
  modseq = 0;
  /** The mailbox was deleted: the sessions that have it selected must end. */
  gone = false;
  /** Changes whenever messages are added or removed (indexes shift); flag changes keep it. */
  version = 0;

  private uidArr = new Uint32Array(16);
  private modseqArr = new Float64Array(16);
  private setArr = new Uint32Array(16);
  private n = 0;
  private sets: FlagSet[] = [];
  private setByJson = new Map<string, FlagSet>();
  /** Journal rows with MODSEQ above logFrom, oldest first. */
  private log: JournalEntry[] = [];
  private logFrom = 0;
  private pulling: Promise<void> | null = null;
  private nextPull: Promise<void> | null = null;
  /** Check the mailbox still exists at the next pull (a mailbox of its account was renamed or deleted). */
  private recheck = false;
  /** mail_box.recent_uid is at least this (it only grows). */
  private recentFloor = 0;
  private claiming: Promise<unknown> | null = null;
  private recentRead: Promise<number> | null = null;

  /** @internal sessions watching; kept by MailboxViews. */
  readonly watchers = new Set<ViewWatcher>();
  /** @internal when the last watcher left. */
  idleSince = 0;

  constructor(
    private readonly store: Store,
    readonly mailboxId: number,
    readonly accountId: number,
  ) {}

  // ---------------------------------------------------------------- reads

  /** Messages in the view. */
  get size(): number {
    return this.n;
  }

  uidAt(i: number): number {
    return this.uidArr[i];
  }

  modseqAt(i: number): number {
    return this.modseqArr[i];
  }

  flagsAt(i: number): FlagSet {
    return this.sets[this.setArr[i]];
  }

  /** The UIDs, ascending: a copy the caller may keep. */
  uids(): Uint32Array {
    return this.uidArr.slice(0, this.n);
  }

  /** Index of a UID, or -1. */
  indexOf(uid: number): number {
    const i = this.lowerBound(uid, 0);
    return i < this.n && this.uidArr[i] === uid ? i : -1;
  }

  /** First index at or after `from` whose UID is >= `uid`. */
  lowerBound(uid: number, from: number): number {
    let lo = from;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.uidArr[mid] < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A reader for UIDs asked in ascending order (FETCH 1:*, SEARCH): O(1) per dense step, safe across refreshes. */
  cursor(): ViewCursor {
    return new ViewCursor(this);
  }

  /** The keywords on any message, sorted (what SELECT's FLAGS lists, RFC 3501 §7.2.6). */
  keywordsInUse(): string[] {
    const used = new Uint8Array(this.sets.length);
    for (let i = 0; i < this.n; i++) used[this.setArr[i]] = 1;
    const out = new Set<string>();
    for (const set of this.sets) if (used[set.id]) for (const k of set.keywords) out.add(k);
    return [...out].sort();
  }

  /**
   * Journal rows with MODSEQ above `modseq` up to the view's, oldest first;
   * null when the view no longer holds them all (read them from the journal).
   */
  changesSince(modseq: number): readonly JournalEntry[] | null {
    if (modseq >= this.modseq) return [];
    if (modseq < this.logFrom) return null;
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid].modseq <= modseq) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }

  // ---------------------------------------------------------------- keeping current

  /**
   * Brings the view up to every commit made before the call: a pull of the
   * journal (one query when nothing changed). Callers arriving while a pull is
   * under way share the next one, so a thousand sessions cost two queries.
   */
  refresh(): Promise<void> {
    if (!this.pulling) {
      this.pulling = this.pull().finally(() => (this.pulling = null));
      return this.pulling;
    }
    // The pull under way may have read the journal before the caller's commit.
    this.nextPull ??= this.pulling
      .catch(() => undefined)
      .then(() => {
        this.nextPull = null;
        return this.refresh();
      });
    return this.nextPull;
  }

  /** @internal Reads every message: the view's first state. */
  async load(): Promise<void> {
    // MODSEQ first: anything committed while the messages are read is pulled again (idempotent).
    const box = await this.store.get<{ highestmodseq: number }>(`SELECT highestmodseq FROM mail_box WHERE id = ?`, this.mailboxId);
    if (!box) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
    // A chunk of messages comes as one row of three lists: a row per message
    // costs the driver several times more than the database's own work. The
    // lists follow the ordered subquery (checked below, sorted if not).
    let after = 0;
    for (;;) {
      const chunk = await this.store.get<{ uids: string | null; modseqs: string; flags: string; n: number; last: number }>(
        `SELECT string_agg(CAST(uid AS TEXT), ',') AS uids, string_agg(CAST(modseq AS TEXT), ',') AS modseqs,
                string_agg(flags, CAST(? AS TEXT)) AS flags, count(*) AS n, max(uid) AS last
         FROM (SELECT uid, modseq, flags FROM mail WHERE mail_box_id = ? AND uid > ? ORDER BY uid LIMIT ?) AS chunk`,
        FLAGS_SEPARATOR,
        this.mailboxId,
        after,
        LOAD_CHUNK,
      );
      if (!chunk?.uids) break;
      const uids = chunk.uids.split(',').map(Number);
      const modseqs = chunk.modseqs.split(',');
      const flags = chunk.flags.split(FLAGS_SEPARATOR);
      let order = uids.map((_, i) => i);
      if (uids.some((uid, i) => i > 0 && uid <= uids[i - 1])) order = order.sort((a, b) => uids[a] - uids[b]);
      this.reserve(this.n + uids.length);
      for (const i of order) {
        this.uidArr[this.n] = uids[i];
        this.modseqArr[this.n] = Number(modseqs[i]);
        this.setArr[this.n] = this.intern(flags[i]).id;
        this.n++;
      }
      if (chunk.n < LOAD_CHUNK) break;
      after = chunk.last;
    }
    this.modseq = box.highestmodseq;
    this.logFrom = box.highestmodseq;
  }

  private async pull(): Promise<void> {
    const since = this.modseq;
    if (this.recheck) {
      this.recheck = false;
      const box = await this.store.get(`SELECT 1 FROM mail_box WHERE id = ?`, this.mailboxId);
      if (!box) {
        this.gone = true;
        return;
      }
    }
    // The journal rows with the messages they name, in one statement (one
    // snapshot): a message expunged since has no mail row.
    const joined = await this.store.all<JournalEntry & { state_modseq: number | null; flags: string | null }>(
      `SELECT c.modseq, c.uid, c.kind, m.modseq AS state_modseq, m.flags
       FROM mail_change c LEFT JOIN mail m ON m.mail_box_id = c.mail_box_id AND m.uid = c.uid
       WHERE c.mail_box_id = ? AND c.modseq > ? ORDER BY c.modseq, c.id`,
      this.mailboxId,
      since,
    );
    if (joined.length === 0) return;
    const changes: JournalEntry[] = joined.map((j) => ({ modseq: j.modseq, uid: j.uid, kind: j.kind }));
    const rows: MessageState[] = [];
    for (const j of joined) if (j.state_modseq !== null && j.flags !== null) rows.push({ uid: j.uid, modseq: j.state_modseq, flags: j.flags });
    this.takeIn(changes, rows);
  }

  /**
   * Applies a commit's changes as its notification carries them (events.ts
   * MailboxChangeDetail), instead of reading them: only when they are the
   * next MODSEQ (each write takes exactly one, so nothing lies between) and
   * no pull is under way (it would apply them again). Returns whether it did.
   */
  applyNotified(change: MailboxChanged): boolean {
    if (!change.detail || this.pulling || this.recheck || this.gone || change.highestModseq !== this.modseq + 1) return false;
    const modseq = change.highestModseq;
    const detail = parseDetail(change.detail);
    if (!detail) return false;
    let changes: JournalEntry[];
    let states: MessageState[];
    if (detail.kind === 'expunge') {
      changes = detail.uids.map((uid) => ({ modseq, uid, kind: 'expunge' }));
      states = [];
    } else if (detail.kind === 'flags') {
      changes = detail.messages.map(([uid]) => ({ modseq, uid, kind: 'flags' }));
      states = detail.messages.map(([uid, flags]) => ({ uid, modseq, flags }));
    } else {
      if (typeof change.lastUid !== 'number') return false;
      changes = [{ modseq, uid: change.lastUid, kind: 'new' }];
      states = [{ uid: change.lastUid, modseq, flags: detail.flags }];
    }
    this.takeIn(changes, states);
    return true;
  }

  /** Applies journal rows (oldest first, non-empty) and the messages' states, and moves the view and its log up to them. */
  private takeIn(changes: readonly JournalEntry[], states: readonly MessageState[]): void {
    this.apply(changes, states);
    this.modseq = Math.max(this.modseq, changes[changes.length - 1].modseq);
    for (const c of changes) this.log.push(c);
    this.trimLog();
  }

  /** Applies journal rows, with the messages they name as read after them. */
  private apply(changes: readonly JournalEntry[], rows: readonly MessageState[]): void {
    const byUid = new Map<number, MessageState>();
    for (const r of rows) byUid.set(r.uid, r);
    const removed = new Set<number>();
    const touched = new Set<number>();
    for (const c of changes) (c.kind === 'expunge' ? removed : touched).add(c.uid);
    const added: MessageState[] = [];
    for (const uid of touched) {
      const row = byUid.get(uid);
      // Gone since the journal was read: its expunge comes with a later pull.
      if (!row || removed.has(uid)) continue;
      const i = this.indexOf(uid);
      if (i < 0) added.push(row);
      else {
        this.modseqArr[i] = row.modseq;
        this.setArr[i] = this.intern(row.flags).id;
      }
    }
    if (removed.size > 0) this.remove(removed);
    if (added.length > 0) this.insert(added.sort((a, b) => a.uid - b.uid));
    this.compactSets();
  }

  /** Adds messages (ascending UIDs, none present yet). */
  private insert(rows: readonly MessageState[]): void {
    if (rows.length === 0) return;
    this.version++;
    this.reserve(this.n + rows.length);
    if (this.n === 0 || rows[0].uid > this.uidArr[this.n - 1]) {
      // New mail: UIDs only grow, so the common case appends.
      for (const r of rows) this.put(this.n++, r);
      return;
    }
    // Merge from the end (a message read late by a load chunk, or out of order).
    let i = this.n - 1;
    let j = rows.length - 1;
    let k = this.n + rows.length - 1;
    while (j >= 0) {
      if (i >= 0 && this.uidArr[i] > rows[j].uid) {
        this.uidArr[k] = this.uidArr[i];
        this.modseqArr[k] = this.modseqArr[i];
        this.setArr[k] = this.setArr[i];
        i--;
      } else this.put(k, rows[j--]);
      k--;
    }
    this.n += rows.length;
  }

  private put(i: number, r: MessageState): void {
    this.uidArr[i] = r.uid;
    this.modseqArr[i] = r.modseq;
    this.setArr[i] = this.intern(r.flags).id;
  }

  private remove(uids: ReadonlySet<number>): void {
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      if (uids.has(this.uidArr[r])) continue;
      if (w !== r) {
        this.uidArr[w] = this.uidArr[r];
        this.modseqArr[w] = this.modseqArr[r];
        this.setArr[w] = this.setArr[r];
      }
      w++;
    }
    if (w !== this.n) this.version++;
    this.n = w;
  }

  private reserve(size: number): void {
    if (size <= this.uidArr.length) return;
    let capacity = this.uidArr.length;
    while (capacity < size) capacity *= 2;
    const uids = new Uint32Array(capacity);
    uids.set(this.uidArr.subarray(0, this.n));
    const modseqs = new Float64Array(capacity);
    modseqs.set(this.modseqArr.subarray(0, this.n));
    const sets = new Uint32Array(capacity);
    sets.set(this.setArr.subarray(0, this.n));
    this.uidArr = uids;
    this.modseqArr = modseqs;
    this.setArr = sets;
  }

  /** The shared set for a stored flags JSON text (canonical, so equal sets have equal text). */
  private intern(json: string): FlagSet {
    let set = this.setByJson.get(json);
    if (!set) {
      set = new FlagSet(this.sets.length, parseFlags(json));
      this.sets.push(set);
      this.setByJson.set(json, set);
    }
    return set;
  }

  /** Drops flag sets no message uses any more, once they outnumber the used ones (flags churn, sets would pile up). */
  private compactSets(): void {
    if (this.sets.length < 64 || this.sets.length < 2 * this.n) return;
    const used = new Uint8Array(this.sets.length);
    for (let i = 0; i < this.n; i++) used[this.setArr[i]] = 1;
    const remap = new Uint32Array(this.sets.length);
    const kept: FlagSet[] = [];
    this.setByJson.clear();
    for (const set of this.sets) {
      if (!used[set.id]) continue;
      const moved = new FlagSet(kept.length, set.flags);
      remap[set.id] = moved.id;
      kept.push(moved);
      this.setByJson.set(JSON.stringify(set.flags), moved);
    }
    for (let i = 0; i < this.n; i++) this.setArr[i] = remap[this.setArr[i]];
    this.sets = kept;
  }

  private trimLog(): void {
    if (this.log.length <= MAX_LOG) return;
    // Cut at a MODSEQ boundary: a MODSEQ's rows are all kept or all dropped.
    let cut = this.log.length - MAX_LOG;
    while (cut < this.log.length && this.log[cut].modseq === this.log[cut - 1].modseq) cut++;
    this.logFrom = this.log[cut - 1].modseq;
    this.log = this.log.slice(cut);
  }

  // ---------------------------------------------------------------- \Recent

  /**
   * RFC 3501 §2.3.2: claims \Recent for a read-write session (see
   * claimRecentRange). A claim that cannot succeed is not sent to the
   * database: once mail_box.recent_uid covers `upTo` no session can get those
   * UIDs, so the thousands of sessions told of one new message make one claim.
   */
  async claimRecent(upTo: number): Promise<{ from: number; to: number } | null> {
    while (this.claiming) await this.claiming.catch(() => undefined);
    if (this.recentFloor >= upTo) return null;
    const claiming = claimRecentRange(this.store, this.mailboxId);
    this.claiming = claiming;
    try {
      const { claim, recentUid } = await claiming;
      this.recentFloor = Math.max(this.recentFloor, recentUid);
      return claim;
    } finally {
      if (this.claiming === claiming) this.claiming = null;
    }
  }

  /** mail_box.recent_uid (for read-only sessions, RFC 3501 §6.3.2); callers at the same moment share one read. */
  async recentUid(): Promise<number> {
    this.recentRead ??= this.store
      .get<{ recent_uid: number }>(`SELECT recent_uid FROM mail_box WHERE id = ?`, this.mailboxId)
      .then((row) => {
        const uid = row?.recent_uid ?? 0;
        this.recentFloor = Math.max(this.recentFloor, uid);
        return uid;
      })
      .finally(() => (this.recentRead = null));
    return this.recentRead;
  }

  /** @internal */
  markRecheck(): void {
    this.recheck = true;
  }
}

const isUid = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** A carried change detail, or null when it is not one this version understands (then the journal is read). */
function parseDetail(text: string): MailboxChangeDetail | null {
  let d: unknown;
  try {
    d = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof d !== 'object' || d === null) return null;
  const o = d as Record<string, unknown>;
  if (o.kind === 'expunge' && Array.isArray(o.uids) && o.uids.every(isUid)) return { kind: 'expunge', uids: o.uids };
  if (o.kind === 'new' && typeof o.flags === 'string') return { kind: 'new', flags: o.flags };
  if (o.kind === 'flags' && Array.isArray(o.messages) && o.messages.every((m) => Array.isArray(m) && isUid(m[0]) && typeof m[1] === 'string')) {
    return { kind: 'flags', messages: o.messages as Array<[number, string]> };
  }
  return null;
}

/** Finds UIDs asked in ascending order; re-seeks after messages were added or removed under it. */
export class ViewCursor {
  /** Where the last UID asked for is or would be (its lower bound). */
  private i = 0;
  private version: number;

  constructor(private readonly view: MailboxView) {
    this.version = view.version;
  }

  /** Index of `uid` in the view, or -1. */
  find(uid: number): number {
    const view = this.view;
    if (this.version !== view.version) {
      this.version = view.version;
      this.i = view.lowerBound(uid, 0);
    }
    let i = this.i;
    const n = view.size;
    if (i > 0 && view.uidAt(i - 1) >= uid) i = view.lowerBound(uid, 0); // asked out of order
    else if (i < n && view.uidAt(i) < uid) i = i + 1 < n && view.uidAt(i + 1) >= uid ? i + 1 : view.lowerBound(uid, i + 1);
    this.i = i;
    return i < n && view.uidAt(i) === uid ? i : -1;
  }
}

/**
 * The views of one store, by mailbox id. One listener on the store's change
 * notifications finds the view of the changed mailbox and tells its watchers
 * (the sessions that have it selected): a delivery wakes those sessions only.
 */
export class MailboxViews {
  private readonly views = new Map<number, MailboxView>();
  private readonly loading = new Map<number, Promise<MailboxView>>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly store: Store) {
    store.events.on('mailbox', this.onMailbox);
    store.events.on('mailboxes', this.onMailboxes);
    store.events.on('resync', this.onResync);
  }

  /** Stops listening; the views are dropped. */
  close(): void {
    this.store.events.off('mailbox', this.onMailbox);
    this.store.events.off('mailboxes', this.onMailboxes);
    this.store.events.off('resync', this.onResync);
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    this.views.clear();
  }

  /** The view of a mailbox, shared, current as of the call; `watcher` is told of its changes until `release`. */
  async open(mailbox: Pick<MailBoxRow, 'id' | 'mail_account_id'>, watcher: ViewWatcher): Promise<MailboxView> {
    for (;;) {
      const view = this.views.get(mailbox.id) ?? (await this.load(mailbox));
      // Dropped by a sweep before this caller got to watch it: take the current one.
      if (this.views.get(mailbox.id) !== view) continue;
      view.watchers.add(watcher);
      try {
        await view.refresh();
      } catch (err) {
        this.release(view, watcher);
        throw err;
      }
      return view;
    }
  }

  /** Loads a view once, however many sessions ask for it at the same time. */
  private load(mailbox: Pick<MailBoxRow, 'id' | 'mail_account_id'>): Promise<MailboxView> {
    let loading = this.loading.get(mailbox.id);
    if (!loading) {
      const fresh = new MailboxView(this.store, mailbox.id, mailbox.mail_account_id);
      fresh.idleSince = Date.now();
      loading = fresh.load().then(
        () => {
          this.loading.delete(mailbox.id);
          this.views.set(mailbox.id, fresh);
          return fresh;
        },
        (err: unknown) => {
          this.loading.delete(mailbox.id);
          throw err;
        },
      );
      this.loading.set(mailbox.id, loading);
    }
    return loading;
  }

  release(view: MailboxView, watcher: ViewWatcher): void {
    view.watchers.delete(watcher);
    if (view.watchers.size > 0) return;
    view.idleSince = Date.now();
    if (view.gone) this.views.delete(view.mailboxId);
    this.sweep(false);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(true), KEEP_MS);
      this.sweeper.unref();
    }
  }

  /** Drops unwatched views kept past KEEP_MS (`expire`) and, oldest first, those past MAX_KEPT_MESSAGES. */
  private sweep(expire: boolean): void {
    const idle = [...this.views.values()].filter((v) => v.watchers.size === 0).sort((a, b) => b.idleSince - a.idleSince);
    let kept = 0;
    const now = Date.now();
    for (const view of idle) {
      kept += view.size;
      if (kept > MAX_KEPT_MESSAGES || (expire && now - view.idleSince >= KEEP_MS)) this.views.delete(view.mailboxId);
    }
    if (idle.length === 0 && this.sweeper && [...this.views.values()].every((v) => v.watchers.size > 0)) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private tell(view: MailboxView, highestModseq: number): void {
    for (const watcher of view.watchers) watcher.mailboxChanged(highestModseq);
  }

  private readonly onMailbox = (change: MailboxChanged) => {
    const view = this.views.get(change.mailboxId);
    if (!view || change.highestModseq <= view.modseq) return;
    view.applyNotified(change);
    this.tell(view, change.highestModseq);
  };

  /** A mailbox of an account was renamed or deleted: its views check they still exist. */
  private readonly onMailboxes = (change: MailboxListChanged) => {
    for (const view of this.views.values()) {
      if (view.accountId !== change.accountId) continue;
      view.markRecheck();
      this.tell(view, Infinity);
    }
  };

  /** Notifications may have been missed: every view pulls at its next use, and its watchers are told. */
  private readonly onResync = () => {
    for (const view of this.views.values()) {
      view.markRecheck();
      this.tell(view, Infinity);
    }
  };
}
