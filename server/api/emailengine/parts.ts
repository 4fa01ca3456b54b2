// A message's MIME tree (stored at delivery) as EmailEngine presents it: every
// leaf with its IMAP part number (RFC 3501 §6.4.5), split into attachments
// (a Content-Disposition of attachment, or anything but text/plain and
// text/html) and text parts, walking into attached messages as EmailEngine
// does: their attachments are marked encodedInMessage, their text parts join
// the message's text after its own.
import { decodeWords, type MimePart } from '../../../schema/index.ts';
import { attachmentId } from './ids.ts';

export interface NumberedPart {
  /** IMAP part number: "1" for a single-part message, "2.1" inside the second part. */
  part: string;
  node: MimePart;
  /** Inside a multipart/related (an image the HTML shows). */
  related: boolean;
  /** Inside an attached message/rfc822. */
  enclosed: boolean;
}

/** EmailEngine's attachment entry. */
export interface AttachmentEntry {
  id: string;
  contentType: string;
  encodedSize: number;
  embedded: boolean;
  inline: boolean;
  encodedInMessage: boolean;
  filename?: string;
  contentId?: string;
  method?: string;
}

export type TextKind = 'plain' | 'html';

export interface MessageParts {
  attachments: AttachmentEntry[];
  /** Text parts in message order, by kind. */
  text: Record<TextKind, NumberedPart[]>;
  /** Encoded (as stored) sizes of the text parts, per kind present. */
  encodedSize: Partial<Record<TextKind, number>>;
}

function* walk(node: MimePart, number: string, related: boolean, enclosed: boolean): Generator<NumberedPart> {
  if (node.type === 'multipart') {
    const inRelated = related || node.subtype === 'related';
    for (const [i, child] of (node.parts ?? []).entries()) yield* walk(child, number ? `${number}.${i + 1}` : String(i + 1), inRelated, enclosed);
    return;
  }
  const part = number || '1';
  yield { part, node, related, enclosed };
  // RFC 3501 §6.4.5: the numbers of an attached message continue below its own
  // (its multipart's children are part.1, part.2; a single body is part.1).
  if (node.type === 'message' && node.subtype === 'rfc822' && node.message) {
    const inner = node.message.root;
    yield* walk(inner, inner.type === 'multipart' ? part : `${part}.1`, related, true);
  }
}

export const numberedParts = (root: MimePart): Generator<NumberedPart> => walk(root, '', false, false);

export function findPart(root: MimePart, part: string): NumberedPart | undefined {
  for (const p of numberedParts(root)) if (p.part === part) return p;
  return undefined;
}

const isText = (node: MimePart) => node.type === 'text' && (node.subtype === 'plain' || node.subtype === 'html');

/** Whether EmailEngine lists a leaf as an attachment (else it is text). */
export const isAttachment = (node: MimePart): boolean => node.disposition?.type === 'attachment' || !isText(node);

/** The file name a part carries (Content-Disposition filename, else Content-Type name), decoded. */
export function fileName(node: MimePart): string | undefined {
  const name = node.disposition?.params.filename || node.params.name;
  return name ? decodeWords(name) : undefined;
}

export function messageParts(messageId: string, root: MimePart): MessageParts {
  const out: MessageParts = { attachments: [], text: { plain: [], html: [] }, encodedSize: {} };
  for (const p of numberedParts(root)) {
    const { node } = p;
    if (isAttachment(node)) {
      const filename = fileName(node);
      const method = node.type === 'text' && node.subtype === 'calendar' ? node.params.method : undefined;
      out.attachments.push({
        id: attachmentId(messageId, p.part),
        contentType: `${node.type}/${node.subtype}`,
        encodedSize: node.size,
        embedded: p.related,
        inline: node.disposition?.type === 'inline' || (!node.disposition && p.related),
        encodedInMessage: p.enclosed,
        ...(filename ? { filename } : {}),
        ...(node.id ? { contentId: node.id } : {}),
        ...(method ? { method } : {}),
      });
    } else if (!node.disposition || node.disposition.type === 'inline') {
      const kind = node.subtype as TextKind;
      out.text[kind].push(p);
      out.encodedSize[kind] = (out.encodedSize[kind] ?? 0) + node.size;
    }
  }
  return out;
}
