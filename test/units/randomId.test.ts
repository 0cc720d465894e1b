import { strict as assert } from 'assert';
import { randomId } from '../../src/util/randomId';

describe('units: randomId', () => {
  it('never hands out the same bytes twice, across refills of its pool', () => {
    const ids = Array.from({ length: 5000 }, () => randomId(6)); // 30 kB: several pools
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{8}$/);
  });

  it('serves requests larger than its pool', () => {
    assert.equal(Buffer.from(randomId(10_000), 'base64url').length, 10_000);
  });

  it('spreads its bytes evenly (each of 256 values within 25 % of the mean over 256 kB)', () => {
    const counts = new Array(256).fill(0);
    for (let i = 0; i < 64; i++) for (const byte of Buffer.from(randomId(4096), 'base64url')) counts[byte]++;
    const mean = (64 * 4096) / 256;
    for (const count of counts) assert.ok(Math.abs(count - mean) < mean * 0.25, `a byte value appeared ${count} times (mean ${mean})`);
  });
});
