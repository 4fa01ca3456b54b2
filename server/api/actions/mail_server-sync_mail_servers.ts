// mail_server/sync_mail_servers: reload the SMTP listeners from the mail_server
// rows. Writes already trigger the reload; this is Daptin's explicit form of it.
import { z } from 'zod';
import { requestMailServerReload } from '../../../schema/index.ts';
import { notify, type ActionDef } from './types.ts';

export const syncMailServers: ActionDef = {
  type: 'mail_server',
  name: 'sync_mail_servers',
  summary: 'Reload SMTP listeners from the mail_server rows (no restart needed)',
  who: 'admin',
  subject: false,
  attributes: z.object({}),
  async run(caller) {
    await requestMailServerReload(caller.store);
    return [notify('Mail servers reloaded')];
  },
};
