// THREAD and UID THREAD (RFC 5256 §4): ORDEREDSUBJECT, REFERENCES, and REFS
// (draft-ietf-morg-inthread).
import { parseThread } from '../parser/sort-thread-args.ts';
import { usesModseq } from '../parser/search-keys.ts';
import { threadResponse } from '../render/number-lists.ts';
import { requireCharset } from '../search/charset.ts';
import { checkCriteria } from '../search/session-rules.ts';
import { threadMessages } from '../thread/thread-messages.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'THREAD',
  states: SELECTED,
  uid: true,
  parse: parseThread,
  async run(session, { algorithm, charset, key }, line) {
    checkCriteria(session, key);
    requireCharset(charset);
    if (usesModseq(key)) session.condstore = true;
    const threads = await threadMessages(session, algorithm, key);
    await session.writer.respond(threadResponse(threads, line.uid ? (uid) => uid : (uid) => session.seqOf(uid)));
  },
});
