// NOTIFY (RFC 5465): NOTIFY SET [STATUS] (filter events)… replaces what the
// session is told of unasked; NOTIFY NONE stops it. Parsing is in
// imapd/notify/spec.ts, the watching in imapd/notify/notifier.ts.
import { Notifier } from '../notify/notifier.ts';
import { parseNotify } from '../notify/spec.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'NOTIFY',
  states: AUTHENTICATED,
  parse: parseNotify,
  async run(session, spec) {
    session.notifications?.stop();
    session.notifications = null;
    // RFC 5465 §3.1: a successful NOTIFY SET implies a NOOP (the selected mailbox's news before the OK).
    session.poll();
    if (spec) session.notifications = await Notifier.start(session, spec);
  },
});
