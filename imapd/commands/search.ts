// SEARCH and UID SEARCH (RFC 3501 §6.4.4); (MODSEQ n) per RFC 7162 §3.1.5.
import { parseSearch, SUPPORTED_CHARSETS, usesModseq } from '../parser/search-keys.ts';
import { evaluateSearch } from '../search/evaluate.ts';
import { ImapResponse } from '../response.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'SEARCH',
  states: SELECTED,
  uid: true,
  parse: parseSearch,
  async run(session, { charset, key }, line) {
    if (charset !== null && !SUPPORTED_CHARSETS.includes(charset)) {
      throw new ImapResponse('NO', 'Unsupported charset', `BADCHARSET (${SUPPORTED_CHARSETS.join(' ')})`);
    }
    const withModseq = usesModseq(key);
    if (withModseq) session.condstore = true;
    const { uids, highestModseq } = await evaluateSearch(session, key);
    const ids = line.uid ? uids : uids.map((u) => session.seqOf(u));
    const suffix = withModseq && ids.length > 0 ? ` (MODSEQ ${highestModseq})` : '';
    session.writer.untagged(`SEARCH${ids.length ? ' ' + ids.join(' ') : ''}${suffix}`);
  },
});
