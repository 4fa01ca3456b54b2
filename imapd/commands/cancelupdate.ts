// CANCELUPDATE (RFC 5267 §4.3.5): the live searches named by their tags stop
// sending ADDTO/REMOVEFROM. Its arguments are quoted tags (§5: 1*(SP quoted)).
// A tag without a live search is NO and ends none of them.
import { ParseError } from '../parser/tokens.ts';
import { ImapResponse } from '../response.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'CANCELUPDATE',
  states: SELECTED,
  parse(args) {
    const tags: string[] = [];
    while (args.more) {
      const tok = args.next('tag');
      if (tok.t !== 'string' || tok.literal) throw new ParseError('expected a quoted tag');
      tags.push(tok.v.toString('latin1'));
    }
    if (tags.length === 0) throw new ParseError('missing tag');
    return { tags };
  },
  async run(session, { tags }) {
    if (!session.selected!.contexts.cancel(tags)) throw new ImapResponse('NO', 'No live search has that tag');
  },
});
