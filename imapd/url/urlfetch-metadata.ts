// URLAUTH=BINARY (RFC 5524): what URLFETCH returns for a URL given with
// fetch parameters, `("url" BODY|BINARY|BODYPARTSTRUCTURE …)`. One
// parenthesized item per parameter asked for, BODYPARTSTRUCTURE first
// (RFC 5524 §5: url-metadata = 1*(SP "(" url-metadata-el ")")):
// - BODYPARTSTRUCTURE: the part's BODYSTRUCTURE (extended), as its BINARY
//   content describes it when BINARY is asked for too (§3.2; ../mime/binary-structure.ts);
// - BODY: the bytes as stored, as a bare URL gives them (RFC 4467);
// - BINARY: the part with its Content-Transfer-Encoding removed, as FETCH
//   BINARY[part] gives it (../mime/binary-section.ts), literal8 when it holds
//   a NUL; NIL when the CTE is one we cannot decode (§3.2: the server returns
//   NIL for BINARY when it cannot decode; the structure is still given).
// BINARY and BODYPARTSTRUCTURE name MIME parts, so a URL whose section is
// HEADER, TEXT, MIME or HEADER.FIELDS fetches as NIL with them, as any URL that
// names nothing does. ;PARTIAL= applies to what BODY or BINARY returns.
import { rawChunkSize, readRawChunks, type Store, type MessageMeta } from '../../schema/index.ts';
import { binaryLiteral, locateBinary, type BinaryPlace, type RawReader, UnknownCte } from '../mime/binary-section.ts';
import { binaryBodyStructure } from '../mime/binary-structure.ts';
import { renderBodyStructure } from '../mime/bodystructure.ts';
import { resolve } from '../mime/section.ts';
import type { Session } from '../session.ts';
import type { ResponsePiece } from '../writer.ts';
import type { ImapUrl } from './imap-url.ts';
import { BadUrl, locateUrlMessage, messageUrlPart } from './url-part.ts';
import { verifyUrlauth } from './urlauth.ts';

export const FETCH_PARAMS = ['BODY', 'BINARY', 'BODYPARTSTRUCTURE'] as const;
export type FetchParam = (typeof FETCH_PARAMS)[number];

function messageReader(store: Store, message: MessageMeta): RawReader {
  return (start, end) => readRawChunks(store, message.rawId, start, end, rawChunkSize(store, message.size));
}

/**
 * The response pieces after the URL for a URLAUTH-authorized URL fetched with
 * `params` (at least one). Throws BadUrl when the URL does not verify or names
 * nothing (the caller answers NIL). Literals are read as the writer reaches them.
 */
export async function urlMetadata(session: Session, url: ImapUrl, params: ReadonlySet<FetchParam>): Promise<ResponsePiece[]> {
  const store = session.deps.store;
  const message = await locateUrlMessage(store, await verifyUrlauth(session, url), url);
  const pieces: ResponsePiece[] = [];
  const binary = params.has('BINARY');
  if (binary || params.has('BODYPARTSTRUCTURE')) {
    if (url.section && url.section.spec.text !== null) throw new BadUrl('BINARY and BODYPARTSTRUCTURE name MIME parts');
    const path = url.section?.spec.path ?? [];
    const part = resolve(message.root, { path, text: null });
    if (!part) throw new BadUrl('no such section');
    const read = messageReader(store, message);
    let place: BinaryPlace | null = null;
    try {
      place = locateBinary(message.root, path);
    } catch (err) {
      if (!(err instanceof UnknownCte)) throw err;
    }
    if (params.has('BODYPARTSTRUCTURE')) {
      // Without BINARY, or for a part we cannot decode (its BINARY is NIL), the part as stored.
      const structure = binary && place ? await binaryBodyStructure(read, part, place, message.size, session.rev2) : renderBodyStructure(part, true, session.rev2);
      pieces.push(` (BODYPARTSTRUCTURE ${structure})`);
    }
    if (binary) {
      if (!place) pieces.push(' (BINARY NIL)');
      else {
        const found = place;
        const partial = url.partial && { start: url.partial.start, length: url.partial.length ?? Infinity };
        pieces.push(' (BINARY ', { literal: () => binaryLiteral(read, found, message.size, partial) }, ')');
      }
    }
  }
  if (params.has('BODY')) pieces.push(' (BODY ', { literal: await messageUrlPart(store, message, url) }, ')');
  return pieces;
}
