/**
 * Interleaves several time-ordered event streams into one (a k-way merge): CloudWatch answers one log
 * group per FilterLogEvents call, and an operator reading several services wants one timeline. Streams are
 * consumed page by page, so memory stays at one page per stream however long the window.
 */

export async function* mergeByTime<T>(
  sources: readonly AsyncIterable<T>[],
  timeOf: (item: T) => number,
): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  let heads: IteratorResult<T>[] = [];
  try {
    heads = await Promise.all(iterators.map((iterator) => iterator.next()));
    for (;;) {
      let pick = -1;
      let pickTime = Number.POSITIVE_INFINITY;
      heads.forEach((head, index) => {
        // Strict `<`: on equal times the earlier source wins, so the merge is stable.
        if (head.done !== true && (pick === -1 || timeOf(head.value) < pickTime)) {
          pick = index;
          pickTime = timeOf(head.value);
        }
      });
      const head = heads[pick];
      const iterator = iterators[pick];
      if (head === undefined || head.done === true || iterator === undefined) return;
      yield head.value;
      heads[pick] = await iterator.next();
    }
  } finally {
    // The consumer stopped early (or a source failed): let the other sources release what they hold.
    const unfinished = iterators.filter((_, index) => heads[index]?.done !== true);
    await Promise.allSettled(unfinished.map(async (iterator) => iterator.return?.()));
  }
}
