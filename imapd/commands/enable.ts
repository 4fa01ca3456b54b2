// ENABLE (RFC 5161): CONDSTORE and QRESYNC (RFC 7162 §3.1.1, §3.2.3),
// IMAP4rev2 (RFC 9051 §6.3.1) and UTF8=ACCEPT (RFC 6855 §3) can be enabled.
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'ENABLE',
  states: AUTHENTICATED,
  parse(args) {
    const names: string[] = [];
    while (args.more) names.push(args.atom('capability').toUpperCase());
    if (names.length === 0) args.atom('capability');
    return { names };
  },
  async run(session, { names }) {
    // RFC 5161 §3.1: ENABLED lists what this command enabled, each once, and nothing it was not asked for.
    const enabled = new Set<string>();
    for (const name of names) {
      if (name === 'CONDSTORE') {
        session.condstore = true;
        enabled.add(name);
      } else if (name === 'QRESYNC') {
        // RFC 7162 §3.2.3: enabling QRESYNC enables CONDSTORE too.
        session.qresync = true;
        session.condstore = true;
        enabled.add(name);
      } else if ((name === 'IMAP4REV2' || name === 'UTF8=ACCEPT') && session.state === 'auth') {
        // RFC 5161 §3.1, RFC 9051 §6.3.1: ENABLE belongs before any SELECT. These
        // two change how the selected mailbox is reported (\Recent, names), so
        // once one is selected they are not enabled (and not listed) at all.
        if (name === 'IMAP4REV2') session.rev2 = true;
        else session.utf8Accept = true;
        enabled.add(name === 'IMAP4REV2' ? 'IMAP4rev2' : name);
      }
    }
    session.writer.untagged(`ENABLED${[...enabled].map((n) => ' ' + n).join('')}`);
  },
});
