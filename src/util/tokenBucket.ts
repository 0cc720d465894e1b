/** Token bucket: `burst` tokens, refilled continuously at `ratePerSecond`. */
export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
}

export interface TokenBucket {
  /** Takes one token; false when the bucket is empty (the caller is over the limit). */
  take(): boolean;
}

export function createTokenBucket({ ratePerSecond, burst }: TokenBucketOptions, now: () => number = Date.now): TokenBucket {
  let tokens = burst;
  let refilledAt = now();
  return {
    take() {
      const time = now();
      tokens = Math.min(burst, tokens + ((time - refilledAt) / 1000) * ratePerSecond);
      refilledAt = time;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
