// SEARCH and UID SEARCH (RFC 3501 §6.4.4); (MODSEQ n) per RFC 7162 §3.1.5;
// RETURN options (RFC 4466 §2.6) answered with ESEARCH (RFC 4731), SAVE for
// "$" (RFC 5182), UPDATE/CONTEXT/PARTIAL (RFC 5267 §4): search/extended-search.ts.
import { parseSearch, usesModseq } from '../parser/search-keys.ts';
import { evaluateSearch } from '../search/evaluate.ts';
import { extendedSearch, forgetSavedOnFailure, requireCharset } from '../search/extended-search.ts';
import { correlator, readReturnOptions } from '../search/return-options.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'SEARCH',
  states: SELECTED,
  uid: true,
  parse(args) {
    // RFC 4466 §2.6: RETURN (…) comes first, then CHARSET and the criteria.
    const options = readReturnOptions(args);
    return { options, ...parseSearch(args) };
  },
  async run(session, { options, charset, key }, line) {
    try {
      requireCharset(charset);
      const withModseq = usesModseq(key);
      if (withModseq) session.condstore = true;
      if (options) return await extendedSearch(session, { tag: line.tag, byUid: line.uid, correlator: correlator(line.tag), options, key });
      const { uids, highestModseq } = await evaluateSearch(session, key);
      const ids = line.uid ? uids : uids.map((u) => session.seqOf(u));
      const suffix = withModseq && ids.length > 0 ? ` (MODSEQ ${highestModseq})` : '';
      session.writer.untagged(`SEARCH${ids.length ? ' ' + ids.join(' ') : ''}${suffix}`);
    } catch (err) {
      forgetSavedOnFailure(session, options, err);
      throw err;
    }
  },
});
