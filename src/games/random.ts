/**
 * Deterministic randomness for pure game rules, strong enough to keep a deal secret.
 *
 * A match's randomness is the AES-256-CTR keystream of a 256-bit seed (node:crypto): unknown
 * seed → unpredictable stream, known seed → the same stream every time, so a match stays a pure
 * function of seed + seats + action log. Rule states carry only `RandomState` (seed + how many
 * bytes were used), plain JSON, and resume the stream exactly where it stopped.
 *
 * Integers are drawn by rejection sampling over 32-bit words, so every value of a range is
 * exactly equally likely (no modulo bias).
 */
import crypto from 'crypto';

/** 256 random bits as 64 lowercase hex characters: the secret of one match. */
export type Seed = string;

/** Where a match's stream stands: plain JSON, stored inside the rules state. */
export interface RandomState {
  seed: Seed;
  /** Keystream bytes already used. */
  offset: number;
}

/** Draws an integer in [0, maxExclusive) (`Random.int`, or `crypto.randomInt` where no replay is needed). */
export type RandomInt = (maxExclusive: number) => number;

/** The capability rules draw from. */
export interface Random {
  /** Uniform integer in [0, maxExclusive); maxExclusive an integer from 1 to 2³². */
  int: RandomInt;
  /** Fisher–Yates shuffle into a new array; the input is left untouched. */
  shuffle<T>(items: readonly T[]): T[];
  /** The stream position after everything drawn so far (store it back into the rules state). */
  state(): RandomState;
}

export const SEED_BYTES = 32;
const SEED_PATTERN = /^[0-9a-f]{64}$/;
const BLOCK = 16;
const CHUNK = 256;
const WORD_RANGE = 2 ** 32;

/** A fresh seed from the operating system's CSPRNG. */
export function newSeed(): Seed {
  return crypto.randomBytes(SEED_BYTES).toString('hex');
}

export function isSeed(value: unknown): value is Seed {
  return typeof value === 'string' && SEED_PATTERN.test(value);
}

/** Lowercase hex SHA-256 of the seed's 32 bytes: published at match start, checked at its end. */
export function seedCommitment(seed: Seed): string {
  return crypto.createHash('sha256').update(seedBytes(seed)).digest('hex');
}

/** The stream of `state.seed`, continuing at `state.offset` (default: its start). */
export function createRandom(state: Seed | RandomState): Random {
  const { seed, offset: start } = typeof state === 'string' ? { seed: state, offset: 0 } : state;
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError('random offset must be a non-negative integer');
  const key = seedBytes(seed);
  let offset = start;
  let buffer = Buffer.alloc(0);
  let bufferStart = start;

  /** `count` keystream bytes starting at `offset`. */
  const take = (count: number): Buffer => {
    if (offset + count > bufferStart + buffer.length) {
      const block = Math.floor(offset / BLOCK);
      const skip = offset - block * BLOCK;
      const cipher = crypto.createCipheriv('aes-256-ctr', key, counterBlock(block));
      buffer = cipher.update(Buffer.alloc(skip + Math.max(CHUNK, count))).subarray(skip);
      bufferStart = offset;
    }
    const bytes = buffer.subarray(offset - bufferStart, offset - bufferStart + count);
    offset += count;
    return bytes;
  };

  const int = (maxExclusive: number): number => {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > WORD_RANGE) {
      throw new RangeError(`cannot draw from a range of ${maxExclusive}`);
    }
    const limit = WORD_RANGE - (WORD_RANGE % maxExclusive); // largest multiple of the range
    for (;;) {
      const word = take(4).readUInt32BE(0);
      if (word < limit) return word % maxExclusive;
    }
  };

  return {
    int,
    shuffle<T>(items: readonly T[]): T[] {
      const result = items.slice();
      for (let i = result.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [result[i], result[j]] = [result[j], result[i]];
      }
      return result;
    },
    state: () => ({ seed, offset }),
  };
}

function seedBytes(seed: Seed): Buffer {
  if (!isSeed(seed)) throw new TypeError('a seed is 64 lowercase hex characters (256 bits)');
  return Buffer.from(seed, 'hex');
}

/** AES-CTR initial counter block for keystream block `index` (128-bit big-endian). */
function counterBlock(index: number): Buffer {
  const iv = Buffer.alloc(BLOCK);
  iv.writeUInt32BE(Math.floor(index / WORD_RANGE), 8);
  iv.writeUInt32BE(index % WORD_RANGE, 12);
  return iv;
}
