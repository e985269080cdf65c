/** When to try publishing again: 1 s, 2 s, 4 s … capped at 5 minutes, with ±20 % jitter. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;

export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(attempts, 20));
  return Math.round(base * (0.8 + 0.4 * random()));
}
