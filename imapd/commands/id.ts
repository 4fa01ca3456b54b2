// ID (RFC 2971): the client's fields are read and ignored; we name ourselves.
import { ParseError } from '../parser/tokens.ts';
import { ANY, defineCommand } from './command.ts';

export default defineCommand({
  name: 'ID',
  states: ANY,
  parse(args) {
    const tok = args.next('ID parameters');
    if (tok.t === 'atom' && tok.v.toUpperCase() !== 'NIL') throw new ParseError('expected NIL or a list');
    if (tok.t === 'list' && (tok.v.length > 60 || tok.v.length % 2 !== 0)) throw new ParseError('invalid ID list');
    args.end();
    return null;
  },
  async run(session) {
    session.writer.untagged('ID ("name" "Heron" "vendor" "Heron")');
  },
});
