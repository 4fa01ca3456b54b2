// One IMAP connection: its state (RFC 3501 §3), the selected mailbox's view
// (ordered UID list, \Recent set, last reported MODSEQ), the command loop that
// answers pipelined commands in order, and the untagged updates other writers cause.
import type net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import tls from 'node:tls';
import type { TlsContexts } from '../certs/tls-contexts.ts';
import {
  type AuthThrottle,
  changesSince,
  claimRecent,
  findMailboxById,
  getHighestModseq,
  getMessageRowsFor,
  type JournalEntry,
  listKeywords,
  listUids,
  type MailAccountRow,
  type MailBoxRow,
  type MailboxChanged,
  type MailboxListChanged,
  type Store,
  StoreError,
} from '../schema/index.ts';
import type { Logger } from '../server/logger.ts';
import type { Stats } from '../server/stats.ts';
import type { LoginCache } from './auth-cache.ts';
import { DeflateLayer } from './compress.ts';
import { type Frame, Framer } from './framing/framer.ts';
import { flagList, flagsResponse, permanentFlagsResponse } from './render/flags.ts';
import { chunkedSets, toRanges } from './render/sequence-set.ts';
import { lowerBound } from './sorted.ts';
import { commandFor } from './commands/index.ts';
import { Args, SAVED_RESULT, type SequenceSet } from './parser/args.ts';
import { parseCommandLine, peekTag } from './parser/command-line.ts';
import { ParseError } from './parser/tokens.ts';
import { ImapResponse } from './response.ts';
import { SearchContexts } from './search/contexts.ts';
import { Writer, WriterClosed } from './writer.ts';

export type State = 'notauth' | 'auth' | 'selected' | 'logout';

/** Commands whose literals are messages (APPEND, MULTIAPPEND, REPLACE): capped by the max message size, not maxLiteral. */
const UPLOAD_COMMAND = /^\S+ (?:APPEND|(?:UID )?REPLACE) /i;
/** Literals in one command, so at most this many messages in one MULTIAPPEND. */
const MAX_LITERALS = 64;
/** RFC 7888 §4: under LITERAL- a non-synchronising literal holds at most 4096 bytes. */
const LITERAL_MINUS_MAX = 4096;

/** Commands read ahead of the one running; past this the session stops reading the socket. */
const MAX_QUEUED_COMMANDS = 32;

export interface ImapLimits {
  maxLineLength: number;
  /** Literal cap outside APPEND. */
  maxLiteral: number;
  preAuthTimeoutMs: number;
  authTimeoutMs: number;
  idleKeepaliveMs: number;
  maxBadCommands: number;
  maxConnectionsPerUser: number;
}

export interface SessionDeps {
  store: Store;
  tls: TlsContexts;
  throttle: AuthThrottle;
  loginCache: LoginCache;
  log: Logger;
  /** Failed and throttled logins are counted here (the console's overview, metrics). */
  stats?: Pick<Stats, 'authFailed' | 'imapCommand'>;
  hostname: string;
  allowPlaintextAuth: boolean;
  limits: ImapLimits;
  /** Per-account connection accounting (server.ts, account-sessions.ts). */
  acquireAccount(accountId: number): Promise<boolean>;
  releaseAccount(accountId: number): void;
}

export interface SelectedMailbox {
  mailbox: MailBoxRow;
  readOnly: boolean;
  /** UIDs in the order the client knows them: sequence number = index + 1. */
  uids: number[];
  recent: Set<number>;
  /**
   * The UIDs this session last claimed as \Recent (read-write only). A claim
   * may cover messages committed after the UID list was read: they are this
   * session's when they arrive, as no other session can claim them.
   */
  recentClaim: { from: number; to: number } | null;
  /** Keywords the client was told of in FLAGS, by lower-case name (RFC 3501 §7.2.6). */
  keywords: Map<string, string>;
  /** Highest MODSEQ whose journal rows this session has taken in. */
  lastModseq: number;
  /** Expunged in the store but not yet reported (RFC 3501 §7.4.1). */
  pendingExpunge: Set<number>;
  /** Lowest MODSEQ among pendingExpunge's expunges (Infinity when none), for RFC 7162 §3.2's HIGHESTMODSEQ rule. */
  pendingExpungeModseq: number;
  /** MODSEQs of flag changes this session reported itself. */
  ownModseqs: Set<number>;
  dirty: boolean;
  /** New messages arrived that the client has not been told of. */
  existsPending: boolean;
  /** RFC 5182: the last SEARCH RETURN (SAVE) result as UIDs, ascending, which "$" names; empty on each SELECT. */
  savedResult: number[];
  /** RFC 5267: searches with RETURN (UPDATE), kept up to date while this mailbox is selected. */
  contexts: SearchContexts;
}

export const BASE_CAPABILITIES = [
  'IMAP4rev1',
  'LITERAL+',
  'SASL-IR',
  'ID',
  'ENABLE',
  'IDLE',
  'NAMESPACE',
  'UNSELECT',
  'UIDPLUS',
  'MOVE',
  'CHILDREN',
  'SPECIAL-USE',
  'CONDSTORE',
  'SORT',
  'SORT=DISPLAY',
  'THREAD=ORDEREDSUBJECT',
  'THREAD=REFERENCES',
  'THREAD=REFS',
  'ESEARCH',
  'SEARCHRES',
  'CONTEXT=SEARCH',
  'ESORT',
  'CONTEXT=SORT',
  'WITHIN',
  'MULTISEARCH',
  'QRESYNC',
  'OBJECTID',
  'SAVEDATE',
  'STATUS=SIZE',
  'PREVIEW',
  'MULTIAPPEND',
  'UNAUTHENTICATE',
  'REPLACE',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'QUOTA=RES-MESSAGE',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'CREATE-SPECIAL-USE',
];

/** Longest sequence set in one VANISHED response; a longer list goes out as several. */
const MAX_VANISHED_SET = 4000;

export class Session {
  state: State = 'notauth';
  account: MailAccountRow | null = null;
  /** The account's max message size: the APPEND literal cap. */
  maxMessageSize = 0;
  selected: SelectedMailbox | null = null;
  /** RFC 7162 §3.1: once enabled, FETCH responses carry MODSEQ. */
  condstore = false;
  /** RFC 7162 §3.2.3: ENABLE QRESYNC (implies condstore); expunges are then reported as VANISHED. */
  qresync = false;
  secure: boolean;
  /** RFC 4978: COMPRESS=DEFLATE is on (it stays on until the connection ends). */
  compressed = false;
  readonly writer: Writer;
  private socket: net.Socket | tls.TLSSocket;
  /** Where commands are read from and responses go: the socket, or the DEFLATE layer over it. */
  private input: Readable;
  private output: Writable;
  private framer: Framer;
  private queue: Frame[] = [];
  /** Reading is paused while too many commands wait (a client that sends but does not read). */
  private readingPaused = false;
  private waiting: ((frame: Frame | null) => void) | null = null;
  private badCommands = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Set while IDLE runs: pushes updates at once. */
  idleNotify: (() => void) | null = null;
  private readonly onMailbox = (change: MailboxChanged) => {
    if (!this.selected || change.mailboxId !== this.selected.mailbox.id) return;
    if (change.highestModseq <= this.selected.lastModseq) return;
    this.selected.dirty = true;
    this.idleNotify?.();
  };

  /** Notifications may have been missed (the store's change feed reconnected): pull the journal again. */
  private readonly onResync = () => {
    if (!this.selected) return;
    this.selected.dirty = true;
    this.idleNotify?.();
  };

  /** A mailbox of this account was renamed or deleted: check the selected one still exists. */
  private readonly onMailboxes = (change: MailboxListChanged) => {
    if (!this.selected || change.accountId !== this.account?.id) return;
    this.selected.dirty = true;
    this.idleNotify?.();
  };

  constructor(
    readonly deps: SessionDeps,
    socket: net.Socket | tls.TLSSocket,
    readonly remoteAddress: string,
  ) {
    this.socket = socket;
    this.input = socket;
    this.output = socket;
    this.secure = socket instanceof tls.TLSSocket;
    this.writer = new Writer(socket);
    this.framer = this.newFramer();
    this.attach(socket);
    deps.store.events.on('mailbox', this.onMailbox);
    deps.store.events.on('mailboxes', this.onMailboxes);
    deps.store.events.on('resync', this.onResync);
  }

  private newFramer(): Framer {
    const limits = this.deps.limits;
    return new Framer({
      maxLineLength: limits.maxLineLength,
      maxLiterals: MAX_LITERALS,
      // RFC 3502: a MULTIAPPEND's messages together stay within one message's limit, so it holds no more in memory than one APPEND.
      literalLimit: (line, literalBytes) => (this.state !== 'notauth' && UPLOAD_COMMAND.test(line) ? this.maxMessageSize - literalBytes : limits.maxLiteral),
      // Before login only LITERAL- is offered: unauthenticated clients cannot push large literals unasked.
      nonSyncLimit: () => (this.state === 'notauth' ? LITERAL_MINUS_MAX : Infinity),
    });
  }

  private readonly onSocketData = (chunk: Buffer) => this.onData(chunk);
  private readonly onSocketGone = () => this.close();

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', this.onSocketData);
    socket.on('error', this.onSocketGone);
    socket.on('close', this.onSocketGone);
  }

  private detach(socket: net.Socket | tls.TLSSocket): void {
    socket.off('data', this.onSocketData);
    socket.off('error', this.onSocketGone);
    socket.off('close', this.onSocketGone);
  }

  get capabilities(): string[] {
    const caps = [...BASE_CAPABILITIES];
    if (this.state !== 'notauth') caps.push('COMPRESS=DEFLATE');
    if (this.state === 'notauth') {
      // RFC 7888 §4: LITERAL- (non-synchronising literals up to 4096 bytes) before login, LITERAL+ after.
      caps[caps.indexOf('LITERAL+')] = 'LITERAL-';
      if (!this.secure) caps.push('STARTTLS');
      if (this.secure || this.deps.allowPlaintextAuth) caps.push('AUTH=PLAIN');
      else caps.push('LOGINDISABLED');
    } else {
      // RFC 7889 §3: the limit is the account's (its server's max message size), known once logged in.
      caps.push(`APPENDLIMIT=${this.maxMessageSize}`);
    }
    return caps;
  }

  /** Whether credentials may be sent on this connection (RFC 3501 §6.2.3, RFC 8314). */
  get authAllowed(): boolean {
    return this.secure || this.deps.allowPlaintextAuth;
  }

  start(): void {
    this.writer.untagged(`OK [CAPABILITY ${this.capabilities.join(' ')}] ${this.deps.hostname} Heron IMAP ready`);
    this.armTimer();
  }

  armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.closed) return;
    // RFC 3501 §5.4: at least 30 minutes once logged in; short before.
    const ms = this.state === 'notauth' ? this.deps.limits.preAuthTimeoutMs : this.deps.limits.authTimeoutMs;
    this.timer = setTimeout(() => this.bye('Autologout; idle for too long'), ms);
    this.timer.unref();
  }

  bye(text: string): void {
    this.writer.untagged(`BYE ${text}`);
    this.close();
  }

  /**
   * An unexpected error in this session: logged, and the session ends with BYE
   * (or at once, when a response was cut midway and no BYE can be framed). The
   * process and every other session go on.
   */
  fail(err: unknown): void {
    if (this.closed) return;
    if (err instanceof WriterClosed) return this.close();
    this.deps.log.error({ err, remote: this.remoteAddress, account: this.account?.username }, 'imap session failed');
    if (!this.writer.closed) return this.bye('Internal server error; please reconnect');
    this.close();
    this.socket.destroy();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.deps.store.events.off('mailbox', this.onMailbox);
    this.deps.store.events.off('mailboxes', this.onMailboxes);
    this.deps.store.events.off('resync', this.onResync);
    if (this.account && this.state !== 'notauth') this.deps.releaseAccount(this.account.id);
    this.state = 'logout';
    this.writer.flush();
    // Through the DEFLATE layer when on: its last bytes (a BYE) are flushed before the socket ends.
    this.output.end();
    if (this.input !== this.socket) this.input.destroy();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    const waiter = this.waiting;
    this.waiting = null;
    waiter?.(null);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.takeFrames(chunk);
    } catch (err) {
      this.fail(err);
    }
  }

  private takeFrames(chunk: Buffer): void {
    for (const event of this.framer.push(chunk)) {
      if (event.kind === 'continue') this.writer.continuation();
      else if (event.kind === 'fatal') {
        // RFC 7888 §4: an oversized non-synchronising literal gets BAD [TOOBIG]; its bytes cannot be skipped safely, so the connection closes.
        if (event.line !== undefined) {
          const tag = peekTag({ segments: [event.line], literals: [] }) ?? '*';
          if (event.reason === 'literal too big') this.writer.tagged(tag, 'BAD', 'Literal too big', 'TOOBIG');
          else this.writer.tagged(tag, 'BAD', 'Too many literals in one command', 'LIMIT');
        }
        return this.bye(`Protocol error: ${event.reason}`);
      } else if (event.kind === 'refused') {
        const tag = peekTag({ segments: [event.line], literals: [] }) ?? '*';
        const upload = UPLOAD_COMMAND.test(event.line) && this.state !== 'notauth';
        if (event.reason === 'toobig' && upload) {
          this.writer.tagged(tag, 'NO', 'Message too big', 'TOOBIG');
        } else if (upload) {
          this.writer.tagged(tag, 'NO', `At most ${MAX_LITERALS} literals (messages and mailbox name) in one command`, 'LIMIT');
        } else {
          this.countBad();
          this.writer.tagged(tag, 'BAD', 'Literal too big');
        }
      } else this.enqueue(event.frame);
    }
  }

  private enqueue(frame: Frame): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(frame);
      return;
    }
    const idle = this.queue.length === 0 && !this.running;
    this.queue.push(frame);
    this.pauseReadingIfFull();
    if (idle) this.run().catch((err: unknown) => this.fail(err));
  }

  /** Stops reading while MAX_QUEUED_COMMANDS wait, so a client that never reads cannot grow the queue. */
  private pauseReadingIfFull(): void {
    const full = this.queue.length >= MAX_QUEUED_COMMANDS;
    if (full === this.readingPaused || this.closed) return;
    this.readingPaused = full;
    if (full) this.input.pause();
    else this.input.resume();
  }

  /** The next frame from the client (AUTHENTICATE responses, IDLE's DONE); null when closed. */
  nextFrame(): Promise<Frame | null> {
    const queued = this.queue.shift();
    this.pauseReadingIfFull();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  private running = false;

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const frame = this.queue.shift()!;
        this.pauseReadingIfFull();
        this.armTimer();
        const started = performance.now();
        const outcome = await this.execute(frame);
        this.deps.stats?.imapCommand(outcome.command, outcome.result, (performance.now() - started) / 1000);
      }
    } finally {
      this.running = false;
    }
  }

  countBad(): void {
    this.badCommands++;
    if (this.badCommands >= this.deps.limits.maxBadCommands) this.bye('Too many invalid commands');
  }

  /** Runs one command; says which (a known name only: metrics labels stay bounded) and how it ended. */
  private async execute(frame: Frame): Promise<{ command: string; result: string }> {
    let tag = peekTag(frame) ?? '*';
    const outcome = { command: 'unknown', result: 'OK' };
    try {
      const line = parseCommandLine(frame);
      tag = line.tag;
      const spec = commandFor(line.name);
      if (!spec || (line.uid && !spec.uid)) throw new ImapResponse('BAD', `Unknown command ${line.uid ? 'UID ' : ''}${line.name}`);
      outcome.command = line.uid ? `UID ${line.name}` : line.name;
      if (!spec.states.includes(this.state)) {
        throw new ImapResponse('BAD', `${line.name} is not allowed ${this.state === 'notauth' ? 'before login' : this.state === 'auth' ? 'without a selected mailbox' : 'now'}`);
      }
      const args = spec.parse(new Args(line.args), line);
      const result = await spec.run(this, args, line);
      // RFC 3501 §7.4.1: no EXPUNGE after FETCH, STORE or SEARCH (their UID forms may); SORT and THREAD
      // answer with sequence numbers as SEARCH does.
      if (this.selected && !this.closed) await this.sendUpdates(line.uid || !['FETCH', 'STORE', 'SEARCH', 'SORT', 'THREAD'].includes(line.name));
      if (!this.closed) this.writer.tagged(tag, 'OK', result?.text ?? `${line.name} completed`, result?.code);
      result?.after?.();
    } catch (err) {
      if (this.closed && !(err instanceof ImapResponse)) return { ...outcome, result: 'BYE' };
      // A response was cut midway (its bytes could not be read, or the socket went): no tagged reply can follow.
      if (this.writer.closed) {
        this.fail(err);
        return { ...outcome, result: 'BYE' };
      }
      if (err instanceof ParseError) {
        this.countBad();
        this.writer.tagged(tag, 'BAD', err.message);
        outcome.result = 'BAD';
      } else if (err instanceof ImapResponse) {
        if (err.status === 'BAD') this.countBad();
        if (err.status !== 'BAD' && this.selected && !this.closed) await this.sendUpdates(false).catch(() => undefined);
        this.writer.tagged(tag, err.status, err.message, err.code);
        outcome.result = err.status;
      } else if (err instanceof StoreError) {
        this.writer.tagged(tag, 'NO', err.message, err.code);
        outcome.result = 'NO';
      } else {
        this.fail(err);
        outcome.result = 'BYE';
      }
    }
    await this.writer.drain();
    return outcome;
  }

  // ------------------------------------------------------------ TLS

  /** STARTTLS: wraps the socket; input buffered before the handshake is dropped (RFC 3501 §6.2.1). */
  startTls(context: tls.SecureContext): void {
    const raw = this.socket as net.Socket;
    this.writer.flush();
    // Only the session's own listeners: the listener's (server.ts) stay on the TCP socket.
    this.detach(raw);
    this.framer.reset();
    this.queue = [];
    this.pauseReadingIfFull();
    const secure = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: context,
      SNICallback: (name, cb) => this.deps.tls.sniCallback(name, cb),
    });
    this.socket = secure;
    this.input = secure;
    this.output = secure;
    this.secure = true;
    this.writer.replace(secure);
    this.attach(secure);
  }

  // ------------------------------------------------------------ COMPRESS

  /**
   * RFC 4978 §3: after the tagged OK (sent uncompressed) both directions are
   * DEFLATE. The client may send nothing between COMPRESS and its result, so
   * input read before the switch is dropped, as after STARTTLS.
   */
  startCompression(): void {
    this.writer.flush();
    this.socket.off('data', this.onSocketData);
    this.framer.reset();
    this.queue = [];
    this.pauseReadingIfFull();
    // A corrupt stream cannot be framed any further: the session ends.
    const layer = new DeflateLayer(this.socket, () => this.bye('Invalid compressed data'));
    this.input = layer.input;
    this.output = layer.output;
    this.compressed = true;
    this.writer.replace(layer.output);
    this.input.on('data', this.onSocketData);
  }

  // ------------------------------------------------------------ selected mailbox

  async select(mailbox: MailBoxRow, readOnly: boolean): Promise<SelectedMailbox> {
    const store = this.deps.store;
    const lastModseq = await getHighestModseq(store, mailbox.id);
    const uids = await listUids(store, mailbox.id);
    const recent = new Set<number>();
    const claimed = await this.recentRange(mailbox.id, readOnly);
    if (claimed) for (let i = lowerBound(uids, claimed.from); i < uids.length && uids[i] <= claimed.to; i++) recent.add(uids[i]);
    const keywords = new Map<string, string>();
    learnKeywords(keywords, await listKeywords(store, mailbox.id));
    this.selected = {
      mailbox,
      readOnly,
      uids,
      recent,
      recentClaim: readOnly ? null : claimed,
      keywords,
      lastModseq,
      pendingExpunge: new Set(),
      pendingExpungeModseq: Infinity,
      ownModseqs: new Set(),
      dirty: false,
      existsPending: false,
      savedResult: [],
      contexts: new SearchContexts(),
    };
    this.state = 'selected';
    // Changes committed between the reads above are caught by the next pull.
    const now = await getHighestModseq(store, mailbox.id);
    if (now > lastModseq) this.selected.dirty = true;
    return this.selected;
  }

  /**
   * RFC 3501 §2.3.2: \Recent goes to the first session told of a message. A
   * read-write session claims the UIDs no session has claimed; a read-only one
   * (EXAMINE, §6.3.2) shows them as \Recent and leaves them for the next SELECT.
   */
  private async recentRange(mailboxId: number, readOnly: boolean): Promise<{ from: number; to: number } | null> {
    if (!readOnly) return claimRecent(this.deps.store, mailboxId);
    const box = await findMailboxById(this.deps.store, mailboxId);
    return box ? { from: box.recent_uid + 1, to: Infinity } : null;
  }

  unselect(): void {
    this.selected = null;
    this.state = 'auth';
  }

  /** UNAUTHENTICATE (RFC 8437): back to the greeting's state; the account's connection slot is released. */
  unauthenticate(): void {
    if (this.account) this.deps.releaseAccount(this.account.id);
    this.selected = null;
    this.account = null;
    this.maxMessageSize = 0;
    this.condstore = false;
    this.qresync = false;
    this.state = 'notauth';
    this.armTimer();
  }

  /** Sequence number (1-based) of a UID in the session's view, or 0. */
  seqOf(uid: number): number {
    const uids = this.selected?.uids ?? [];
    let lo = 0;
    let hi = uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (uids[mid] === uid) return mid + 1;
      if (uids[mid] < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /**
   * UIDs a sequence set names, ascending. Message numbers beyond what the
   * client was told are an error (RFC 3501 §9 seq-number); UIDs that do not
   * exist are skipped (§6.4.8).
   */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    // RFC 5182 §2.1: "$" is the saved result, kept as UIDs, so it serves numbers and UIDs alike; expunged messages have left it.
    if (set === SAVED_RESULT) return (this.selected?.savedResult ?? []).filter((uid) => this.seqOf(uid) > 0);
    const uids = this.selected?.uids ?? [];
    const out = new Set<number>();
    if (!byUid) {
      for (const r of set) {
        const to = r.to === Infinity ? uids.length : r.to;
        const from = r.from === Infinity ? uids.length : r.from;
        if (uids.length === 0 || Math.max(from, to) > uids.length || Math.min(from, to) < 1) {
          throw new ImapResponse('BAD', 'Invalid message sequence number');
        }
        for (let i = Math.min(from, to); i <= Math.max(from, to); i++) out.add(uids[i - 1]);
      }
    } else {
      const max = uids.length ? uids[uids.length - 1] : 0;
      for (const r of set) {
        const a = r.from === Infinity ? max : r.from;
        const b = r.to === Infinity ? max : r.to;
        const lo = Math.min(a, b);
        const hi = Math.max(a, b);
        let i = lowerBound(uids, lo);
        for (; i < uids.length && uids[i] <= hi; i++) out.add(uids[i]);
      }
    }
    return [...out].sort((x, y) => x - y);
  }

  /**
   * RFC 3501 §7.2.6: a client learns the mailbox's keywords from FLAGS, so
   * before a FETCH shows a keyword this session has not announced, a new FLAGS
   * (and PERMANENTFLAGS) lists it. Call before writing FETCH responses with these flags.
   */
  announceKeywords(flags: Iterable<string>): void {
    const sel = this.selected;
    if (!sel || !learnKeywords(sel.keywords, flags)) return;
    this.writer.untagged(flagsResponse(sel.keywords.values()));
    this.writer.untagged(permanentFlagsResponse(sel.keywords.values(), sel.readOnly));
  }

  /** Formats a flag list for a message, adding \Recent when this session holds it. */
  flagsOf(uid: number, flags: readonly string[]): string {
    return flagList(this.selected?.recent.has(uid) ? [...flags, '\\Recent'] : flags);
  }

  /**
   * Pulls journal rows newer than what this session has taken in and reports
   * them: FETCH for flag changes, EXPUNGE (only when `allowExpunge`), EXISTS
   * and RECENT for new mail. Sequence numbers always follow what was sent.
   */
  async sendUpdates(allowExpunge: boolean): Promise<void> {
    const sel = this.selected;
    if (!sel) return;
    const store = this.deps.store;
    let changes: JournalEntry[] = [];
    if (sel.dirty) {
      sel.dirty = false;
      // A read that fails (the database is away) leaves the news to be pulled next time.
      changes = await changesSince(store, sel.mailbox.id, sel.lastModseq).catch((err: unknown) => {
        sel.dirty = true;
        throw err;
      });
      if (changes.length === 0 && !(await findMailboxById(store, sel.mailbox.id))) {
        return this.bye('Selected mailbox was deleted');
      }
      const flagUids = new Set<number>();
      const before = sel.uids.length;
      let added = false;
      for (const c of changes) {
        sel.lastModseq = Math.max(sel.lastModseq, c.modseq);
        if (c.kind === 'new') {
          const last = sel.uids.length ? sel.uids[sel.uids.length - 1] : 0;
          if (c.uid > last) {
            sel.uids.push(c.uid);
            added = true;
          }
        } else if (c.kind === 'expunge') {
          if (this.seqOf(c.uid)) {
            sel.pendingExpunge.add(c.uid);
            sel.pendingExpungeModseq = Math.min(sel.pendingExpungeModseq, c.modseq);
          }
          flagUids.delete(c.uid);
        } else if (!sel.ownModseqs.has(c.modseq) && this.seqOf(c.uid) && c.uid <= (sel.uids[before - 1] ?? 0)) {
          flagUids.add(c.uid);
        }
      }
      sel.ownModseqs.clear();
      if (flagUids.size > 0) {
        const rows = await getMessageRowsFor(store, sel.mailbox.id, [...flagUids]);
        this.announceKeywords(rows.flatMap((r) => r.flags));
        for (const row of rows) {
          const modseq = this.condstore ? ` MODSEQ (${row.modseq})` : '';
          this.writer.untagged(`${this.seqOf(row.uid)} FETCH (UID ${row.uid} FLAGS ${this.flagsOf(row.uid, row.flags)}${modseq})`);
        }
      }
      if (added) {
        const claims = sel.recentClaim ? [sel.recentClaim] : [];
        if (!sel.recentClaim || sel.uids[sel.uids.length - 1] > sel.recentClaim.to) {
          const claimed = await this.recentRange(sel.mailbox.id, sel.readOnly);
          if (claimed) claims.push(claimed);
          if (claimed && !sel.readOnly) sel.recentClaim = claimed;
        }
        for (let i = before; i < sel.uids.length; i++) if (claims.some((c) => sel.uids[i] >= c.from && sel.uids[i] <= c.to)) sel.recent.add(sel.uids[i]);
      }
      if (added) sel.existsPending = true;
    }
    // RFC 5267 §4.3.3–4: live searches send REMOVEFROM now, before the EXPUNGEs, and ADDTO after EXISTS.
    const finishContexts = sel.contexts.size > 0 ? await sel.contexts.refresh(this, changes) : null;
    const expunging = allowExpunge && sel.pendingExpunge.size > 0;
    // EXPUNGE before EXISTS: the count then matches the list after removals.
    if (expunging) this.flushExpunges();
    // RFC 7162 §3.2 (errata 1810): while expunges wait, the MODSEQs this command
    // reported may be above theirs; a client that stored the highest MODSEQ it saw
    // and then lost the connection would never learn of them. Tell it a
    // HIGHESTMODSEQ below the first waiting expunge.
    if (this.qresync && sel.pendingExpunge.size > 0) this.writer.untagged(`OK [HIGHESTMODSEQ ${sel.pendingExpungeModseq - 1}] Expunges pending`);
    if (sel.existsPending) {
      sel.existsPending = false;
      this.reportExists();
    }
    await finishContexts?.(expunging);
  }

  private reportExists(): void {
    const sel = this.selected!;
    this.writer.untagged(`${sel.uids.length} EXISTS`);
    this.writer.untagged(`${sel.recent.size} RECENT`);
  }

  /**
   * Reports every pending removal: EXPUNGE, highest sequence first so numbers
   * stay valid, or once QRESYNC is enabled VANISHED with their UIDs (RFC 7162
   * §3.2.10: VANISHED without EARLIER replaces EXPUNGE, and like it removes the
   * messages from the sequence). Every expunge a session reports goes through here.
   */
  flushExpunges(): void {
    const sel = this.selected!;
    if (this.qresync) {
      const uids = [...sel.pendingExpunge].filter((uid) => this.seqOf(uid) > 0).sort((a, b) => a - b);
      for (const set of chunkedSets(toRanges(uids), MAX_VANISHED_SET)) this.writer.untagged(`VANISHED ${set}`);
    } else {
      const seqs = [...sel.pendingExpunge].map((uid) => this.seqOf(uid)).filter((s) => s > 0).sort((a, b) => b - a);
      for (const seq of seqs) this.writer.untagged(`${seq} EXPUNGE`);
    }
    const gone = sel.pendingExpunge;
    sel.uids = sel.uids.filter((uid) => !gone.has(uid));
    for (const uid of gone) sel.recent.delete(uid);
    sel.pendingExpunge = new Set();
    sel.pendingExpungeModseq = Infinity;
  }
}

/** Adds the keywords among `flags` to `known` (keyed by lower-case name, RFC 3501 §2.3.2); true when one was new. */
function learnKeywords(known: Map<string, string>, flags: Iterable<string>): boolean {
  let added = false;
  for (const flag of flags) {
    const key = flag.toLowerCase();
    if (flag.startsWith('\\') || known.has(key)) continue;
    known.set(key, flag);
    added = true;
  }
  return added;
}

