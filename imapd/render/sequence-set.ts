// Sets of numbers as IMAP writes them (RFC 3501 §9 sequence-set): "1:3,7".

/** "1:3,7" from ascending numbers. */
export function compactSet(nums: readonly number[]): string {
  return rangesText(toRanges(nums));
}

/** Ascending numbers as [from, to] ranges of consecutive ones. */
export function toRanges(nums: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const n of nums) appendRange(out, n, n);
  return out;
}

/** Adds [from, to] after the ranges so far (ascending), joining it to the last one when they touch. */
export function appendRange(ranges: Array<[number, number]>, from: number, to: number): void {
  const last = ranges[ranges.length - 1];
  if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
  else ranges.push([from, to]);
}

function rangesText(ranges: ReadonlyArray<[number, number]>): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(',');
}

/**
 * The ranges as sequence sets of at most `maxLength` characters each, so that a
 * long list goes out as several responses of bounded line length (VANISHED).
 */
export function chunkedSets(ranges: ReadonlyArray<[number, number]>, maxLength: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const [a, b] of ranges) {
    const piece = a === b ? `${a}` : `${a}:${b}`;
    if (current && current.length + 1 + piece.length > maxLength) {
      out.push(current);
      current = '';
    }
    current = current ? `${current},${piece}` : piece;
  }
  if (current) out.push(current);
  return out;
}
