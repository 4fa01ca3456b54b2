// SEARCH and UID SEARCH (RFC 3501 §6.4.4); (MODSEQ n) per RFC 7162 §3.1.5;
// RETURN options (RFC 4466 §2.6) answered with ESEARCH (RFC 4731), SAVE for
// "$" (RFC 5182), UPDATE/CONTEXT/PARTIAL (RFC 5267 §4): search/extended-search.ts.
import { parseSearch, usesModseq } from '../parser/search-keys.ts';
import { numberListBytes } from '../render/number-lists.ts';
import { evaluateSearch } from '../search/evaluate.ts';
import { requireCharset } from '../search/charset.ts';
import { extendedSearch, forgetSavedOnFailure } from '../search/extended-search.ts';
import { correlator, readReturnOptions, returnAll } from '../search/return-options.ts';
import { checkSearch } from '../search/session-rules.ts';
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
  async run(session, { options: asked, charset, key }, line) {
    // RFC 9051 §6.4.4: in IMAP4rev2 every SEARCH is answered with ESEARCH; without RETURN, as RETURN (ALL).
    const options = asked ?? (session.rev2 ? returnAll() : null);
    try {
      checkSearch(session, charset, key);
      requireCharset(charset);
      const withModseq = usesModseq(key);
      if (withModseq) session.condstore = true;
      if (options) return await extendedSearch(session, { tag: line.tag, byUid: line.uid, correlator: correlator(line.tag), options, key });
      const { uids, highestModseq } = await evaluateSearch(session, key);
      const ids = line.uid ? uids : uids.map((u) => session.seqOf(u));
      const suffix = withModseq && ids.length > 0 ? ` (MODSEQ ${highestModseq})` : '';
      session.writer.lineBytes(numberListBytes('* SEARCH', ids, suffix));
    } catch (err) {
      forgetSavedOnFailure(session, options, err);
      throw err;
    }
  },
});
