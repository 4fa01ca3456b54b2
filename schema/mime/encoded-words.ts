// RFC 2047 encoded words in header values.
import libmime from 'libmime';

/** Decodes RFC 2047 encoded words; text that does not decode stays as written. */
export function decodeWords(value: string | null): string {
  if (!value) return '';
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
