// GETQUOTA (RFC 9208 §4.1.1): the limits and usage of a quota root. Each
// account has one root, "", covering all of its mailboxes.
import { accountQuota } from '../../schema/index.ts';
import { QUOTA_ROOT, quotaResponse } from '../render/quota.ts';
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'GETQUOTA',
  states: AUTHENTICATED,
  parse(args) {
    const root = args.astring('quota root');
    args.end();
    return { root };
  },
  async run(session, { root }) {
    if (root !== QUOTA_ROOT) throw new ImapResponse('NO', 'No such quota root', 'NONEXISTENT');
    session.writer.untagged(quotaResponse(await accountQuota(session.deps.store, session.account!.id)));
  },
});
