// COMPRESS (RFC 4978 §3): DEFLATE is the only mechanism; the tagged OK goes
// out uncompressed and both directions are compressed right after it.
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'COMPRESS',
  // RFC 4978 §5: command-auth, so never before login.
  states: AUTHENTICATED,
  parse(args) {
    const mechanism = args.atom('compression mechanism').toUpperCase();
    args.end();
    if (mechanism !== 'DEFLATE') throw new ImapResponse('BAD', `Unknown compression mechanism ${mechanism}`);
    return null;
  },
  async run(session) {
    if (session.compressed) throw new ImapResponse('NO', 'DEFLATE is already active', 'COMPRESSIONACTIVE');
    return { text: 'DEFLATE active', after: () => session.startCompression() };
  },
});
