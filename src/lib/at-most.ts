/**
 * Runs at most `n` tasks at once; the others wait their turn, in order, in memory. A finishing task hands its slot
 * to the next waiter directly, so no newcomer slips in between.
 */
export function atMost(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next(); else running--;
    }
  };
}
