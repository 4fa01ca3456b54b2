// The golden corpus: hostile messages in golden/*.eml and Dovecot 2.3's FETCH
// output for them in golden/*.expected.json (recorded by record-golden.ts).
import path from 'node:path';

export const GOLDEN_DIR = path.join(import.meta.dirname, 'golden');

/** BODY[section] specs fetched for every corpus message. */
export const GOLDEN_SECTIONS = [
  'HEADER',
  'TEXT',
  'HEADER.FIELDS (Subject x-custom)',
  'HEADER.FIELDS.NOT (subject TO)',
  'HEADER.FIELDS (NONEXISTENT)',
  '1',
  '1.MIME',
  '1.HEADER',
  '1.TEXT',
  '2',
  '2.MIME',
  '2.HEADER',
  '2.TEXT',
  '2.HEADER.FIELDS (SUBJECT)',
  '2.1',
  '2.1.MIME',
  '2.2',
  '1.1',
  '1.1.MIME',
  '1.2',
  '1.1.1',
  '3',
  '3.MIME',
  '3.1',
  '4',
  '9',
];
