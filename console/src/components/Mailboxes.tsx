// A mail account's mailboxes with message counts and sizes, and the total
// usage (GET /api/mail_account/<id>/mail_box, then each mailbox's counters).
import { get } from '../api.ts';
import { useLoad } from './async.ts';
import { ErrorText, Loading } from './feedback.tsx';
import { formatBytes } from './format.ts';
import { Table } from './Table.tsx';
import type { MailBox } from '../types.ts';

type Boxes = { data: Array<{ id: string; attributes: MailBox }> };

export function Mailboxes({ accountId, address }: { accountId: string; address: string }) {
  const boxes = useLoad(async () => {
    const listed = await get<Boxes>(`/api/mail_account/${accountId}/mail_box?sort=name&page[size]=500`);
    return Promise.all(listed.data.map(async (b) => (await get<{ data: { id: string; attributes: MailBox } }>(`/api/mail_box/${b.id}`)).data));
  }, [accountId]);
  if (boxes.error) return <ErrorText error={boxes.error} />;
  if (!boxes.data) return <Loading what="mailboxes" />;
  const used = boxes.data.reduce((sum, b) => sum + (b.attributes.size ?? 0), 0);
  return (
    <>
      <p>
        <strong>Usage:</strong> {formatBytes(used)} in {boxes.data.reduce((n, b) => n + (b.attributes.messages ?? 0), 0)} messages.{' '}
        <span class="muted">Quota: none set (quotas arrive with IMAP QUOTA).</span>
      </p>
      <Table
        caption={`Mailboxes of ${address}`}
        rows={boxes.data}
        rowKey={(b) => b.id}
        empty="No mailboxes."
        columns={[
          { label: 'Mailbox', cell: (b) => b.attributes.name },
          { label: 'Messages', cell: (b) => b.attributes.messages ?? '—', numeric: true },
          { label: 'Unseen', cell: (b) => b.attributes.unseen ?? '—', numeric: true },
          { label: 'Size', cell: (b) => formatBytes(b.attributes.size), numeric: true },
        ]}
      />
    </>
  );
}
