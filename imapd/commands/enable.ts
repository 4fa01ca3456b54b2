// ENABLE (RFC 5161): only CONDSTORE can be enabled.
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
    const enabled: string[] = [];
    if (names.includes('CONDSTORE')) {
      session.condstore = true;
      enabled.push('CONDSTORE');
    }
    session.writer.untagged(`ENABLED${enabled.map((n) => ' ' + n).join('')}`);
  },
});
