// The UIDs a session shows as \Recent (RFC 3501 §2.3.2), kept as ascending
// runs of its UIDs rather than a set of numbers: a session claims \Recent for
// a range of UIDs at SELECT and for each batch of new mail, so a mailbox of
// 100,000 recent messages is one run, and FETCH FLAGS asking about every one
// of them does a comparison, not a hash lookup, per message.
//
// A run [from, to] means: every UID of the session's list between from and to
// is recent. has() is only asked about UIDs of that list; a UID the list never
// held (expunged before the session learned of it) may fall inside a run
// without being counted, since UIDs only grow and such gaps are never filled.

export class RecentUids {
  private from: number[] = [];
  private to: number[] = [];
  /** The recent UIDs of the session's list (the RECENT count). */
  size = 0;

  /** Adds the session's UIDs from `from` to `to`, `count` of them, all above every UID held. */
  addRun(from: number, to: number, count: number): void {
    if (count <= 0) return;
    this.from.push(from);
    this.to.push(to);
    this.size += count;
  }

  /** Adds a UID above every one held; `previous` is the UID before it in the session's list (none: 0). */
  add(uid: number, previous: number): void {
    const last = this.to.length - 1;
    // The next UID of the list after the last run: the run grows.
    if (last >= 0 && this.to[last] === previous) this.to[last] = uid;
    else {
      this.from.push(uid);
      this.to.push(uid);
    }
    this.size++;
  }

  has(uid: number): boolean {
    const last = this.to.length - 1;
    if (last < 0 || uid > this.to[last]) return false;
    if (uid >= this.from[last]) return true;
    const j = this.runAt(uid);
    return j >= 0;
  }

  /**
   * Keeps only the UIDs still in the session's list (after expunges): the
   * runs are made again from the list, one pass, so removing thousands of
   * messages from a run costs no more than removing one.
   */
  retain(uids: ArrayLike<number>): void {
    const from: number[] = [];
    const to: number[] = [];
    let size = 0;
    let previous = 0;
    for (let i = 0; i < uids.length; i++) {
      const uid = uids[i];
      if (this.has(uid)) {
        if (to.length > 0 && to[to.length - 1] === previous) to[to.length - 1] = uid;
        else {
          from.push(uid);
          to.push(uid);
        }
        size++;
      }
      previous = uid;
    }
    this.from = from;
    this.to = to;
    this.size = size;
  }

  /** Index of the run holding `uid`, or -1. */
  private runAt(uid: number): number {
    let lo = 0;
    let hi = this.to.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.to[mid] < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.to.length && this.from[lo] <= uid ? lo : -1;
  }
}
