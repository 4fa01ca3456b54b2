// mail_box/status: the IMAP STATUS counters of a mailbox (messages, unseen,
// recent, uidnext, uidvalidity, highestmodseq, size), its latest message, and
// one page of its messages, newest first.
import { z } from 'zod';
import { mailboxStatus, queryRows } from '../../../schema/index.ts';
import { presentRows } from '../query/list.ts';
import { MAX_PAGE_SIZE } from '../query/params.ts';
import { mailResource } from '../resources/mail.ts';
import type { ActionDef } from './types.ts';

const Attributes = z.object({
  page_number: z.coerce.number().int().min(1).max(1e9).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(10),
});

export const mailBoxStatus: ActionDef = {
  type: 'mail_box',
  name: 'status',
  summary: 'Counters, UIDNEXT/UIDVALIDITY, latest message and a page of messages of a mailbox',
  who: 'user',
  subject: true,
  attributes: Attributes,
  async run(caller, subject, attributes) {
    const box = subject!;
    const page = attributes as z.infer<typeof Attributes>;
    const status = await mailboxStatus(caller.store, box.id);
    const { rows, total } = await queryRows(caller.store, {
      table: 'mail',
      conditions: [{ column: 'mail_box_id', operator: 'is', value: box.reference_id }],
      sort: [{ column: 'uid', descending: true }],
      limit: page.page_size,
      offset: (page.page_number - 1) * page.page_size,
    });
    const mails = await presentRows(caller, mailResource, rows, { full: false });
    const latest = page.page_number === 1 ? (mails[0] ?? null) : null;
    return [
      {
        ResponseType: 'mail_box.status',
        Attributes: {
          mail_box_id: box.reference_id,
          name: box.name,
          messages: status.messages,
          unseen: status.unseen,
          recent: status.recent,
          uidnext: status.uidnext,
          nextuid: status.uidnext,
          uidvalidity: status.uidvalidity,
          highestmodseq: status.highestmodseq,
          size: status.size,
          first_unseen: status.firstUnseenSeq,
          latest,
          mails,
          page: { number: page.page_number, size: page.page_size, count: Math.max(1, Math.ceil(total / page.page_size)), total_count: total },
        },
      },
    ];
  },
};
