// The golden corpus: hostile messages in golden/*.eml and Dovecot 2.3's FETCH
// output for them in golden/*.expected.json (recorded by record-golden.ts).
// Where Heron deliberately differs, golden/<name>.heron.json holds Heron's
// expected value for that item and the reason.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Envelope, MimePart } from '../../schema/index.ts';
import { renderBodyStructure } from '../../imapd/mime/bodystructure.ts';
import { renderEnvelope } from '../../imapd/mime/envelope.ts';
import { extractSection } from '../../imapd/mime/section.ts';
import { parseImapValue } from './imap-tokens.ts';
import { parseSectionSpec } from './section-spec.ts';

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
  '2.2.HEADER',
  '2.2.TEXT',
  '2.2.MIME',
  '2.2.1',
  '2.2.1.MIME',
  '2.2.HEADER.FIELDS.NOT (FROM)',
  '2.1.1',
];

export type RenderedItem = 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE';

interface Recorded {
  ENVELOPE: string;
  BODY: string;
  BODYSTRUCTURE: string;
  /** null: Dovecot answered NIL. */
  sections: Record<string, string | null>;
}
interface Override extends Partial<Omit<Recorded, 'sections'>> {
  why: string;
  sections?: Record<string, string>;
}

export interface GoldenCase {
  name: string;
  /** The message as given to Heron (the CRLF form for lf-*.eml, which is what Dovecot's record describes). */
  raw: Buffer;
  /** Expected rendered item, as a binary string. */
  item(item: RenderedItem): string;
  /** Expected BODY[section] bytes, as a binary string. */
  section(section: string): string;
}

export function goldenNames(): string[] {
  return fs
    .readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function loadGolden(name: string): GoldenCase {
  let raw = fs.readFileSync(path.join(GOLDEN_DIR, name + '.eml'));
  // Dovecot serves bare-LF messages with CRLF line ends.
  if (name.startsWith('lf-')) raw = Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  const recorded = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, name + '.expected.json'), 'utf8')) as Recorded;
  const overrideFile = path.join(GOLDEN_DIR, name + '.heron.json');
  const override = fs.existsSync(overrideFile) ? (JSON.parse(fs.readFileSync(overrideFile, 'utf8')) as Override) : null;
  return {
    name,
    raw,
    item: (item) => override?.[item] ?? recorded[item],
    section: (section) => override?.sections?.[section] ?? recorded.sections[section] ?? '',
  };
}

/** Asserts Heron's output for one corpus message from its stored envelope and tree. */
export function assertMatchesGolden(golden: GoldenCase, raw: Buffer, envelope: Envelope, root: MimePart): void {
  const actual = {
    ENVELOPE: renderEnvelope(envelope),
    BODY: renderBodyStructure(root, false),
    BODYSTRUCTURE: renderBodyStructure(root, true),
  };
  for (const item of ['ENVELOPE', 'BODY', 'BODYSTRUCTURE'] as const) {
    const want = golden.item(item);
    assert.deepEqual(parseImapValue(actual[item]), parseImapValue(want), `${golden.name} ${item}\nheron:   ${actual[item]}\nexpected: ${want}`);
  }
  for (const section of GOLDEN_SECTIONS) {
    const got = extractSection(raw, root, parseSectionSpec(section)).toString('latin1');
    assert.equal(got, golden.section(section), `${golden.name} BODY[${section}]`);
  }
}
