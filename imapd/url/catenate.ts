// CATENATE (RFC 4469): builds each message of an APPEND from its TEXT literals
// and the parts its URLs name. Every URL is checked and every part's size is
// known before a byte is read, so a bad URL ([BADURL]) or a result over the
// limit ([TOOBIG]) stores nothing and reads nothing. The messages of one
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

async function locateAll(session: Session, parts: readonly CatenatePart[]): Promise<Located[]> {
  const out: Located[] = [];
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
  }
  return out;
}

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
  const located: Array<Located[] | null> = [];
  let total = 0;
  for (const m of messages) {
    if ('raw' in m) {
      located.push(null);
      total += m.raw.length;
      continue;
    }
    const parts = await locateAll(session, m.catenate);
    located.push(parts);
    total += parts.reduce((n, p) => n + (p.kind === 'text' ? p.bytes.length : p.part.length), 0);
  }
  // RFC 4469 §5 / RFC 7889: [TOOBIG] before anything is read or stored.
  if (total > session.maxMessageSize) throw new ImapResponse('NO', 'Message too big', 'TOOBIG');
  const out: AppendMessageArgs[] = [];
  for (const [i, m] of messages.entries()) {
    const parts = located[i];
    if (!parts) out.push(m as AppendMessageArgs);
    else {
      const size = parts.reduce((n, p) => n + (p.kind === 'text' ? p.bytes.length : p.part.length), 0);
      out.push({ flags: m.flags, internalDate: m.internalDate, raw: await assemble(parts, size) });
    }
  }
  return out;
}
