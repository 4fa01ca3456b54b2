// The SORT and THREAD responses (RFC 5256 §5), made piece by piece as the
// writer takes them, so a 100,000-message answer is never one string:
//   sort-data      = "SORT" *(SP nz-number)   [SP "(" "MODSEQ" SP mod-sequence-value ")"] (RFC 7162)
//   thread-data    = "THREAD" [SP 1*thread-list]
//   thread-list    = "(" (thread-members / thread-nested) ")"
//   thread-members = nz-number *(SP nz-number) [SP thread-nested]
//   thread-nested  = 2*thread-list
import type { ThreadNode } from '../thread/thread-tree.ts';

/** Widest number written: a UID or sequence number (up to 2^32 − 1) has 10 digits. */
const MAX_DIGITS = 10;

/**
 * `prefix n n n…suffix` as bytes, the digits written straight into one Buffer:
 * a SEARCH answer of 66,000 UIDs costs a third of what joining them as text
 * does. `prefix` and `suffix` are binary strings (one char per byte).
 */
export function numberListBytes(prefix: string, numbers: ArrayLike<number>, suffix = ''): Buffer {
  const out = Buffer.allocUnsafe(prefix.length + numbers.length * (MAX_DIGITS + 1) + suffix.length);
  let at = out.write(prefix, 0, 'latin1');
  const digits = new Uint8Array(MAX_DIGITS);
  for (let n = 0; n < numbers.length; n++) {
    let v = numbers[n];
    let k = 0;
    do {
      digits[k++] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
    out[at++] = 32;
    while (k > 0) out[at++] = digits[--k];
  }
  at += out.write(suffix, at, 'latin1');
  return out.subarray(0, at);
}

/** Text is handed to the writer in pieces of about this many characters. */
const PIECE = 16 * 1024;

/** `* SORT n n n…` (without CRLF), numbers in the order given. */
export function* sortResponse(numbers: readonly number[], suffix = ''): Generator<string> {
  let out = '* SORT';
  for (const n of numbers) {
    out += ' ' + n;
    if (out.length >= PIECE) {
      yield out;
      out = '';
    }
  }
  yield out + suffix;
}

/**
 * `* THREAD (…)(…)` (without CRLF). A message with one child is followed by
 * it in the same list ("3 6"); with several, each child's thread is a nested
 * list ("3 (4 23)(44 7)"); a dummy shows only its children's lists.
 */
export function* threadResponse(threads: readonly ThreadNode[], numberOf: (uid: number) => number): Generator<string> {
  let out = '* THREAD';
  if (threads.length > 0) out += ' ';
  // Work left, last first: text to write, or a node whose members to write.
  const stack: Array<string | ThreadNode> = [];
  const lists = (nodes: readonly ThreadNode[]) => {
    for (let i = nodes.length - 1; i >= 0; i--) stack.push(')', nodes[i], '(');
  };
  lists(threads);
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') out += item;
    else {
      const { uid, children } = item;
      if (uid !== null) out += numberOf(uid);
      if (children.length === 1) {
        if (uid !== null) out += ' ';
        stack.push(children[0]);
      } else if (children.length > 1) {
        if (uid !== null) out += ' ';
        lists(children);
      }
    }
    if (out.length >= PIECE) {
      yield out;
      out = '';
    }
  }
  yield out;
}
