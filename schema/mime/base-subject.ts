// The base subject of RFC 5256 §2.1, which SORT (SUBJECT) and THREAD compare:
// the subject with the artifacts of replying and forwarding removed. The text
// is put in i;unicode-casemap form first (as Dovecot does, RFC 5256 §7), so
// "re", "fwd" and "(fwd)" are matched in upper case, and the result is the
// sort key itself.
//
//   subject      = *subj-leader [subj-middle] *subj-trailer      (RFC 5256 §5)
//   subj-refwd   = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
//   subj-blob    = "[" *BLOBCHAR "]" *WSP
//   subj-fwd     = subj-fwd-hdr subject subj-fwd-trl
//   subj-fwd-hdr = "[fwd:"      subj-fwd-trl = "]"
//   subj-leader  = (*subj-blob subj-refwd) / WSP
//   subj-trailer = "(fwd)" / WSP
import { casemap } from './casemap.ts';
import { decodeWords } from './encoded-words.ts';

export interface BaseSubject {
  /** The base subject in i;unicode-casemap form; "" when nothing is left. */
  subject: string;
  /**
   * RFC 5256 §4 (REFERENCES step 5): the message is a reply or forward when
   * the extraction removed a subj-refwd, a "(fwd)" subj-trailer, or a
   * subj-fwd-hdr and subj-fwd-trl.
   */
  replyOrForward: boolean;
}

/** The length of the subj-blob at `at` (its trailing space included), or 0 when there is none. */
function blobAt(s: string, at: number): number {
  if (s[at] !== '[') return 0;
  let i = at + 1;
  while (i < s.length && s[i] !== '[' && s[i] !== ']') i++;
  if (s[i] !== ']') return 0;
  i++;
  if (s[i] === ' ') i++; // *WSP: runs of whitespace are one space by now
  return i - at;
}

class Extraction {
  replyOrForward = false;
  constructor(public s: string) {}

  /** (2) Removes trailing "(fwd)" and whitespace, repeatedly. */
  trailers(): void {
    let end = this.s.length;
    for (;;) {
      if (this.s[end - 1] === ' ') end--;
      else if (end >= 5 && this.s.startsWith('(FWD)', end - 5)) {
        end -= 5;
        this.replyOrForward = true;
      } else break;
    }
    this.s = this.s.slice(0, end);
  }

  /** (3) Removes one subj-leader: a space, or blobs followed by a subj-refwd. */
  leader(): boolean {
    let removed = false;
    if (this.s.startsWith(' ')) {
      this.s = this.s.slice(1);
      removed = true;
    }
    let at = 0;
    while (this.s[at] === '[') {
      const blob = blobAt(this.s, at);
      if (blob === 0) return removed;
      at += blob;
    }
    const word = this.s.startsWith('RE', at) ? 2 : this.s.startsWith('FWD', at) ? 3 : this.s.startsWith('FW', at) ? 2 : 0;
    if (word === 0) return removed;
    at += word;
    if (this.s[at] === ' ') at++;
    if (this.s[at] === '[') {
      const blob = blobAt(this.s, at);
      if (blob === 0) return removed;
      at += blob;
    }
    if (this.s[at] !== ':') return removed;
    this.s = this.s.slice(at + 1);
    this.replyOrForward = true;
    return true;
  }

  /** (4) Removes a leading subj-blob when what follows it is not empty. */
  blob(): boolean {
    const blob = blobAt(this.s, 0);
    if (blob === 0 || blob === this.s.length) return false;
    this.s = this.s.slice(blob);
    return true;
  }

  /** (6) Removes a "[fwd:" … "]" wrapper around the whole text. */
  forwardWrapper(): boolean {
    if (!this.s.startsWith('[FWD:') || !this.s.endsWith(']')) return false;
    this.s = this.s.slice(5, -1);
    this.replyOrForward = true;
    return true;
  }
}

/**
 * The base subject of a Subject header value as written (null when there is
 * none), by the steps of RFC 5256 §2.1.
 */
export function baseSubject(header: string | null): BaseSubject {
  // (1) Encoded words to UTF-8; tabs, line breaks and runs of whitespace to one space.
  const x = new Extraction(casemap(decodeWords(header)).replace(/[ \t\r\n]+/g, ' '));
  do {
    x.trailers(); // (2)
    let found: boolean;
    do {
      found = x.leader(); // (3)
      found = x.blob() || found; // (4)
    } while (found); // (5)
  } while (x.forwardWrapper()); // (6), then again from (2)
  return { subject: x.s, replyOrForward: x.replyOrForward }; // (7)
}
