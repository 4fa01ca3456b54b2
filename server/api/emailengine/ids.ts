// The mail API's ids. A message's id is its `mail` row's reference_id (a UUID,
// the same id the JSON:API /api/mail/:id and the submit `reference` use): URL
// safe, opaque, and stable for as long as the message stays in its mailbox
// (a move makes a new message with a new id, as in EmailEngine). An
// attachment's id and a message's text id are base64url of that UUID's 16
// bytes followed by the IMAP part number ("2", "1.2") or by "T" for the text.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PART = /^[1-9]\d{0,5}(\.[1-9]\d{0,5}){0,31}$/;
const TEXT = 'T';

export const isMessageId = (id: string): boolean => UUID.test(id);

function pack(messageId: string, suffix: string): string {
  return Buffer.concat([Buffer.from(messageId.replace(/-/g, ''), 'hex'), Buffer.from(suffix, 'latin1')]).toString('base64url');
}

function unpack(id: string): { messageId: string; suffix: string } | null {
  if (!/^[A-Za-z0-9_-]{23,400}$/.test(id)) return null;
  const bytes = Buffer.from(id, 'base64url');
  if (bytes.length < 17) return null;
  const hex = bytes.subarray(0, 16).toString('hex');
  const messageId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { messageId, suffix: bytes.subarray(16).toString('latin1') };
}

export const attachmentId = (messageId: string, part: string): string => pack(messageId, part);
export const textId = (messageId: string): string => pack(messageId, TEXT);

/** The message and part number an attachment id names, or null when it is not one. */
export function parseAttachmentId(id: string): { messageId: string; part: string } | null {
  const found = unpack(id);
  return found && PART.test(found.suffix) ? { messageId: found.messageId, part: found.suffix } : null;
}

/** The message a text id names, or null when it is not one. */
export function parseTextId(id: string): string | null {
  const found = unpack(id);
  return found && found.suffix === TEXT ? found.messageId : null;
}
