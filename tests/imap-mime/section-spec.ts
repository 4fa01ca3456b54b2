// Turns a section text such as "2.1.HEADER.FIELDS (Subject)" into a SectionSpec
// (the IMAP parser does this in the server; tests need only this small form).
import type { SectionSpec } from '../../imapd/mime/section.ts';

export function parseSectionSpec(section: string): SectionSpec {
  const m = /^((?:\d+\.)*\d+)?\.?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)?(?: \(([^)]*)\))?$/i.exec(section);
  if (!m) throw new Error('bad section ' + section);
  return {
    path: m[1] ? m[1].split('.').map(Number) : [],
    text: (m[2]?.toUpperCase() as SectionSpec['text']) ?? null,
    fields: m[3] ? m[3].split(' ') : undefined,
  };
}
