// outbox: the outbound queue, read-only here (the queue's worker and its
// process_outbox action own the writes). A single read includes the queued
// message as base64 in `mail`.
import { z } from 'zod';
import type { ResourceDef } from './types.ts';

export const outboxResource: ResourceDef = {
  type: 'outbox',
  description: 'Queued outbound messages per destination host (read-only).',
  visibility: 'account',
  writers: { create: 'nobody', update: 'nobody', remove: 'nobody' },
  relations: { mail_account_id: { type: 'mail_account', column: 'mail_account_id' } },
  createAttributes: z.strictObject({}),
  updateAttributes: z.strictObject({}),
  search: ['from_address', 'to_address', 'to_host', 'message_id'],
  async present(_services, row, full) {
    return {
      to_address: JSON.parse(row.to_address as string) as unknown,
      recipient_status: JSON.parse(row.recipient_status as string) as unknown,
      ...(full ? { mail: (row.mail as Buffer).toString('base64') } : {}),
    };
  },
};
