// RFC 3501 §6.4.5 BODY[section] extraction from the raw bytes and MIME tree.
import type { MimePart } from '../../schema/index.ts';

export interface SectionSpec {
  path: number[];
  text: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'MIME' | 'TEXT' | null;
  fields?: string[];
}

export function extractSection(raw: Buffer, root: MimePart, spec: SectionSpec): Buffer {
  void raw;
  void root;
  void spec;
  return Buffer.alloc(0);
}
