// URLFETCH (RFC 4467 §7): the data URLAUTH-authorized URLs name, one
// untagged URLFETCH response per URL (as Dovecot sends them; the grammar
// allows one or several): the URL as given, then its data, or NIL when
// the URL is not valid for any reason (malformed, expired, not for this
// session, a token that does not verify, no such message or part). A
// syntactically valid command always gets the response and a tagged OK.
// Each URL is resolved only when the previous response is written, and its
// data is streamed from the store as the socket takes it.
//
// URLAUTH=BINARY (RFC 5524 §3.1): a URL may come as `("url" param…)` with
// the parameters BODY, BINARY and BODYPARTSTRUCTURE; its data is then one
// parenthesized item per parameter (../url/urlfetch-metadata.ts). BODY with
// BINARY or a parameter given twice is BAD (§3.1: MUST NOT), and so is an
// unknown one; `("url")` alone is a bare URL (§3; Dovecot answers it with
// a BODY item instead).
import { Args } from '../parser/args.ts';
import { ParseError } from '../parser/tokens.ts';
import { string } from '../render/quote.ts';
import { parseClientUrl } from '../url/url-access.ts';
import { BadUrl, type UrlPart } from '../url/url-part.ts';
import { urlauthPart } from '../url/urlauth.ts';
import { FETCH_PARAMS, type FetchParam, urlMetadata } from '../url/urlfetch-metadata.ts';
import type { ResponsePiece } from '../writer.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

/** URLs in one command. */
const MAX_URLS = 64;

/** One URL to fetch: its bytes (held as latin1), and its RFC 5524 parameters (null: a bare URL). */
interface UrlFetchArg {
  url: string;
  params: Set<FetchParam> | null;
}

/** A URL echoed as the client sent it (its bytes, held as latin1). */
function urlString(url: string): string {
  return /^[\x20-\x7e]{0,1024}$/.test(url) ? string(url) : `{${url.length}}\r\n${url}`;
}

/** url-fetch-arg (RFC 5524 §5): a bare URL, or `"(" url *(SP url-fetch-param) ")"`. */
function fetchArg(args: Args): UrlFetchArg {
  if (args.peek()?.t !== 'list') return { url: args.astringBytes('URL').toString('latin1'), params: null };
  const inner = new Args(args.list('URL'));
  const url = inner.astringBytes('URL').toString('latin1');
  const params = new Set<FetchParam>();
  while (inner.more) {
    const name = inner.atom('URLFETCH parameter').toUpperCase();
    const param = FETCH_PARAMS.find((known) => known === name);
    if (!param) throw new ParseError(`Unknown URLFETCH parameter ${name.slice(0, 40)}`);
    if (params.has(param)) throw new ParseError(`URLFETCH parameter ${param} given twice`);
    params.add(param);
  }
  if (params.has('BODY') && params.has('BINARY')) throw new ParseError('URLFETCH parameters BODY and BINARY exclude each other');
  // RFC 5524 §3: without parameters the command behaves exactly as in RFC 4467.
  return { url, params: params.size ? params : null };
}

export default defineCommand({
  name: 'URLFETCH',
  states: AUTHENTICATED,
  parse(args) {
    const urls: UrlFetchArg[] = [];
    do urls.push(fetchArg(args));
    while (args.more && urls.length < MAX_URLS);
    args.end();
    return { urls };
  },
  async run(session, { urls }) {
    for (const { url, params } of urls) {
      let data: ResponsePiece[] | null = null;
      try {
        if (params) data = await urlMetadata(session, parseClientUrl(url), params);
        else {
          const part: UrlPart = await urlauthPart(session, parseClientUrl(url));
          data = [' ', { literal: part }];
        }
      } catch (err) {
        if (!(err instanceof BadUrl)) throw err;
      }
      await session.writer.respond([`* URLFETCH ${urlString(url)}`, ...(data ?? [' NIL'])]);
    }
  },
});
