// CREATE (RFC 3501 §6.3.3); a trailing delimiter only declares intent (§6.3.3).
// The tagged OK names the new mailbox's MAILBOXID (RFC 8474 §4.1).
// CREATE-SPECIAL-USE (RFC 6154 §3): CREATE name (USE (\Archive)).
import { createMailbox, mailboxObjectId } from '../../schema/index.ts';
import { ParseError } from '../parser/tokens.ts';
import { mailboxName } from '../render/mailbox-name.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';
import { writeListLine } from './list-mailboxes.ts';
import { givenSpecialUse, USE_ATTR } from './special-use.ts';

export default defineCommand({
  name: 'CREATE',
  states: AUTHENTICATED,
  parse(args) {
    const name = args.mailbox().replace(/\/+$/, '');
    let uses: string[] = [];
    // RFC 4466 §2.2: CREATE mailbox [SP "(" create-param *(SP create-param) ")"].
    if (args.more) {
      const params = args.list('CREATE parameters');
      if (params.length === 0) throw new ParseError('empty CREATE parameter list');
      for (let i = 0; i < params.length; i++) {
        const param = params[i];
        // RFC 4466 §2.2: a parameter the server does not know is a BAD.
        if (param.t !== 'atom' || param.v.toUpperCase() !== 'USE') throw new ParseError('unknown CREATE parameter');
        const value = params[++i];
        if (value?.t !== 'list') throw new ParseError('USE needs a list of special-use attributes');
        uses = value.v.map((tok) => {
          if (tok.t !== 'atom' || !USE_ATTR.test(tok.v)) throw new ParseError('invalid special-use attribute');
          return tok.v;
        });
      }
    }
    args.end();
    return { name, uses };
  },
  async run(session, { name, uses }) {
    // RFC 6154 §3: a use that cannot be given refuses the whole CREATE, with [USEATTR].
    const specialUse = givenSpecialUse(uses);
    const mailbox = await createMailbox(session.deps.store, session.account!.id, name, { specialUse });
    // RFC 9051 §6.3.4: in IMAP4rev2, a name stored other than given (Unicode NFC,
    // "inbox/…" as "INBOX/…") is told with a LIST carrying the given name as OLDNAME.
    if (session.rev2 && mailbox.name !== name) {
      writeListLine(session, 'LIST', mailbox.name, specialUse ? [specialUse] : [], ` ("OLDNAME" (${mailboxName(name, session.utf8)}))`);
    }
    return { code: `MAILBOXID (${mailboxObjectId(mailbox.reference_id)})`, text: 'CREATE completed' };
  },
});
