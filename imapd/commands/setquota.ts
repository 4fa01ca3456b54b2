// SETQUOTA (RFC 9208 §4.1.3): parsed, then refused. Limits are set by an
// administrator through the admin API (mail_account quota_* attributes), so
// the QUOTASET capability is not advertised (RFC 9208 §3.2).
import { ParseError } from '../parser/tokens.ts';
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

const RESOURCE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export default defineCommand({
  name: 'SETQUOTA',
  states: AUTHENTICATED,
  parse(args) {
    args.astring('quota root');
    const list = args.list('resource limits');
    args.end();
    // setquota_list = "(" [setquota_resource *(SP setquota_resource)] ")"; setquota_resource = resource-name SP number64
    if (list.length % 2 !== 0) throw new ParseError('expected resource name and limit pairs');
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i];
      const limit = list[i + 1];
      if (name.t !== 'atom' || !RESOURCE.test(name.v)) throw new ParseError('expected resource name');
      if (limit.t !== 'atom' || !/^\d{1,19}$/.test(limit.v)) throw new ParseError('expected resource limit');
    }
    return null;
  },
  async run() {
    throw new ImapResponse('NO', 'Quotas are set by an administrator', 'NOPERM');
  },
});
