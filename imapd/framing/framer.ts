// Byte stream → command frames. A frame is one command: its text lines and the
// literals between them (RFC 3501 §4.3 `{n}`, RFC 7888 `{n+}`). Pure: the
// caller feeds bytes and acts on the events (send "+", reject, close).

export interface Frame {
  /** Text segments (latin1); each but the last ends with the `{n}` marker of literals[i]. */
  segments: string[];
  literals: Buffer[];
}

export type FrameEvent =
  | { kind: 'frame'; frame: Frame }
  /** A synchronising literal was accepted: send a continuation request. */
  | { kind: 'continue' }
  /** A synchronising literal was refused; the client will not send it. `line` is the text so far. */
  | { kind: 'refused'; line: string; reason: 'toobig' | 'limit' }
  /**
   * Unrecoverable: the stream can no longer be framed (line too long, oversized
   * non-synchronising literal). `line` is the command's text so far when it has
   * a tag worth answering (an oversized non-synchronising literal).
   */
  | { kind: 'fatal'; reason: string; line?: string };

export interface FramerOptions {
  maxLineLength: number;
  /**
   * Largest literal accepted for a command whose text so far is `line` and
   * whose earlier literals hold `literalBytes` bytes (a MULTIAPPEND's total).
   */
  literalLimit(line: string, literalBytes: number): number;
  /** Largest non-synchronising literal (RFC 7888 §4: 4096 under LITERAL-); unset means only literalLimit applies. */
  nonSyncLimit?(): number;
  /** Most literals in one command. */
  maxLiterals: number;
}

const LITERAL_MARKER = /\{(\d{1,20})(\+?)\}$/;

/** Shared by every framer with nothing buffered (never written to). */
const NOTHING = Buffer.alloc(0);

export class Framer {
  private buffer: Buffer = NOTHING;
  private segments: string[] = [];
  private literals: Buffer[] = [];
  /** Bytes in `literals` and the one being read: what this command holds in memory. */
  private literalBytes = 0;
  /** While reading a literal: bytes still expected and the chunks so far. */
  private literalRemaining = 0;
  private literalChunks: Buffer[] = [];
  private dead = false;

  constructor(private readonly options: FramerOptions) {}

  /** Drops buffered input (after STARTTLS, RFC 3501 §6.2.1: nothing sent before TLS is used after it). */
  reset(): void {
    this.buffer = NOTHING;
    this.segments = [];
    this.literals = [];
    this.literalBytes = 0;
    this.literalRemaining = 0;
    this.literalChunks = [];
  }

  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (this.dead) return events;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.literalRemaining > 0) {
        if (this.buffer.length === 0) break;
        const take = Math.min(this.literalRemaining, this.buffer.length);
        this.literalChunks.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        this.literalRemaining -= take;
        if (this.literalRemaining > 0) break;
        this.literals.push(Buffer.concat(this.literalChunks));
        this.literalChunks = [];
        continue;
      }
      const lf = this.buffer.indexOf(0x0a);
      if (lf < 0) {
        if (this.buffer.length > this.options.maxLineLength) return this.fail(events, 'line too long');
        break;
      }
      if (lf > this.options.maxLineLength) return this.fail(events, 'line too long');
      const end = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
      const line = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(lf + 1);
      const marker = LITERAL_MARKER.exec(line);
      if (!marker) {
        this.segments.push(line);
        events.push({ kind: 'frame', frame: { segments: this.segments, literals: this.literals } });
        this.segments = [];
        this.literals = [];
        this.literalBytes = 0;
        continue;
      }
      const size = Number(marker[1]);
      const sync = marker[2] !== '+';
      const soFar = this.segments.join('') + line;
      const tooMany = this.literals.length >= this.options.maxLiterals;
      const nonSyncTooBig = !sync && size > (this.options.nonSyncLimit?.() ?? Infinity);
      if (tooMany || nonSyncTooBig || size > this.options.literalLimit(soFar, this.literalBytes)) {
        // The bytes are on their way and cannot be told apart from commands: stop reading.
        if (!sync) return this.fail(events, tooMany ? 'too many literals' : 'literal too big', soFar);
        // The client waits for "+", so it will not send the bytes: drop the command (and every literal it had).
        events.push({ kind: 'refused', line: soFar, reason: tooMany ? 'limit' : 'toobig' });
        this.segments = [];
        this.literals = [];
        this.literalBytes = 0;
        continue;
      }
      this.literalBytes += size;
      this.segments.push(line);
      if (sync) events.push({ kind: 'continue' });
      if (size === 0) this.literals.push(Buffer.alloc(0));
      else this.literalRemaining = size;
    }
    // An empty view would keep the last chunk read alive for as long as the connection idles.
    if (this.buffer.length === 0) this.buffer = NOTHING;
    return events;
  }

  private fail(events: FrameEvent[], reason: string, line?: string): FrameEvent[] {
    this.dead = true;
    this.reset();
    events.push(line === undefined ? { kind: 'fatal', reason } : { kind: 'fatal', reason, line });
    return events;
  }
}
