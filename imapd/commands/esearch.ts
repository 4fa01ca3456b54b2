// ESEARCH (RFC 7377, MULTISEARCH): one search over several mailboxes of the
// account, in the authenticated state too. Each mailbox with a match gets one
// `* ESEARCH (TAG "t" MAILBOX "m" UIDVALIDITY n) UID …` response, always in
// UIDs (§2.1); a mailbox without one gets none. The selected mailbox is
// searched as its client sees it; the others as they are in the store, with
// the same evaluator (search/evaluate.ts).
import { mailboxName } from '../render/mailbox-name.ts';
import { parseSearch, usesModseq } from '../parser/search-keys.ts';
import { ImapResponse } from '../response.ts';
import { evaluateSearch } from '../search/evaluate.ts';
import { requireCharset } from '../search/charset.ts';
import { type ExtendedSearch, forgetSavedOnFailure, keepUpdated, mayKeepUpdated, saveResult, writeEsearch } from '../search/extended-search.ts';
import { mailboxesOf, mailboxView, readSourceOptions } from '../search/mailbox-sources.ts';
import { correlator, readReturnOptions, returnAll } from '../search/return-options.ts';
import { checkSearch } from '../search/session-rules.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'ESEARCH',
  states: AUTHENTICATED,
  parse(args) {
    // RFC 7377 §4: esearch = "ESEARCH" [SP esearch-source-opts] [SP search-return-opts] SP search-program.
    const sources = readSourceOptions(args) ?? [{ kind: 'selected' as const }];
    // §2.1: without result options, ALL.
    const options = readReturnOptions(args) ?? returnAll();
    return { sources, options, ...parseSearch(args) };
  },
  async run(session, { sources, options, charset, key }, line) {
    const selected = session.selected;
    // §2.2: "selected" needs the selected state; SAVE only with "selected" alone; UPDATE only with a mailbox selected.
    if (sources.some((s) => s.kind === 'selected') && !selected) throw new ImapResponse('BAD', 'No mailbox is selected');
    const onlySelected = sources.every((s) => s.kind === 'selected');
    if (options.save && !onlySelected) throw new ImapResponse('BAD', 'SAVE is valid only when searching the selected mailbox alone');
    if (options.update && !selected) throw new ImapResponse('BAD', 'UPDATE needs a selected mailbox');
    try {
      checkSearch(session, charset, key);
      requireCharset(charset);
      if (usesModseq(key)) session.condstore = true;
      const store = session.deps.store;
      const boxes = await mailboxesOf(store, session.account!.id, selected?.mailbox.id ?? null, sources);
      const live = options.update && mayKeepUpdated(session, line.tag, boxes.some((b) => b.id === selected!.mailbox.id));
      for (const box of boxes) {
        const isSelected = box.id === selected?.mailbox.id;
        const view = isSelected ? session : await mailboxView(store, box);
        const search: ExtendedSearch = { tag: line.tag, byUid: true, correlator: correlator(line.tag, { name: mailboxName(box.name, session.utf8), uidvalidity: box.uidvalidity }), options, key };
        const result = await evaluateSearch(view, key);
        if (result.uids.length > 0) await writeEsearch(session, view, search, result);
        if (isSelected && options.save) saveResult(session, options, result.uids);
        if (isSelected && live) keepUpdated(session, search, result.uids);
        await session.writer.drain();
      }
    } catch (err) {
      forgetSavedOnFailure(session, options, err);
      throw err;
    }
  },
});
