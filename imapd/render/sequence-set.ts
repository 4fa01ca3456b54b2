// Numbers as an IMAP sequence set (RFC 3501 §9 sequence-set): runs of
// consecutive ascending numbers become ranges, everything else stays in the
// order given (RFC 5267 §3.2: a range always reads upwards), so a sorted
// result keeps its order and a mailbox-ordered one gets its shortest form.

/** "1:3,7" from [1, 2, 3, 7]; [7, 3, 2] stays "7,3,2". */
export function compactSet(nums: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < nums.length; i++) {
    const start = nums[i];
    while (i + 1 < nums.length && nums[i + 1] === nums[i] + 1) i++;
    out.push(start === nums[i] ? `${start}` : `${start}:${nums[i]}`);
  }
  return out.join(',');
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
