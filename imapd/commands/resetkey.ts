// RESETKEY (RFC 4467 §7): with a mailbox, a new access key for it (every
// URLAUTH URL made with the old one stops working); without, every key of the
// user removed (every URL revoked; GENURLAUTH makes new keys as needed).
import { deleteMailboxAccessKeys, findMailbox, replaceMailboxAccessKey } from '../../schema/index.ts';
import { ImapResponse } from '../response.ts';
import { MECHANISMS, newSealedKey } from '../url/urlauth.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'RESETKEY',
  states: AUTHENTICATED,
  parse(args) {
    const name = args.more ? args.mailbox() : null;
    const mechanisms: string[] = [];
    while (args.more) mechanisms.push(args.atom('mechanism').toUpperCase());
    return { name, mechanisms };
  },
  async run(session, { name, mechanisms }) {
    const store = session.deps.store;
    const account = session.account!;
    const unknown = mechanisms.find((m) => !(MECHANISMS as readonly string[]).includes(m));
    if (unknown) throw new ImapResponse('BAD', `Unknown URLAUTH mechanism ${unknown}`);
    if (name === null) {
      await deleteMailboxAccessKeys(store, account.id);
      return { text: 'All keys removed' };
    }
    const mailbox = await findMailbox(store, account.id, name);
    if (!mailbox || mailbox.noselect) throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
    await replaceMailboxAccessKey(store, account.id, mailbox.id, newSealedKey(session));
    // RFC 4467 §8: URLMECH may come in the tagged OK of RESETKEY.
    return { code: `URLMECH ${MECHANISMS.join(' ')}`, text: 'RESETKEY completed' };
  },
});
