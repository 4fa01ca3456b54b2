// Cutting stored keys to a size: a text column that an index holds must stay
// below the engines' index entry limits (PostgreSQL: about 2.7 KB).

/** `text` cut to at most `max` UTF-8 bytes, on a character boundary. */
export function truncateBytes(text: string, max: number): string {
  if (text.length * 3 <= max || Buffer.byteLength(text) <= max) return text;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > max) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}
