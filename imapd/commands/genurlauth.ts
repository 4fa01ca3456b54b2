// GENURLAUTH (RFC 4467 §7): URLAUTH-authorized URLs for rump URLs of the
// logged-in user's messages, all in one untagged GENURLAUTH response. Any
// URL that fails its checks makes the whole command BAD (as §7 says), and
// then no URL is returned.
import { string } from '../render/quote.ts';
import { generateUrlauth } from '../url/urlauth.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

/** URL/mechanism pairs in one command. */
const MAX_PAIRS = 64;

export default defineCommand({
  name: 'GENURLAUTH',
  states: AUTHENTICATED,
  parse(args) {
    const pairs: Array<{ url: string; mechanism: string }> = [];
    do {
      // url-rump is an astring; its bytes stay as sent (the token signs them exactly, §6).
      const url = args.astringBytes('URL').toString('latin1');
      pairs.push({ url, mechanism: args.atom('mechanism') });
    } while (args.more && pairs.length < MAX_PAIRS);
    args.end();
    return { pairs };
  },
  async run(session, { pairs }) {
    const urls: string[] = [];
    for (const { url, mechanism } of pairs) urls.push(await generateUrlauth(session, url, mechanism));
    session.writer.untagged(`GENURLAUTH ${urls.map(string).join(' ')}`);
  },
});
