import { strict as assert } from 'assert';
import crypto from 'crypto';
import { createRandom, isSeed, newSeed, seedCommitment } from '../../src/games/random';
import { createMatch, DECK_SIZE } from '../../src/games/cabo';
import { testSeed } from '../support/seeds';

/** Pearson's chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

describe('random: the match stream', () => {
  it('seeds are 256 fresh bits as 64 lowercase hex characters', () => {
    const seeds = new Set(Array.from({ length: 100 }, newSeed));
    assert.equal(seeds.size, 100);
    for (const seed of seeds) assert.ok(isSeed(seed) && /^[0-9a-f]{64}$/.test(seed));
    assert.equal(isSeed('ABCD'.repeat(16)), false, 'upper case is not a seed');
    assert.throws(() => createRandom('12'), TypeError);
  });

  it('commits to a seed with the lowercase hex SHA-256 of its 32 bytes', () => {
    const seed = testSeed(1);
    const expected = crypto.createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex');
    assert.equal(seedCommitment(seed), expected);
    assert.match(seedCommitment(seed), /^[0-9a-f]{64}$/);
  });

  it('is the AES-256-CTR keystream of the seed: deterministic, and resumable at any offset', () => {
    const seed = testSeed(2);
    const whole = createRandom(seed);
    const draws = Array.from({ length: 200 }, () => whole.int(1000));
    assert.deepEqual(Array.from({ length: 200 }, ((r) => () => r.int(1000))(createRandom(seed))), draws);

    // Words 0..49 come straight from the keystream (1000 divides nothing near 2^32, so a word
    // is only rejected above 4294967000: none in the first 50).
    const keystream = crypto.createCipheriv('aes-256-ctr', Buffer.from(seed, 'hex'), Buffer.alloc(16)).update(Buffer.alloc(200));
    for (let i = 0; i < 50; i++) assert.equal(draws[i], keystream.readUInt32BE(i * 4) % 1000);

    const first = createRandom(seed);
    for (let i = 0; i < 77; i++) first.int(1000);
    const resumed = createRandom(first.state());
    assert.deepEqual(Array.from({ length: 123 }, () => resumed.int(1000)), draws.slice(77));
    assert.notDeepEqual(Array.from({ length: 200 }, ((r) => () => r.int(1000))(createRandom(testSeed(3)))), draws);
  });

  it('rejects the top of the word range instead of folding it (no modulo bias)', () => {
    // A range of 3·2^30 leaves 2^30 words above its largest multiple: folding would make the
    // lowest third twice as likely. Rejection keeps all three thirds equal.
    const range = 3 * 2 ** 30;
    const random = createRandom(testSeed(4));
    const thirds = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) thirds[Math.floor(random.int(range) / 2 ** 30)]++;
    assert.ok(chiSquare(thirds) < 13.8, `thirds ${thirds} (χ² ${chiSquare(thirds).toFixed(1)}, p < 0.001 above 13.8)`);
    assert.throws(() => random.int(0), RangeError);
    assert.throws(() => random.int(1.5), RangeError);
  });

  it('deals every card to every position equally often across seeds (χ² per position)', () => {
    const deals = 5200;
    const counts = Array.from({ length: DECK_SIZE }, () => new Array<number>(DECK_SIZE).fill(0));
    for (let n = 0; n < deals; n++) {
      const match = createMatch({ seed: testSeed(`deal ${n}`), players: ['a', 'b'] });
      const order = [...match.players[0].hand, ...match.players[1].hand, ...match.discard, ...match.deck];
      order.forEach((card, position) => counts[position][card]++);
    }
    // 51 degrees of freedom: p = 0.001 at 87.97. Over 52 positions a few are expected above
    // p = 0.01 (76.15) by chance; a biased shuffle puts many far beyond.
    const stats = counts.map(chiSquare);
    assert.ok(Math.max(...stats) < 95, `worst position χ² ${Math.max(...stats).toFixed(1)}`);
    assert.ok(stats.filter((stat) => stat > 76.15).length <= 4, `positions beyond p=0.01: ${stats.filter((s) => s > 76.15).length}`);
  });

  it('gives the same deal for the same seed and seats, and another for another seed', () => {
    const a = createMatch({ seed: testSeed(5), players: ['x', 'y', 'z'] });
    assert.deepEqual(createMatch({ seed: testSeed(5), players: ['x', 'y', 'z'] }), a);
    assert.notDeepEqual(createMatch({ seed: testSeed(6), players: ['x', 'y', 'z'] }).deck, a.deck);
  });
});
