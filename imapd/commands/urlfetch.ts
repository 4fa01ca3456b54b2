// URLFETCH (RFC 4467 §7): the data URLAUTH-authorized URLs name, one
// untagged URLFETCH response per URL (as Dovecot sends them; the grammar
// allows one or several): the URL as given, then its data, or NIL when
// the URL is not valid for any reason (malformed, expired, not for this
// session, a token that does not verify, no such message or part). A
// syntactically valid command always gets the response and a tagged OK.
// Each URL is resolved only when the previous response is written, and its
// data is streamed from the store as the socket takes it.
import { string } from '../render/quote.ts';
import { parseClientUrl } from '../url/url-access.ts';
import { BadUrl, type UrlPart } from '../url/url-part.ts';
import { urlauthPart } from '../url/urlauth.ts';
import type { ResponsePiece } from '../writer.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

/** URLs in one command. */
const MAX_URLS = 64;

/** A URL echoed as the client sent it (its bytes, held as latin1). */
function urlString(url: string): string {
  return /^[\x20-\x7e]{0,1024}$/.test(url) ? string(url) : `{${url.length}}\r\n${url}`;
}

export default defineCommand({
  name: 'URLFETCH',
  states: AUTHENTICATED,
  parse(args) {
    const urls: string[] = [];
    do urls.push(args.astringBytes('URL').toString('latin1'));
    while (args.more && urls.length < MAX_URLS);
    args.end();
    return { urls };
  },
  async run(session, { urls }) {
    for (const url of urls) {
      let part: UrlPart | null = null;
      try {
        part = await urlauthPart(session, parseClientUrl(url));
      } catch (err) {
        if (!(err instanceof BadUrl)) throw err;
      }
      const pieces: ResponsePiece[] = [`* URLFETCH ${urlString(url)} `, part ? { literal: part } : 'NIL'];
      await session.writer.respond(pieces);
    }
  },
});
