// SORT and UID SORT (RFC 5256 §3), with DISPLAYFROM and DISPLAYTO (RFC 5957)
// and the (MODSEQ n) that MODSEQ criteria add (RFC 7162 §3.1.5). RETURN
// options (RFC 5267 §3, ESORT; §4, CONTEXT=SORT; SAVE from RFC 5182 §2.4)
// are answered with ESEARCH over the sort order by search/extended-search.ts.
import { parseSort } from '../parser/sort-thread-args.ts';
import { usesModseq } from '../parser/search-keys.ts';
import { sortResponse } from '../render/number-lists.ts';
import { requireCharset } from '../search/charset.ts';
import { checkCriteria } from '../search/session-rules.ts';
import { extendedSearch, forgetSavedOnFailure } from '../search/extended-search.ts';
import { correlator, readReturnOptions } from '../search/return-options.ts';
import { sortMessages } from '../sort/sort-messages.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'SORT',
  states: SELECTED,
  uid: true,
  parse(args) {
    // RFC 5267 §5: sort = ["UID" SP] "SORT" [SP sort-return-opts] SP sort-criteria SP search-criteria.
    const options = readReturnOptions(args);
    return { options, ...parseSort(args) };
  },
  async run(session, { options, criteria, charset, key }, line) {
    try {
      checkCriteria(session, key);
      requireCharset(charset);
      const withModseq = usesModseq(key);
      if (withModseq) session.condstore = true;
      const sorted = () => sortMessages(session, criteria, key);
      if (options) return await extendedSearch(session, { tag: line.tag, byUid: line.uid, correlator: correlator(line.tag), options, key }, sorted);
      const { uids, highestModseq } = await sorted();
      const numbers = line.uid ? uids : uids.map((uid) => session.seqOf(uid));
      await session.writer.respond(sortResponse(numbers, withModseq && numbers.length > 0 ? ` (MODSEQ ${highestModseq})` : ''));
    } catch (err) {
      forgetSavedOnFailure(session, options, err);
      throw err;
    }
  },
});
