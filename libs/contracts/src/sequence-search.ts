interface State<T> {
  next: Map<T, State<T>>;
  /** The state of the longest proper suffix of this one's path that is also a path. */
  fallback: State<T> | null;
  /** The needles that end here. */
  ends: number[];
  /** The nearest state down the fallbacks where a needle ends. */
  output: State<T> | null;
}

function state<T>(): State<T> {
  return { next: new Map(), fallback: null, ends: [], output: null };
}

/**
 * Finds many needles in a haystack in one pass over it (Aho–Corasick), over any items compared by
 * identity: a string's code units, a text's words. Linear in the haystack plus the needles however any of
 * them repeat, where a naive or backtracking search of a hostile needle in a hostile haystack is quadratic,
 * and where a search per needle costs needles × haystack.
 */
export class SequenceFinder<T> {
  private readonly root = state<T>();

  /** An empty needle is found nowhere. */
  constructor(needles: readonly ArrayLike<T>[]) {
    needles.forEach((needle, index) => {
      if (needle.length === 0) return;
      let at = this.root;
      for (let i = 0; i < needle.length; i++) {
        let child = at.next.get(needle[i]);
        if (!child) at.next.set(needle[i], (child = state()));
        at = child;
      }
      at.ends.push(index);
    });
    // Breadth first, so that every state's fallback is complete before its children need it.
    const queue: State<T>[] = [this.root];
    for (let head = 0; head < queue.length; head++) {
      const parent = queue[head];
      for (const [item, child] of parent.next) {
        child.fallback = parent === this.root ? this.root : this.step(parent.fallback ?? this.root, item);
        child.output = child.fallback.ends.length ? child.fallback : child.fallback.output;
        queue.push(child);
      }
    }
  }

  /**
   * Calls `found` with the index of the needle and the end of each occurrence in `haystack`, overlapping ones
   * included, for as long as it returns true. As many calls as occurrences: the caller bounds what it asks.
   */
  forEachMatch(haystack: ArrayLike<T>, found: (needle: number, end: number) => boolean): void {
    let at = this.root;
    for (let i = 0; i < haystack.length; i++) {
      at = this.step(at, haystack[i]);
      for (let match = at.ends.length ? at : at.output; match; match = match.output) {
        for (const needle of match.ends) if (!found(needle, i + 1)) return;
      }
    }
  }

  /** Which needles occur in `haystack`, by index: linear however often each occurs. */
  occurring(haystack: ArrayLike<T>): Set<number> {
    const occurring = new Set<number>();
    const reported = new Set<State<T>>();
    let at = this.root;
    for (let i = 0; i < haystack.length; i++) {
      at = this.step(at, haystack[i]);
      // A state reported before has had its whole output chain reported with it.
      for (let match = at.ends.length ? at : at.output; match && !reported.has(match); match = match.output) {
        reported.add(match);
        for (const needle of match.ends) occurring.add(needle);
      }
    }
    return occurring;
  }

  private step(from: State<T>, item: T): State<T> {
    let at: State<T> | null = from;
    while (at && !at.next.has(item)) at = at.fallback;
    return at ? at.next.get(item)! : this.root;
  }
}
