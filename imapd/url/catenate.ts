// CATENATE (RFC 4469): builds each message of an APPEND from its TEXT literals
// and the parts its URLs name. Every URL is checked and every part's size is
// known before its bytes are read (only a HEADER.FIELDS part's header block
// is read, to filter it), so a bad URL ([BADURL]) or a result over the limit
// ([TOOBIG]) stores nothing. The messages of one
// command together stay within the account's max message size, as the
// framer keeps MULTIAPPEND's literals (so a command never holds more than
// one message's limit), and each is assembled straight into one buffer of its
// final size.
import type { AppendMessageArgs, AppendSource, CatenatePart } from '../parser/append-message.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import { catenateUrlPart } from './url-access.ts';
import { BadUrl, type UrlPart, urlRespText } from './url-part.ts';

type Located = { kind: 'text'; bytes: Buffer } | { kind: 'url'; part: UrlPart };

/**
 * The parts of one message, located in order. `budget` is what the command
 * may still hold: past it, [TOOBIG] at once, so a HEADER.FIELDS part (read to
 * know its length) never adds up to more than the limit in memory.
 */
async function locateAll(session: Session, parts: readonly CatenatePart[], budget: number): Promise<{ parts: Located[]; size: number }> {
  const out: Located[] = [];
  let size = 0;
  for (const p of parts) {
    if (p.kind === 'text') out.push(p);
    else {
      try {
        out.push({ kind: 'url', part: await catenateUrlPart(session, p.url) });
      } catch (err) {
        // RFC 4469 §5: the URL goes back bare (errata 4046), not as a string.
        if (err instanceof BadUrl) throw new ImapResponse('NO', `Bad URL: ${err.message}`, `BADURL ${urlRespText(p.url)}`);
        throw err;
      }
    }
    const last = out[out.length - 1];
    size += last.kind === 'text' ? last.bytes.length : last.part.length;
    if (size > budget) throw tooBig();
  }
  return { parts: out, size };
}

// RFC 4469 §5 / RFC 7889: [TOOBIG] before anything is read or stored.
const tooBig = () => new ImapResponse('NO', 'Message too big', 'TOOBIG');

async function assemble(parts: readonly Located[], size: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of parts) {
    if (p.kind === 'text') at += p.bytes.copy(out, at);
    else {
      for await (const chunk of p.part.chunks()) {
        if (at + chunk.length > size) throw new ImapResponse('NO', 'A message part changed while it was read');
        at += chunk.copy(out, at);
      }
    }
  }
  // A part shorter than announced (its message went away between the two reads).
  if (at !== size) throw new ImapResponse('NO', 'A message part changed while it was read');
  return out;
}

/** The command's messages with every CATENATE turned into its bytes. */
export async function assembleMessages(session: Session, messages: readonly AppendSource[]): Promise<AppendMessageArgs[]> {
  const located: Array<{ parts: Located[]; size: number } | null> = [];
  // The literals are already held (the framer capped them); the URL parts must fit in what is left.
  let total = messages.reduce((n, m) => n + ('raw' in m ? m.raw.length : m.catenate.reduce((k, p) => k + (p.kind === 'text' ? p.bytes.length : 0), 0)), 0);
  if (total > session.maxMessageSize) throw tooBig();
  for (const m of messages) {
    if ('raw' in m) {
      located.push(null);
      continue;
    }
    const texts = m.catenate.reduce((k, p) => k + (p.kind === 'text' ? p.bytes.length : 0), 0);
    const found = await locateAll(session, m.catenate, session.maxMessageSize - total + texts);
    total += found.size - texts;
    located.push(found);
  }
  const out: AppendMessageArgs[] = [];
  for (const [i, m] of messages.entries()) {
    const found = located[i];
    out.push(found ? { flags: m.flags, internalDate: m.internalDate, raw: await assemble(found.parts, found.size) } : (m as AppendMessageArgs));
  }
  return out;
}
