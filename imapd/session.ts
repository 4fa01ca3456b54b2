// One IMAP connection: its state (RFC 3501 §3), the selected mailbox's view
// (ordered UID list, \Recent set, last reported MODSEQ), the command loop that
// answers pipelined commands in order, and the untagged updates other writers cause.
//
// The selected mailbox's messages (UID, MODSEQ, flags) live in a MailboxView
// (schema/store/mailbox-views.ts) shared by every session that has that
// mailbox selected: FETCH FLAGS, flag searches and the updates below read it
// instead of the database. The session keeps only what is its own: the UIDs
// in the order it told the client of them (a Uint32Array), its \Recent
// UIDs, and the MODSEQ up to which it has taken in the view's changes. It
// listens to nothing itself: the view tells it (mailboxChanged) when its
// mailbox changes, so a delivery wakes the sessions of that mailbox only.
import type net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import tls from 'node:tls';
import type { SecretBox } from '../certs/secret.ts';
import type { TlsContexts } from '../certs/tls-contexts.ts';
import {
  type AuthThrottle,
  changesSince,
  type FlagSet,
  type JournalEntry,
  type MailAccountRow,
  type MailBoxRow,
  type MailboxView,
  type MailboxViews,
  type Store,
  StoreError,
  scramMechanisms,
  type ViewWatcher,
} from '../schema/index.ts';
import type { Logger } from '../server/logger.ts';
import type { Stats } from '../server/stats.ts';
import type { LoginCache } from './auth-cache.ts';
import { DeflateLayer } from './compress.ts';
import { type Frame, Framer } from './framing/framer.ts';
import { flagList, flagSetList, flagsResponse, permanentFlagsResponse } from './render/flags.ts';
import { chunkedSets, toRanges } from './render/sequence-set.ts';
import { lowerBound } from './sorted.ts';
import { RecentUids } from './recent-uids.ts';
import type { CommandSpec, Completion } from './commands/command.ts';
import { commandFor } from './commands/index.ts';
import { Args, SAVED_RESULT, type SequenceSet } from './parser/args.ts';
import { type CommandLine, parseCommandLine, peekTag } from './parser/command-line.ts';
import { ParseError } from './parser/tokens.ts';
import { ImapResponse } from './response.ts';
import { SearchContexts } from './search/contexts.ts';
import { Writer, WriterClosed } from './writer.ts';

export type State = 'notauth' | 'auth' | 'selected' | 'logout';

/** A command that parsed and may run in the current state. */
interface Parsed {
  tag: string;
  line: CommandLine;
  spec: CommandSpec<unknown>;
  args: unknown;
}

/** Which command ran (a known name, or 'unknown') and how it ended, for the stats. */
interface CommandOutcome {
  command: string;
  result: string;
}

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
  /** RFC 5464 METADATA: longest value in bytes, entries per mailbox (and per account on the server ""), entries per account. */
  metadataMaxValueBytes: number;
  metadataMaxEntries: number;
  metadataMaxEntriesPerAccount: number;
}

export interface SessionDeps {
  store: Store;
  /** The shared views of selected mailboxes (one per IMAP service). */
  views: MailboxViews;
  tls: TlsContexts;
  throttle: AuthThrottle;
  loginCache: LoginCache;
  log: Logger;
  /** Failed and throttled logins are counted here (the console's overview, metrics). */
  stats?: Pick<Stats, 'authFailed' | 'imapCommand'>;
  hostname: string;
  allowPlaintextAuth: boolean;
  /** Seals URLAUTH mailbox access keys (RFC 4467) at rest. */
  secret: SecretBox;
  limits: ImapLimits;
  /** The server's /shared METADATA entries (RFC 5464 §3.2), lower-case names, set by the administrator. */
  serverMetadata: ReadonlyMap<string, Buffer>;
  /** Per-account connection accounting (server.ts, account-sessions.ts). */
  acquireAccount(accountId: number): Promise<boolean>;
  releaseAccount(accountId: number): void;
}

export interface SelectedMailbox {
  mailbox: MailBoxRow;
  readOnly: boolean;
  /** The mailbox's messages as they are now, shared with the other sessions that have it selected. */
  view: MailboxView;
  /**
   * UIDs in the order the client knows them: sequence number = index + 1.
   * Ascending. A Uint32Array (4 bytes a message); when it is replaced the old
   * one stays valid, so a command may keep it across awaits.
   */
  uids: Uint32Array;
  recent: RecentUids;
  /**
   * The UIDs this session last claimed as \Recent (read-write only). A claim
   * may cover messages committed after the UID list was read: they are this
   * session's when they arrive, as no other session can claim them.
   */
  recentClaim: { from: number; to: number } | null;
  /** Keywords the client was told of in FLAGS, by lower-case name (RFC 3501 §7.2.6). */
  keywords: Map<string, string>;
  /** Highest MODSEQ whose journal rows this session has taken in (never above view.modseq). */
  lastModseq: number;
  /** Expunged in the store but not yet reported (RFC 3501 §7.4.1). */
  pendingExpunge: Set<number>;
  /** Lowest MODSEQ among pendingExpunge's expunges (Infinity when none), for RFC 7162 §3.2's HIGHESTMODSEQ rule. */
  pendingExpungeModseq: number;
  /** MODSEQs of flag changes this session reported itself. */
  ownModseqs: Set<number>;
  dirty: boolean;
  /**
   * The MODSEQ the view must have reached before the next report, else it
   * reads the journal first: a notification's (which the view may have
   * applied from the notification itself), or Infinity (a poll, a resync, a
   * failed read).
   */
  pullWanted: number;
  /** New messages arrived that the client has not been told of. */
  existsPending: boolean;
  /** RFC 5182: the last SEARCH RETURN (SAVE) result as UIDs, ascending, which "$" names; empty on each SELECT. */
  savedResult: number[];
  /** RFC 5267: searches with RETURN (UPDATE), kept up to date while this mailbox is selected. */
  contexts: SearchContexts;
}

export const BASE_CAPABILITIES = [
  'IMAP4rev1',
  'IMAP4rev2',
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
  'METADATA',
  'METADATA-SERVER',
  'LIST-METADATA',
  'NOTIFY',
  'BINARY',
  'CATENATE',
  'URLAUTH',
  'URLAUTH=BINARY',
  'UTF8=ACCEPT',
];

/**
 * What NOTIFY (RFC 5465) set up for a session (imapd/notify/notifier.ts):
 * news of other mailboxes, and whether the selected mailbox's news are pushed
 * between commands too.
 */
export interface Notifications {
  /** SELECTED (§6.1.1: EXPUNGE too), SELECTED-DELAYED (§6.1.2: EXPUNGE waits for a command), or no push between commands. */
  readonly selectedPush: 'immediate' | 'delayed' | 'none';
  /** Notifications wait to be written. */
  readonly pending: boolean;
  /** Writes what waits (STATUS, LIST, METADATA for other mailboxes and the account). */
  flush(): Promise<void>;
  /** §5.2: messages above `afterUid` were just announced with EXISTS: the FETCH the client asked for. */
  messagesArrived(afterUid: number): Promise<void>;
  /** Reads every watched mailbox and the mailbox list again at the next flush (NOOP: the client's poll). */
  resync(): void;
  stop(): void;
}

/** Longest sequence set in one VANISHED response; a longer list goes out as several. */
const MAX_VANISHED_SET = 4000;

export type SessionAccount = Pick<MailAccountRow, 'id' | 'username'>;

export class Session implements ViewWatcher {
  state: State = 'notauth';
  /** Who is logged in: only what the session needs, not the account's row (its password hash stays out of every idle session). */
  account: SessionAccount | null = null;
  /** The account's max message size: the APPEND literal cap. */
  maxMessageSize = 0;
  selected: SelectedMailbox | null = null;
  /** RFC 7162 §3.1: once enabled, FETCH responses carry MODSEQ. */
  condstore = false;
  /** RFC 7162 §3.2.3: ENABLE QRESYNC (implies condstore); expunges are then reported as VANISHED. */
  qresync = false;
  /** RFC 9051: ENABLE IMAP4rev2; no \Recent or RECENT, SEARCH answered with ESEARCH, UTF-8 mailbox names. */
  rev2 = false;
  /** RFC 6855 §3: ENABLE UTF8=ACCEPT. */
  utf8Accept = false;
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
  /** Set by NOTIFY SET (RFC 5465), null before and after NOTIFY NONE. */
  notifications: Notifications | null = null;

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
  }

  /**
   * NOOP, CHECK: the updates after this command read the journal even if no
   * notification came (RFC 3501 §6.1.2: NOOP is the client's poll; a commit
   * by another process on the same SQLite file notifies nobody).
   */
  poll(): void {
    if (this.selected) {
      this.selected.dirty = true;
      this.selected.pullWanted = Infinity;
    }
    // RFC 5465: and NOTIFY's watched mailboxes, compared with what was last told.
    this.notifications?.resync();
  }

  /**
   * The selected mailbox's view says it changed (a commit, a mailbox of the
   * account renamed or deleted, or missed notifications: Infinity). The
   * journal is read at the next chance: at once while IDLE, else after the
   * next command.
   */
  mailboxChanged(highestModseq: number): void {
    const sel = this.selected;
    if (!sel || highestModseq <= sel.lastModseq) return;
    sel.dirty = true;
    sel.pullWanted = Math.max(sel.pullWanted, highestModseq);
    if (this.notifications && this.notifications.selectedPush !== 'none') this.pushNotifications();
    else this.idleNotify?.();
  }

  /**
   * RFC 5465 §3: once NOTIFY is set the client listens all the time, so news
   * also goes out between commands (at once while IDLE). Never while a command
   * runs: its end reports them under RFC 3501 §7.4.1's rules on EXPUNGE.
   */
  pushNotifications(): void {
    const n = this.notifications;
    if (!n || this.closed) return;
    if (this.idleNotify) return this.idleNotify();
    if (this.running) return;
    const sel = this.selected;
    const selectedNews = sel !== null && n.selectedPush !== 'none' && (sel.dirty || sel.view.modseq > sel.lastModseq);
    if (!selectedNews && !n.pending) return;
    // Holds the command loop: a command that arrives meanwhile waits for the push.
    this.running = true;
    const push = async () => {
      if (selectedNews) await this.sendUpdates(n.selectedPush === 'immediate');
      else await n.flush();
      await this.writer.drain();
    };
    push()
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.running = false;
        if (this.queue.length > 0) this.run().catch((err: unknown) => this.fail(err));
        else this.pushNotifications();
      });
  }

  private newFramer(): Framer {
    const limits = this.deps.limits;
    return new Framer({
      maxLineLength: limits.maxLineLength,
      maxLiterals: MAX_LITERALS,
      literalLimit: this.literalLimit.bind(this),
      nonSyncLimit: this.nonSyncLimit.bind(this),
    });
  }

  /** RFC 3502: a MULTIAPPEND's messages together stay within one message's limit, so it holds no more in memory than one APPEND. */
  private literalLimit(line: string, literalBytes: number): number {
    return this.state !== 'notauth' && UPLOAD_COMMAND.test(line) ? this.maxMessageSize - literalBytes : this.deps.limits.maxLiteral;
  }

  /** Before login only LITERAL- is offered: unauthenticated clients cannot push large literals unasked. */
  private nonSyncLimit(): number {
    return this.state === 'notauth' ? LITERAL_MINUS_MAX : Infinity;
  }

  // Bound methods, not arrow functions: under tsx (esbuild keepNames) every named
  // arrow made per session also gets a 256-byte property dictionary for its name,
  // which 10,000 idle sessions pay in full (issue 11 §3).
  private readonly onSocketData = this.onData.bind(this);
  private readonly onSocketGone = this.close.bind(this);

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
      // SCRAM only over TLS, where -PLUS's channel binding is possible (RFC 5802 §6).
      caps.push(...scramMechanisms(this.secure).map((m) => `AUTH=${m}`));
    } else {
      // RFC 7889 §3: the limit is the account's (its server's max message size), known once logged in.
      caps.push(`APPENDLIMIT=${this.maxMessageSize}`);
    }
    return caps;
  }

  /** Mailbox names and quoted strings are UTF-8, not modified UTF-7 (RFC 9051 §5.1, RFC 6855 §3). */
  get utf8(): boolean {
    return this.rev2 || this.utf8Accept;
  }

  /** The TLS connection under this session (channel binding reads it), null on plaintext. */
  get tlsSocket(): tls.TLSSocket | null {
    return this.socket instanceof tls.TLSSocket ? this.socket : null;
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
    this.notifications?.stop();
    this.unselect();
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
    // Started once the rest of this read is framed too: pipelined commands that came together are queued together (runBatch).
    if (idle) queueMicrotask(() => this.run().catch((err: unknown) => this.fail(err)));
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
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const frame = this.queue.shift()!;
        const batch = this.batchFrom(frame);
        this.pauseReadingIfFull();
        this.armTimer();
        if (batch) await this.executeBatch(batch);
        else {
          const started = performance.now();
          const outcome = await this.execute(frame);
          this.deps.stats?.imapCommand(outcome.command, outcome.result, (performance.now() - started) / 1000);
        }
      }
    } finally {
      this.running = false;
      // News that came while the last command was finishing (RFC 5465 §3).
      if (!this.closed) this.pushNotifications();
    }
  }

  /**
   * `first` and the queued commands right after it, when they are all of one
   * command that runs in batches (runBatch) and more than one is waiting;
   * else null. Taken off the queue.
   */
  private batchFrom(first: Frame): Array<{ frame: Frame; line: CommandLine }> | null {
    if (this.queue.length === 0) return null;
    const lineOf = (frame: Frame): CommandLine | null => {
      try {
        return parseCommandLine(frame);
      } catch {
        return null;
      }
    };
    const line = lineOf(first);
    if (!line || line.uid || !commandFor(line.name)?.runBatch) return null;
    const batch = [{ frame: first, line }];
    while (this.queue.length > 0) {
      const next = lineOf(this.queue[0]);
      if (!next || next.uid || next.name !== line.name) break;
      batch.push({ frame: this.queue.shift()!, line: next });
    }
    return batch.length > 1 ? batch : null;
  }

  countBad(): void {
    this.badCommands++;
    if (this.badCommands >= this.deps.limits.maxBadCommands) this.bye('Too many invalid commands');
  }

  /** Parses and checks one command: its spec and arguments; throws what it answers with otherwise (BAD). Names it in `outcome` once known. */
  private parse(frame: Frame, outcome: CommandOutcome, parsed?: CommandLine): Parsed {
    const line = parsed ?? parseCommandLine(frame);
    const spec = commandFor(line.name);
    if (!spec || (line.uid && !spec.uid)) throw new ImapResponse('BAD', `Unknown command ${line.uid ? 'UID ' : ''}${line.name}`);
    // A known name only: metrics labels stay bounded.
    outcome.command = line.uid ? `UID ${line.name}` : line.name;
    if (!spec.states.includes(this.state)) {
      throw new ImapResponse('BAD', `${line.name} is not allowed ${this.state === 'notauth' ? 'before login' : this.state === 'auth' ? 'without a selected mailbox' : 'now'}`);
    }
    return { tag: line.tag, line, spec, args: spec.parse(new Args(line.args, this.utf8), line) };
  }

  /** Runs one command; says which and how it ended. */
  private async execute(frame: Frame): Promise<CommandOutcome> {
    let tag = peekTag(frame) ?? '*';
    const outcome: CommandOutcome = { command: 'unknown', result: 'OK' };
    try {
      const cmd = this.parse(frame, outcome);
      tag = cmd.tag;
      await this.completed(cmd, await cmd.spec.run(this, cmd.args, cmd.line));
    } catch (err) {
      outcome.result = await this.failed(tag, err);
    }
    await this.writer.drain();
    return outcome;
  }

  /**
   * Pipelined commands of one kind run together (runBatch), then are answered
   * one by one, in order, exactly as if each had run alone: a command that
   * does not parse gets its BAD in its turn. Each is counted in the stats with
   * the time from the batch's start to its answer.
   */
  private async executeBatch(batch: Array<{ frame: Frame; line: CommandLine }>): Promise<void> {
    const started = performance.now();
    const parsed = batch.map(({ frame, line }): { tag: string; outcome: CommandOutcome; cmd?: Parsed; error?: unknown } => {
      const outcome: CommandOutcome = { command: 'unknown', result: 'OK' };
      try {
        return { tag: line.tag, outcome, cmd: this.parse(frame, outcome, line) };
      } catch (error) {
        return { tag: line.tag, outcome, error };
      }
    });
    const runnable = parsed.flatMap((p) => (p.cmd ? [p.cmd] : []));
    let outcomes: Array<PromiseSettledResult<Completion | void>> = [];
    if (runnable.length > 0) {
      try {
        outcomes = await runnable[0].spec.runBatch!(this, runnable.map(({ args, line }) => ({ args, line })));
      } catch (reason) {
        outcomes = runnable.map(() => ({ status: 'rejected', reason }));
      }
    }
    let next = 0;
    for (const p of parsed) {
      try {
        if (!p.cmd) throw p.error;
        const outcome = outcomes[next++];
        if (outcome.status === 'rejected') throw outcome.reason;
        await this.completed(p.cmd, outcome.value);
      } catch (err) {
        p.outcome.result = await this.failed(p.tag, err);
      }
      this.deps.stats?.imapCommand(p.outcome.command, p.outcome.result, (performance.now() - started) / 1000);
    }
    await this.writer.drain();
  }

  /** A command ran: the updates it may carry, then its tagged OK. */
  private async completed(cmd: Parsed, result: Completion | void): Promise<void> {
    // RFC 3501 §7.4.1: no EXPUNGE after FETCH, STORE or SEARCH (their UID forms may); SORT and THREAD
    // answer with sequence numbers as SEARCH does.
    if ((this.selected || this.notifications) && !this.closed) await this.sendUpdates(cmd.line.uid || !['FETCH', 'STORE', 'SEARCH', 'SORT', 'THREAD'].includes(cmd.line.name));
    if (!this.closed) this.writer.tagged(cmd.tag, 'OK', result?.text ?? `${cmd.line.name} completed`, result?.code);
    result?.after?.();
  }

  /** A command failed (or did not parse): its tagged NO or BAD, or the end of the session. Returns how it ended. */
  private async failed(tag: string, err: unknown): Promise<CommandOutcome['result']> {
    if (this.closed && !(err instanceof ImapResponse)) return 'BYE';
    // A response was cut midway (its bytes could not be read, or the socket went): no tagged reply can follow.
    if (this.writer.closed) {
      this.fail(err);
      return 'BYE';
    }
    if (err instanceof ParseError) {
      this.countBad();
      this.writer.tagged(tag, 'BAD', err.message);
      return 'BAD';
    }
    if (err instanceof ImapResponse) {
      if (err.status === 'BAD') this.countBad();
      if (err.status !== 'BAD' && this.selected && !this.closed) await this.sendUpdates(false).catch(() => undefined);
      this.writer.tagged(tag, err.status, err.message, err.code);
      return err.status;
    }
    if (err instanceof StoreError) {
      this.writer.tagged(tag, 'NO', err.message, err.code);
      return 'NO';
    }
    this.fail(err);
    return 'BYE';
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
      SNICallback: this.deps.tls.sniCallback,
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
    const view = await this.deps.views.open(mailbox, this);
    try {
      // Taken together: the view's messages and the MODSEQ they are current to.
      const uids = view.uids();
      const lastModseq = view.modseq;
      const recent = new RecentUids();
      const claimed = await this.recentRange(view, readOnly, uids.length ? uids[uids.length - 1] : 0);
      if (claimed) {
        const first = lowerBound(uids, claimed.from);
        const end = lowerBound(uids, claimed.to + 1);
        recent.addRun(uids[first], uids[end - 1], end - first);
      }
      const keywords = new Map<string, string>();
      learnKeywords(keywords, view.keywordsInUse());
      if (this.closed) throw new ImapResponse('BAD', 'Connection closed');
      this.selected = {
        mailbox,
        readOnly,
        view,
        uids,
        recent,
        recentClaim: readOnly ? null : claimed,
        keywords,
        lastModseq,
        pendingExpunge: new Set(),
        pendingExpungeModseq: Infinity,
        ownModseqs: new Set(),
        // Changes the view took in while this was being set up are reported by the next pull.
        dirty: view.modseq > lastModseq,
        pullWanted: 0,
        existsPending: false,
        savedResult: [],
        contexts: new SearchContexts(),
      };
    } catch (err) {
      this.deps.views.release(view, this);
      throw err;
    }
    this.state = 'selected';
    return this.selected;
  }

  /**
   * RFC 3501 §2.3.2: \Recent goes to the first session told of a message. A
   * read-write session claims the UIDs no session has claimed; a read-only one
   * (EXAMINE, §6.3.2) shows them as \Recent and leaves them for the next SELECT.
   */
  private async recentRange(view: MailboxView, readOnly: boolean, upTo: number): Promise<{ from: number; to: number } | null> {
    // RFC 9051 §2.3.2: IMAP4rev2 has no \Recent; a rev2 session claims nothing and leaves the messages recent for rev1 sessions.
    if (this.rev2) return null;
    if (!readOnly) return view.claimRecent(upTo);
    return { from: (await view.recentUid()) + 1, to: Infinity };
  }

  unselect(): void {
    if (this.selected) this.deps.views.release(this.selected.view, this);
    this.selected = null;
    if (this.state === 'selected') this.state = 'auth';
  }

  /** UNAUTHENTICATE (RFC 8437): back to the greeting's state; the account's connection slot is released. */
  unauthenticate(): void {
    if (this.account) this.deps.releaseAccount(this.account.id);
    // Through unselect: the shared view is released too.
    this.unselect();
    this.notifications?.stop();
    this.notifications = null;
    this.account = null;
    this.maxMessageSize = 0;
    this.condstore = false;
    this.qresync = false;
    this.rev2 = false;
    this.utf8Accept = false;
    this.state = 'notauth';
    this.armTimer();
  }

  /** Sequence number (1-based) of a UID in the session's view, or 0. */
  seqOf(uid: number): number {
    const uids = this.selected?.uids ?? NO_UIDS;
    const i = lowerBound(uids, uid);
    return i < uids.length && uids[i] === uid ? i + 1 : 0;
  }

  /**
   * UIDs a sequence set names, ascending. Message numbers beyond what the
   * client was told are an error (RFC 3501 §9 seq-number); UIDs that do not
   * exist are skipped (§6.4.8).
   */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    const uids = this.selected?.uids ?? NO_UIDS;
    const out: number[] = [];
    for (const [first, last] of this.resolveSpans(set, byUid)) for (let i = first; i <= last; i++) out.push(uids[i]);
    return out;
  }

  /**
   * What a sequence set names, as ascending, disjoint runs of positions in the
   * session's UID list ([first, last], 0-based): no per-message set or sort,
   * so `1:*` on 100,000 messages costs one run. Errors as resolve().
   */
  resolveSpans(set: SequenceSet, byUid: boolean): Array<[number, number]> {
    const uids = this.selected?.uids ?? NO_UIDS;
    const spans: Array<[number, number]> = [];
    // RFC 5182 §2.1: "$" is the saved result, kept as UIDs, so it serves numbers and UIDs alike; expunged messages have left it.
    if (set === SAVED_RESULT) {
      for (const uid of this.selected?.savedResult ?? []) {
        const i = lowerBound(uids, uid);
        if (i < uids.length && uids[i] === uid) spans.push([i, i]);
      }
    } else if (!byUid) {
      for (const r of set) {
        const to = r.to === Infinity ? uids.length : r.to;
        const from = r.from === Infinity ? uids.length : r.from;
        if (uids.length === 0 || Math.max(from, to) > uids.length || Math.min(from, to) < 1) {
          throw new ImapResponse('BAD', 'Invalid message sequence number');
        }
        spans.push([Math.min(from, to) - 1, Math.max(from, to) - 1]);
      }
    } else {
      const max = uids.length ? uids[uids.length - 1] : 0;
      for (const r of set) {
        const a = r.from === Infinity ? max : r.from;
        const b = r.to === Infinity ? max : r.to;
        const first = lowerBound(uids, Math.min(a, b));
        const last = lowerBound(uids, Math.max(a, b) + 1) - 1;
        if (first <= last) spans.push([first, last]);
      }
    }
    spans.sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const span of spans) {
      const prev = merged[merged.length - 1];
      if (prev && span[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], span[1]);
      else merged.push([span[0], span[1]]);
    }
    return merged;
  }

  /**
   * The UIDs among `uids` (ascending) whose message carries `flag` now: read
   * from the view, current as of the call. EXPUNGE and CLOSE name only these,
   * so removing two \Deleted messages from 100,000 reads two rows, not all.
   */
  async withFlag(uids: ArrayLike<number>, flag: string): Promise<number[]> {
    const view = this.selected!.view;
    await view.refresh();
    const cursor = view.cursor();
    const out: number[] = [];
    for (let k = 0; k < uids.length; k++) {
      const i = cursor.find(uids[k]);
      if (i >= 0 && view.flagsAt(i).has(flag)) out.push(uids[k]);
    }
    return out;
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

  /** flagsOf for a flag set of the view (its rendering is cached). */
  flagSetOf(uid: number, set: FlagSet): string {
    return flagSetList(set, this.selected?.recent.has(uid) ?? false);
  }

  /**
   * Pulls journal rows newer than what this session has taken in and reports
   * them: FETCH for flag changes, EXPUNGE (only when `allowExpunge`), EXISTS
   * and RECENT for new mail. Sequence numbers always follow what was sent.
   */
  async sendUpdates(allowExpunge: boolean): Promise<void> {
    const sel = this.selected;
    if (!sel) return this.notifications?.flush();
    let changes: readonly JournalEntry[] = [];
    /** The highest UID known before new messages arrived (RFC 5465 §5.2). */
    let arrivedAfter = 0;
    let arrived = false;
    // Also when the view moved on without telling (a command's refresh found another node's commit).
    if (sel.dirty || sel.view.modseq > sel.lastModseq) {
      sel.dirty = false;
      const view = sel.view;
      // A read that fails (the database is away) leaves the news to be pulled next time.
      const pullAgain = (err: unknown): never => {
        sel.dirty = true;
        sel.pullWanted = Infinity;
        throw err;
      };
      // A notification the view applied itself needs no read (mailbox-views.ts applyNotified).
      if (sel.pullWanted > view.modseq) {
        sel.pullWanted = 0;
        await view.refresh().catch(pullAgain);
      }
      if (view.gone) return this.bye('Selected mailbox was deleted');
      const upTo = view.modseq;
      // From the view's log; a session further behind than it reaches reads the journal (never past the view).
      changes =
        view.changesSince(sel.lastModseq) ?? (await changesSince(this.deps.store, sel.mailbox.id, sel.lastModseq).catch(pullAgain)).filter((c) => c.modseq <= upTo);
      if (this.selected !== sel) return;
      const flagUids = new Set<number>();
      const before = sel.uids.length;
      const known = before ? sel.uids[before - 1] : 0;
      arrivedAfter = known;
      let added = false;
      for (const c of changes) {
        if (c.kind === 'new') {
          const last = sel.uids.length ? sel.uids[sel.uids.length - 1] : 0;
          if (c.uid > last) {
            sel.uids = appendUid(sel.uids, c.uid);
            added = true;
          }
        } else if (c.kind === 'expunge') {
          if (this.seqOf(c.uid)) {
            sel.pendingExpunge.add(c.uid);
            sel.pendingExpungeModseq = Math.min(sel.pendingExpungeModseq, c.modseq);
          }
          flagUids.delete(c.uid);
        } else if (!sel.ownModseqs.has(c.modseq) && c.uid <= known && this.seqOf(c.uid)) {
          flagUids.add(c.uid);
        }
      }
      sel.lastModseq = Math.max(sel.lastModseq, upTo);
      sel.ownModseqs.clear();
      if (flagUids.size > 0) {
        // The flags as they are now (the view may be past upTo: newer is right, RFC 3501 §7.4.2).
        const changed: Array<[number, number]> = [];
        for (const uid of [...flagUids].sort((a, b) => a - b)) {
          const i = view.indexOf(uid);
          if (i >= 0) changed.push([uid, i]);
        }
        this.announceKeywords(changed.flatMap(([, i]) => view.flagsAt(i).keywords));
        for (const [uid, i] of changed) {
          const modseq = this.condstore ? ` MODSEQ (${view.modseqAt(i)})` : '';
          this.writer.untagged(`${this.seqOf(uid)} FETCH (UID ${uid} FLAGS ${this.flagSetOf(uid, view.flagsAt(i))}${modseq})`);
        }
      }
      if (added) {
        const claims = sel.recentClaim ? [sel.recentClaim] : [];
        const newest = sel.uids[sel.uids.length - 1];
        if (!sel.recentClaim || newest > sel.recentClaim.to) {
          const claimed = await this.recentRange(view, sel.readOnly, newest);
          if (claimed) claims.push(claimed);
          if (claimed && !sel.readOnly) sel.recentClaim = claimed;
        }
        for (let i = before; i < sel.uids.length; i++) if (claims.some((c) => sel.uids[i] >= c.from && sel.uids[i] <= c.to)) sel.recent.add(sel.uids[i], i > 0 ? sel.uids[i - 1] : 0);
        sel.existsPending = true;
      }
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
      arrived = true;
    }
    await finishContexts?.(expunging);
    // RFC 5465 §5.2: the FETCH for new messages follows EXISTS and any ESEARCH ADDTO.
    if (arrived) await this.notifications?.messagesArrived(arrivedAfter);
    await this.notifications?.flush();
  }

  private reportExists(): void {
    const sel = this.selected!;
    this.writer.untagged(`${sel.uids.length} EXISTS`);
    // RFC 9051 Appendix E: no RECENT response in IMAP4rev2.
    if (!this.rev2) this.writer.untagged(`${sel.recent.size} RECENT`);
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
    let recentGone = false;
    sel.uids = sel.uids.filter((uid) => {
      if (!gone.has(uid)) return true;
      recentGone ||= sel.recent.has(uid);
      return false;
    });
    if (recentGone) sel.recent.retain(sel.uids);
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

const NO_UIDS = new Uint32Array(0);

/**
 * `list` with `uid` added at the end. The list is the first `length` entries
 * of its buffer, which grows by doubling: appending mail one message at a
 * time copies the list only now and then. The list given stays valid.
 */
export function appendUid(list: Uint32Array, uid: number): Uint32Array {
  const capacity = list.buffer.byteLength / Uint32Array.BYTES_PER_ELEMENT;
  if (list.byteOffset === 0 && list.length < capacity) {
    const out = new Uint32Array(list.buffer, 0, list.length + 1);
    out[list.length] = uid;
    return out;
  }
  const out = new Uint32Array(new ArrayBuffer(Math.max(8, capacity * 2) * Uint32Array.BYTES_PER_ELEMENT), 0, list.length + 1);
  out.set(list);
  out[list.length] = uid;
  return out;
}
