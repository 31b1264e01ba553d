/**
 * Repeated failed sign-ins for one identifier slow down: the first few are free, then
 * each further attempt must wait twice as long as the one before, up to a cap. The rule
 * is the same for identifiers with and without an account, so it reveals nothing.
 */
export const FREE_FAILURES = 3;
export const MAX_WAIT_SECONDS = 300;

export function secondsUntilNextAttempt(failures: number, lastFailureAt: Date, now: Date): number {
  if (failures < FREE_FAILURES) return 0;
  const waitSeconds = Math.min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_FAILURES + 1));
  const elapsedSeconds = (now.getTime() - lastFailureAt.getTime()) / 1000;
  return Math.max(0, Math.ceil(waitSeconds - elapsedSeconds));
}
