/**
 * What a replica does between SIGTERM (a rolling update, a scale-down, a deleted pod) or SIGINT
 * and its exit: first it hands its background work over — the steps given at start-up, such as
 * letting go of its deployment leases so another replica takes them over at once instead of
 * after the lease runs out — and then the server's own shutdown runs as it would have (Next.js
 * stops accepting connections, finishes the requests in flight and exits).
 *
 * The server registers its signal handlers before the app's start-up runs, and exits as soon as
 * its listener is closed, which can be before a database write of ours is done. So the handlers
 * it registered are taken off and called after the hand-over, which is bounded by `timeoutMs`
 * (a database that does not answer must not hold a pod past its grace period). With no server
 * (a replica run by a test), the process exits by itself with the signal's conventional code.
 */

export interface HandOverStep {
  /** What is handed over, for the log line. */
  name: string;
  run(): Promise<unknown>;
}

const SIGNALS = { SIGTERM: 15, SIGINT: 2 } as const;
type Signal = keyof typeof SIGNALS;

const globalForShutdown = globalThis as unknown as { privatejetShutdown?: { steps: HandOverStep[]; started: boolean } };

export function handOverOnShutdown(steps: HandOverStep[], options: { timeoutMs?: number } = {}): void {
  if (globalForShutdown.privatejetShutdown) {
    globalForShutdown.privatejetShutdown.steps.push(...steps);
    return;
  }
  const state: { steps: HandOverStep[]; started: boolean } = { steps: [...steps], started: false };
  globalForShutdown.privatejetShutdown = state;
  const timeoutMs = options.timeoutMs ?? 10_000;
  for (const signal of Object.keys(SIGNALS) as Signal[]) {
    const serverHandlers = process.listeners(signal);
    process.removeAllListeners(signal);
    const serverShutdown = () => {
      if (serverHandlers.length === 0) process.exit(128 + SIGNALS[signal]);
      for (const handler of serverHandlers) {
        try {
          (handler as (signal: Signal) => void)(signal);
        } catch (error) {
          console.error('PrivateJet: stopping: the server\'s shutdown failed:', error);
          process.exit(128 + SIGNALS[signal]);
        }
      }
    };
    process.on(signal, () => {
      // A second signal (a second Ctrl-C) does not wait for the hand-over any more.
      if (state.started) return serverShutdown();
      state.started = true;
      void handOver(state.steps, timeoutMs).finally(serverShutdown);
    });
  }
}

async function handOver(steps: HandOverStep[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcomes = steps.map((step) =>
    Promise.resolve()
      .then(() => step.run())
      .then(
        () => `${step.name}: handed over`,
        (error: unknown) => `${step.name}: not handed over (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      ),
  );
  const done = await Promise.race([Promise.all(outcomes), deadline]);
  clearTimeout(timer);
  console.log(`PrivateJet: stopping: ${done === 'timeout' ? `the hand-over took longer than ${timeoutMs} ms, stopping anyway` : done.join('; ')}`);
}
