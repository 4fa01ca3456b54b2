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
