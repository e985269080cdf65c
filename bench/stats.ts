/**
 * Timing samples for the benchmarks: one discarded warm-up run, then N timed runs,
 * summarised by median and p90 (nearest rank, so with 7 runs p90 is the slowest).
 */

export interface Summary {
  runs: number;
  medianMs: number;
  p90Ms: number;
}

/** The value at percentile `p` (0–100) of `samples`, nearest-rank method. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('"samples" must not be empty');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  return { runs: samples.length, medianMs: percentile(samples, 50), p90Ms: percentile(samples, 90) };
}

/**
 * One thing to time. `run` returns its own duration in ms when it measures itself
 * (e.g. inside a browser page), or nothing to be timed here with `performance.now()`.
 */
export interface TimedCase {
  run: () => Promise<number | undefined>;
  /** Untimed work after each run (e.g. locking again). */
  reset?: () => Promise<void>;
}

/**
 * One warm-up round, then `runs` timed rounds; each round runs every case once, in
 * order, so a change in background load affects all cases alike.
 */
export async function sampleInterleaved(
  cases: readonly TimedCase[],
  runs: number,
  onRound: (round: number) => void = () => {},
): Promise<Summary[]> {
  const samples = cases.map((): number[] => []);
  for (let round = 0; round <= runs; round++) {
    onRound(round);
    for (const [i, { run, reset }] of cases.entries()) {
      const start = performance.now();
      const reported = await run();
      const elapsed = reported ?? performance.now() - start;
      if (round > 0) samples[i]?.push(elapsed);
      await reset?.();
    }
  }
  return samples.map(summarize);
}

/** Runs one case once as a warm-up, then `runs` times, and summarises the durations. */
export async function sample(timed: TimedCase, runs: number): Promise<Summary> {
  const [summary] = await sampleInterleaved([timed], runs);
  if (!summary) throw new Error('no summary');
  return summary;
}

/** "1234.5" style milliseconds for tables. */
export function formatMs(ms: number): string {
  return ms.toFixed(1);
}

/** How p90 relates to the runs, for a table note. */
export function p90Note(runs: number): string {
  const rank = Math.max(1, Math.ceil(0.9 * runs));
  return rank === runs
    ? `p90 is nearest-rank: with ${runs} run${runs === 1 ? '' : 's'} it is the slowest run.`
    : `p90 is nearest-rank: the ${rank}th fastest of ${runs} runs.`;
}
