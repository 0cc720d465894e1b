/**
 * Deterministic randomness for pure game rules.
 *
 * mulberry32: a small, well-known 32-bit generator. Its whole state is one uint32, so a rule
 * state can carry it as a plain number and stay JSON-serialisable and replayable.
 */

/** Draws an integer in [0, maxExclusive). Both `crypto.randomInt` and `SeededRandom.int` fit. */
export type RandomInt = (maxExclusive: number) => number;

export class SeededRandom {
  /** Current generator state; store it back into the rule state after drawing. */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, maxExclusive). */
  int: RandomInt = (maxExclusive) => Math.floor(this.next() * maxExclusive);

  /** Fisher–Yates shuffle into a new array; the input is left untouched. */
  shuffle<T>(items: readonly T[]): T[] {
    const result = items.slice();
    for (let i = result.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [result[i], result[j]] = [result[j], result[i]];
    }
    return result;
  }
}
