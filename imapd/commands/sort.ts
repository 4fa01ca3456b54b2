// SORT and UID SORT (RFC 5256 §3), with DISPLAYFROM and DISPLAYTO (RFC 5957)
// and the (MODSEQ n) that MODSEQ criteria add (RFC 7162 §3.1.5).
import { parseSort } from '../parser/sort-thread-args.ts';
import { usesModseq } from '../parser/search-keys.ts';
import { sortResponse } from '../render/number-lists.ts';
import { requireCharset } from '../search/charset.ts';
import { sortMessages } from '../sort/sort-messages.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'SORT',
  states: SELECTED,
  uid: true,
  parse: parseSort,
  async run(session, { criteria, charset, key }, line) {
    requireCharset(charset);
    const withModseq = usesModseq(key);
    if (withModseq) session.condstore = true;
    const { uids, highestModseq } = await sortMessages(session, criteria, key);
    const numbers = line.uid ? uids : uids.map((uid) => session.seqOf(uid));
    await session.writer.respond(sortResponse(numbers, withModseq && numbers.length > 0 ? ` (MODSEQ ${highestModseq})` : ''));
  },
});
