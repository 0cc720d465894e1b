/**
 * Deterministic seeds and random streams for tests: `testSeed(7)` is always the same 256-bit seed,
 * so a test can search numbered seeds for a deal of the shape it needs.
 */
import crypto from 'crypto';
import { createRandom, type Random, type Seed } from '../../src/games/random';

export function testSeed(label: number | string): Seed {
  return crypto.createHash('sha256').update(`arena test seed ${label}`).digest('hex');
}

/** A reproducible random stream for test drivers and bots (not a match's stream). */
export class TestRandom {
  private readonly random: Random;

  constructor(label: number | string) {
    this.random = createRandom(testSeed(`driver ${label}`));
  }

  /** Uniform integer in [0, maxExclusive). */
  int = (maxExclusive: number): number => this.random.int(maxExclusive);

  /** Uniform float in [0, 1). */
  next(): number {
    return this.random.int(2 ** 32) / 2 ** 32;
  }

  shuffle<T>(items: readonly T[]): T[] {
    return this.random.shuffle(items);
  }
}
