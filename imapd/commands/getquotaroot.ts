// GETQUOTAROOT (RFC 9208 §4.1.2): the quota roots of a mailbox (always the
// account's "") and their QUOTA responses.
import { accountQuota, findMailbox } from '../../schema/index.ts';
import { string } from '../render/quote.ts';
import { QUOTA_ROOT, quotaResponse } from '../render/quota.ts';
import { ImapResponse } from '../response.ts';
import { mailboxName } from '../render/mailbox-name.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'GETQUOTAROOT',
  states: AUTHENTICATED,
  parse(args) {
    const name = args.mailboxToFind();
    args.end();
    return { name };
  },
  async run(session, { name }) {
    const store = session.deps.store;
    const mailbox = name === null ? undefined : await findMailbox(store, session.account!.id, name);
    if (!mailbox || mailbox.noselect) throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
    session.writer.untagged(`QUOTAROOT ${mailboxName(mailbox.name, session.utf8)} ${string(QUOTA_ROOT)}`);
    session.writer.untagged(quotaResponse(await accountQuota(store, session.account!.id)));
  },
});
