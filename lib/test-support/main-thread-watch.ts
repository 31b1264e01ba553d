/**
 * How long a piece of work kept this process's main thread busy: a 20 ms interval ticks while it
 * runs, and the longest gap between ticks is the longest the thread could not answer anything.
 */
export function watchMainThread(): { maxGapMs: () => number; stop: () => void } {
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 20);
  return { maxGapMs: () => Math.max(maxGapMs, performance.now() - last), stop: () => clearInterval(ticker) };
}

/** Runs `work` under watchMainThread. */
export async function watched<T>(work: () => Promise<T>): Promise<{ value: T; elapsedMs: number; maxGapMs: number }> {
  const watch = watchMainThread();
  const started = performance.now();
  try {
    const value = await work();
    return { value, elapsedMs: performance.now() - started, maxGapMs: watch.maxGapMs() };
  } finally {
    watch.stop();
  }
}
