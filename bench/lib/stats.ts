/** Percentiles and summaries for latency samples, and /proc parsing: pure, unit-tested. */

/**
 * The `p`-th percentile (0–100) by the nearest-rank method: the smallest sample such that at
 * least p% of the samples are ≤ it. `sorted` must be ascending. NaN for no samples.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  if (p === 0) return sorted[0];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summary of unsorted samples (the input is not modified). */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    count: sorted.length,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/** utime + stime (clock ticks) from a /proc/<pid>/stat line; the name field may hold spaces or ')'. */
export function cpuTicksFromStat(stat: string): number {
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new Error('not a /proc/<pid>/stat line');
  const fields = stat.slice(end + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('cannot read utime/stime');
  return utime + stime;
}

/** VmRSS in bytes from /proc/<pid>/status. */
export function rssFromStatus(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error('no VmRSS line');
  return Number(match[1]) * 1024;
}

/** One Prometheus sample value (first series of `name`, no labels needed), or undefined. */
export function prometheusValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      return Number.isFinite(value) ? value : undefined;
    }
  }
  return undefined;
}
