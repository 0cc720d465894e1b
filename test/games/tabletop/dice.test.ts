import { strict as assert } from 'assert';
import { randomInt as cryptoRandomInt } from 'crypto';
import { TestRandom } from '../../support/seeds';
import type { RandomInt } from '../../../src/games/random';
import {
  formulaBounds,
  parseFormula,
  roll,
  rollFormula,
  type DiceTermResult,
  type ParsedFormula,
  type RollResult,
} from '../../../src/games/tabletop/dice';

function parseOk(text: string): ParsedFormula {
  const r = parseFormula(text);
  if (!r.ok) assert.fail(`expected ${JSON.stringify(text)} to parse, got: ${r.message}`);
  return r.formula;
}

function parseErr(text: unknown): string {
  const r = parseFormula(text);
  if (r.ok) assert.fail(`expected ${String(text)} to be rejected, got ${r.formula.text}`);
  assert.equal(r.code, 'INVALID_FORMULA');
  assert.equal(typeof r.message, 'string');
  assert.ok(r.message.length > 0);
  return r.message;
}

/** A random source that replays the given die faces (1-based) in order. */
function faces(...values: number[]): RandomInt {
  let i = 0;
  return (max) => {
    const v = values[i++];
    if (v === undefined) throw new Error('faces exhausted');
    assert.ok(v >= 1 && v <= max, `face ${v} not valid for d${max}`);
    return v - 1;
  };
}

/** Checks every invariant a RollResult must satisfy for its formula. */
function checkResult(formula: ParsedFormula, result: RollResult): void {
  assert.equal(result.formula, formula.text);
  assert.equal(result.terms.length, formula.terms.length);
  let diceSum = 0;
  let modifier = 0;
  result.terms.forEach((t, i) => {
    const p = formula.terms[i];
    assert.equal(t.kind, p.kind);
    assert.equal(t.sign, p.sign);
    if (t.kind === 'constant') {
      assert.equal(p.kind, 'constant');
      assert.equal(t.value, p.kind === 'constant' ? p.value : NaN);
      modifier += t.sign * t.value;
      return;
    }
    assert.equal(p.kind, 'dice');
    if (p.kind !== 'dice') return;
    assert.equal(t.count, p.count);
    assert.equal(t.sides, p.sides);
    assert.deepEqual(t.keep, p.keep);
    assert.equal(t.dice.length, t.count);
    for (const d of t.dice) {
      assert.ok(Number.isInteger(d.value) && d.value >= 1 && d.value <= t.sides, `die ${d.value} outside d${t.sides}`);
    }
    const kept = t.dice.filter((d) => d.kept);
    const dropped = t.dice.filter((d) => !d.kept);
    assert.equal(kept.length, t.keep ? t.keep.count : t.count);
    if (t.keep?.mode === 'highest') {
      for (const k of kept) for (const d of dropped) assert.ok(k.value >= d.value, 'a dropped die beats a kept one');
    } else if (t.keep?.mode === 'lowest') {
      for (const k of kept) for (const d of dropped) assert.ok(k.value <= d.value, 'a dropped die is below a kept one');
    }
    const sum = kept.reduce((s, d) => s + d.value, 0);
    assert.equal(t.subtotal, t.sign * sum);
    diceSum += t.sign * sum;
  });
  assert.equal(result.modifier, modifier);
  assert.equal(result.total, diceSum + modifier);
  const { min, max } = formulaBounds(formula);
  assert.ok(result.total >= min && result.total <= max, `${result.formula}: total ${result.total} outside [${min}, ${max}]`);
  assert.ok(Number.isSafeInteger(result.total));
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'result must be plain JSON');
}

function chiSquareD6(randomInt: RandomInt, rolls: number): number {
  const counts = new Array<number>(6).fill(0);
  const f = parseOk('1d6');
  for (let i = 0; i < rolls; i++) counts[rollFormula(f, randomInt).total - 1]++;
  const expected = rolls / 6;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

const CHI2_5DF_P001 = 20.52;

describe('tabletop dice', () => {
  describe('grammar: valid formulas', () => {
    const cases: Array<[string, string]> = [
      ['2d20kh1+5', '2d20kh1+5'],
      ['3d6+1d4-2', '3d6+1d4-2'],
      ['d20', '1d20'],
      ['4d6kh3', '4d6kh3'],
      [' 1d8 + 2 ', '1d8+2'],
      ['4d6kl1', '4d6kl1'],
      ['2D20KH1', '2d20kh1'],
      ['2d20Kl1', '2d20kl1'],
      ['D6', '1d6'],
      ['7', '7'],
      ['0', '0'],
      ['-2+1d20', '-2+1d20'],
      ['-d4', '-1d4'],
      ['\t1d6\n+\r\n2 ', '1d6+2'],
      ['2 d 6 kh 1', '2d6kh1'],
      ['  d20   -   1d4  ', '1d20-1d4'],
      ['007d06', '7d6'],
      ['100d1000', '100d1000'],
      ['1d2', '1d2'],
      ['100d6kh100', '100d6kh100'],
      ['100000', '100000'],
      ['1d6-100000', '1d6-100000'],
      [Array.from({ length: 20 }, () => '1').join('+'), Array.from({ length: 20 }, () => '1').join('+')],
    ];
    for (const [input, normalised] of cases) {
      it(`accepts ${JSON.stringify(input)} as ${normalised}`, () => {
        const f = parseOk(input);
        assert.equal(f.text, normalised);
        // The normalised text parses back to the same formula.
        assert.deepEqual(parseOk(f.text), f);
      });
    }

    it('produces the documented structure', () => {
      assert.deepEqual(parseOk('2d20kh1 + 5 - d4kl1 - 3'), {
        text: '2d20kh1+5-1d4kl1-3',
        terms: [
          { kind: 'dice', sign: 1, count: 2, sides: 20, keep: { mode: 'highest', count: 1 } },
          { kind: 'constant', sign: 1, value: 5 },
          { kind: 'dice', sign: -1, count: 1, sides: 4, keep: { mode: 'lowest', count: 1 } },
          { kind: 'constant', sign: -1, value: 3 },
        ],
      });
      assert.equal('keep' in parseOk('3d6').terms[0], false, 'no keep key without a keep rule');
    });

    it('accepts exactly 100 characters', () => {
      const text = '1d6' + ' '.repeat(97);
      assert.equal(text.length, 100);
      assert.equal(parseOk(text).text, '1d6');
    });
  });

  describe('grammar: invalid formulas', () => {
    const invalid: string[] = [
      '',
      '   ',
      'd',
      '2d',
      '0d6',
      '101d6',
      '1d1001',
      '1d1',
      '1d0',
      '4d6kh5',
      '4d6kh0',
      '2d6k1',
      '2d6kx1',
      '2d6k h1',
      '2d6kh',
      '2d6kh1kh1',
      '1d6++2',
      '1d6+-2',
      '1d6+',
      '1d6 -',
      '+1d6',
      '--1d6',
      '-',
      'abc',
      '1d6+x',
      '2x6',
      'dd6',
      '1 2',
      '1d6 3',
      '1d6*2',
      '1d6/2',
      '(1d6)',
      '1.5',
      '1d6.',
      '100001',
      '1d6+99999999999999999999999999',
      '1d20\u00a0+1', // no-break space is not whitespace here
      '１d6', // full-width digit
      '1d６',
      '1d6+🎲',
      'ⅾ6',
      '1d6\u0000',
      '\ud800',
      Array.from({ length: 21 }, () => '1').join('+'),
      '1d6' + ' '.repeat(98),
    ];
    for (const input of invalid) {
      it(`rejects ${JSON.stringify(input).slice(0, 60)}`, () => {
        parseErr(input);
      });
    }

    it('rejects non-string inputs without throwing', () => {
      const weird: unknown[] = [
        undefined,
        null,
        0,
        20,
        NaN,
        true,
        20n,
        Symbol('d20'),
        {},
        { toString: () => '1d6' },
        ['1d6'],
        new String('1d6'),
        () => '1d6',
        new Proxy({}, { get: () => { throw new Error('trap'); } }),
        { toString() { throw new Error('boom'); } },
      ];
      for (const w of weird) {
        const msg = parseErr(w);
        assert.match(msg, /must be a string/);
      }
      assert.match(parseErr(null), /got null/);
      assert.match(parseErr(42), /got number/);
      assert.match(parseErr(['1d6']), /got array/);
    });

    it('gives messages that point at the problem', () => {
      assert.match(parseErr(''), /empty/);
      assert.match(parseErr('  '), /empty/);
      assert.match(parseErr('101d6'), /dice count 101 at position 1 .*1 to 100/);
      assert.match(parseErr('0d6'), /dice count 0 .*1 to 100/);
      assert.match(parseErr('1d1001'), /number of sides 1001 at position 3 .*2 to 1000/);
      assert.match(parseErr('1d1'), /number of sides 1 .*2 to 1000/);
      assert.match(parseErr('2d'), /number of sides .*ends/);
      assert.match(parseErr('d'), /number of sides .*ends/);
      assert.match(parseErr('4d6kh5'), /cannot keep 5 dice at position 6: the term only rolls 4/);
      assert.match(parseErr('4d6kh0'), /keep count 0 at position 6 .*1 to 4/);
      assert.match(parseErr('2d6k1'), /'k' at position 4 must be followed by 'h' .* or 'l'/);
      assert.match(parseErr('1d6++2'), /unexpected "\+" at position 5/);
      assert.match(parseErr('1d6+'), /'\+' at position 4 must be followed by a term/);
      assert.match(parseErr('+1d6'), /cannot start with '\+'/);
      assert.match(parseErr('1d6+x'), /unexpected "x" at position 5/);
      assert.match(parseErr('1d6 3'), /unexpected "3" at position 5: expected '\+', '-'/);
      assert.match(parseErr('1d6+🎲'), /unexpected "🎲" at position 5/);
      assert.match(parseErr('1d6\u0000'), /unexpected "\\u0000" at position 4/);
      assert.match(parseErr('100001'), /constant 100001 at position 1 .*0 to 100000/);
      assert.match(parseErr('1+99999999999999999999999999'), /constant 999999999999… at position 3/);
      assert.match(parseErr(Array.from({ length: 21 }, () => '1').join('+')), /too many terms: at most 20/);
      assert.match(parseErr('x'.repeat(101)), /too long: 101 characters, at most 100/);
    });

    it('rejects huge inputs quickly', () => {
      const start = process.hrtime.bigint();
      assert.match(parseErr('1d6+'.repeat(1_000_000)), /too long/);
      assert.ok(process.hrtime.bigint() - start < 50_000_000n, 'took more than 50 ms');
    });
  });

  describe('rolling', () => {
    it('rolls each die as randomInt(sides) + 1, left to right', () => {
      const calls: number[] = [];
      const rng: RandomInt = (max) => {
        calls.push(max);
        return max - 1;
      };
      const r = roll('2d6+d20-3', rng);
      assert.ok(r.ok);
      assert.deepEqual(calls, [6, 6, 20]);
      assert.deepEqual(r.result, {
        formula: '2d6+1d20-3',
        terms: [
          { kind: 'dice', sign: 1, count: 2, sides: 6, dice: [{ value: 6, kept: true }, { value: 6, kept: true }], subtotal: 12 },
          { kind: 'dice', sign: 1, count: 1, sides: 20, dice: [{ value: 20, kept: true }], subtotal: 20 },
          { kind: 'constant', sign: -1, value: 3 },
        ],
        modifier: -3,
        total: 29,
      });
    });

    it('keeps the highest dice', () => {
      const r = roll('4d6kh3', faces(3, 1, 4, 2));
      assert.ok(r.ok);
      const t = r.result.terms[0] as DiceTermResult;
      assert.deepEqual(t.keep, { mode: 'highest', count: 3 });
      assert.deepEqual(t.dice.map((d) => d.kept), [true, false, true, true]);
      assert.equal(t.subtotal, 9);
      assert.equal(r.result.total, 9);
    });

    it('keeps the lowest dice', () => {
      const r = roll('4d6kl2+1', faces(3, 1, 4, 2));
      assert.ok(r.ok);
      const t = r.result.terms[0] as DiceTermResult;
      assert.deepEqual(t.dice.map((d) => d.kept), [false, true, false, true]);
      assert.equal(r.result.total, 4);
    });

    it('breaks ties by roll order', () => {
      let r = roll('4d6kh2', faces(5, 5, 5, 2));
      assert.ok(r.ok);
      assert.deepEqual((r.result.terms[0] as DiceTermResult).dice.map((d) => d.kept), [true, true, false, false]);
      r = roll('4d6kl2', faces(5, 2, 2, 2));
      assert.ok(r.ok);
      assert.deepEqual((r.result.terms[0] as DiceTermResult).dice.map((d) => d.kept), [false, true, true, false]);
      r = roll('3d6kh1', faces(4, 6, 6));
      assert.ok(r.ok);
      assert.deepEqual((r.result.terms[0] as DiceTermResult).dice.map((d) => d.kept), [false, true, false]);
    });

    it('signs negative dice terms', () => {
      const r = roll('-2d4kh1 + 10 - 1d6', faces(1, 3, 5));
      assert.ok(r.ok);
      assert.equal(r.result.formula, '-2d4kh1+10-1d6');
      assert.deepEqual(r.result.terms.map((t) => (t.kind === 'dice' ? t.subtotal : t.sign * t.value)), [-3, 10, -5]);
      assert.equal(r.result.modifier, 10);
      assert.equal(r.result.total, 2);
    });

    it('computes formula bounds', () => {
      assert.deepEqual(formulaBounds(parseOk('2d20kh1+5')), { min: 6, max: 25 });
      assert.deepEqual(formulaBounds(parseOk('3d6+1d4-2')), { min: 2, max: 20 });
      assert.deepEqual(formulaBounds(parseOk('-4d6kl2+3')), { min: -9, max: 1 });
      assert.deepEqual(formulaBounds(parseOk('20d1000-100000')), { min: -99980, max: -80000 });
    });

    it('reaches both bounds with extreme dice', () => {
      // Only formulas whose dice terms all share one sign: then all-ones / all-max dice hit the bounds.
      for (const text of ['2d20kh1+5', '-4d6kl2+3', '3d6+1d4-2', '10d10kh3+2d8kl1-7', '-d4-2d6']) {
        const f = parseOk(text);
        const { min, max } = formulaBounds(f);
        const lows = rollFormula(f, () => 0);
        const highs = rollFormula(f, (m) => m - 1);
        const got = [lows.total, highs.total].sort((a, b) => a - b);
        assert.deepEqual(got, [min, max], text);
      }
    });

    it('rejects a misbehaving random source loudly', () => {
      const f = parseOk('1d6');
      assert.throws(() => rollFormula(f, () => 6), /randomInt\(6\) returned 6/);
      assert.throws(() => rollFormula(f, () => -1), /returned -1/);
      assert.throws(() => rollFormula(f, () => 1.5), /returned 1.5/);
      assert.throws(() => rollFormula(f, () => NaN), /returned NaN/);
    });

    it('roll() passes parse errors through', () => {
      const r = roll('4d6kh5', () => 0);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.code, 'INVALID_FORMULA');
        assert.match(r.message, /cannot keep 5/);
      }
      assert.equal(roll(undefined, () => 0).ok, false);
    });

    it('stays within bounds for many seeded formulas', () => {
      const formulas = ['d20', '2d20kh1+5', '2d20kl1-1', '3d6+1d4-2', '4d6kh3', '4d6kl1', '100d1000', '100d6kh1', '100d6kl99', '-3d8+2d10kh1-7', '1d2+1d3+1d4', '10d10kh5-5d10kl2+40'];
      const rng = new TestRandom(12345);
      for (const text of formulas) {
        const f = parseOk(text);
        for (let i = 0; i < 300; i++) checkResult(f, rollFormula(f, rng.int));
      }
    });

    it('is deterministic for a given seed', () => {
      const a = roll('10d10kh5-5d10kl2+40', new TestRandom(7).int);
      const b = roll('10d10kh5-5d10kl2+40', new TestRandom(7).int);
      assert.deepEqual(a, b);
    });
  });

  describe('distribution', () => {
    it('chi-square on 60,000 seeded d6 rolls is below the p=0.001 critical value', () => {
      const stat = chiSquareD6(new TestRandom(20240601).int, 60_000);
      assert.ok(stat < CHI2_5DF_P001, `chi-square ${stat.toFixed(2)} >= ${CHI2_5DF_P001}`);
    });

    it('chi-square on 60,000 crypto.randomInt d6 rolls is below the p=0.001 critical value', () => {
      const stat = chiSquareD6((max) => cryptoRandomInt(max), 60_000);
      assert.ok(stat < CHI2_5DF_P001, `chi-square ${stat.toFixed(2)} >= ${CHI2_5DF_P001}`);
    });

    it('the chi-square check catches a slightly biased source', () => {
      // Sanity check of the check itself: a source that turns 3% of sixes into ones must fail it.
      const seeded = new TestRandom(99);
      const biased: RandomInt = (max) => {
        const v = seeded.int(max);
        return v === max - 1 && seeded.next() < 0.03 ? 0 : v;
      };
      assert.ok(chiSquareD6(biased, 60_000) >= CHI2_5DF_P001);
      // And an off-by-one (value = randomInt(sides) instead of +1) cannot hide: totals would hit 0.
      const counts = new Set<number>();
      const rng = new TestRandom(1);
      for (let i = 0; i < 1000; i++) {
        const r = roll('1d6', rng.int);
        assert.ok(r.ok);
        counts.add(r.result.total);
      }
      assert.deepEqual([...counts].sort(), [1, 2, 3, 4, 5, 6]);
    });
  });

  describe('fuzz', () => {
    const DICEISH = '0123456789dDkKhHlL+- ';

    const SEEDS = ['2d20kh1+5', '3d6+1d4-2', 'd20', '4d6kh3', ' 1d8 + 2 ', '-2+10d10kl4-d6', '100d1000+99999'];

    function randomChar(rng: TestRandom, diceish: boolean): string {
      if (diceish && rng.next() < 0.95) return DICEISH[rng.int(DICEISH.length)];
      if (rng.next() < 0.5) return String.fromCharCode(rng.int(128));
      return String.fromCharCode(rng.int(0x10000)); // any UTF-16 unit, lone surrogates included
    }

    function randomString(rng: TestRandom): string {
      const mode = rng.int(3);
      if (mode === 2) {
        // Mutate a valid formula a few times: near-misses exercise every error path.
        let s = SEEDS[rng.int(SEEDS.length)];
        const edits = rng.int(4);
        for (let e = 0; e < edits; e++) {
          const at = rng.int(s.length + 1);
          const op = rng.int(3);
          const c = randomChar(rng, rng.next() < 0.9);
          if (op === 0) s = s.slice(0, at) + c + s.slice(at);
          else if (op === 1) s = s.slice(0, at) + s.slice(at + 1);
          else s = s.slice(0, at) + c + s.slice(at + 1);
        }
        if (rng.next() < 0.1) s = s.repeat(1 + rng.int(20)).slice(0, 150);
        return s;
      }
      const len = rng.int(151);
      let s = '';
      for (let i = 0; i < len; i++) s += randomChar(rng, mode === 0);
      return s;
    }

    it('10,000 random strings never throw and yield ok or INVALID_FORMULA', () => {
      const rng = new TestRandom(424242);
      const dieRng = new TestRandom(1);
      let ok = 0;
      for (let i = 0; i < 10_000; i++) {
        const s = randomString(rng);
        let r: ReturnType<typeof parseFormula>;
        try {
          r = parseFormula(s);
        } catch (err) {
          assert.fail(`parseFormula threw on ${JSON.stringify(s)}: ${String(err)}`);
        }
        if (r.ok) {
          ok++;
          assert.ok(s.length <= 100);
          // Normalising spells out implied counts ("d6" → "1d6"), so it may outgrow the 100-character input limit.
          if (r.formula.text.length <= 100) assert.deepEqual(parseOk(r.formula.text), r.formula, `round trip of ${JSON.stringify(s)}`);
          checkResult(r.formula, rollFormula(r.formula, dieRng.int));
        } else {
          assert.deepEqual(Object.keys(r).sort(), ['code', 'message', 'ok']);
          assert.equal(r.code, 'INVALID_FORMULA');
          assert.ok(typeof r.message === 'string' && r.message.length > 0 && r.message.length < 300);
        }
      }
      // Mutated formulas often stay valid; this guards against the fuzz going vacuous.
      assert.ok(ok > 1_000 && ok < 9_000, `${ok} of 10,000 random strings parsed`);
    });

    it('rolls of random valid formulas stay within their bounds', () => {
      const rng = new TestRandom(8675309);
      const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
      const ws = () => pick(['', '', '', ' ', '  ', '\t']);
      let rolled = 0;
      for (let i = 0; i < 2_000; i++) {
        const nTerms = 1 + rng.int(6);
        let text = ws() + (rng.next() < 0.2 ? '-' + ws() : '');
        for (let j = 0; j < nTerms; j++) {
          if (j > 0) text += ws() + pick(['+', '-']) + ws();
          if (rng.next() < 0.3) {
            text += String(rng.int(100_001));
          } else {
            const count = 1 + rng.int(rng.next() < 0.8 ? 10 : 100);
            const sides = 2 + rng.int(rng.next() < 0.8 ? 19 : 999);
            text += (count === 1 && rng.next() < 0.5 ? '' : String(count)) + ws() + pick(['d', 'D']) + ws() + String(sides);
            if (rng.next() < 0.4) text += ws() + pick(['kh', 'kl', 'KH', 'Kl']) + ws() + String(1 + rng.int(count));
          }
        }
        text += ws();
        const r = parseFormula(text);
        if (text.length > 100) {
          assert.equal(r.ok, false);
          continue;
        }
        if (!r.ok) assert.fail(`${JSON.stringify(text)} rejected: ${r.message}`);
        const f = r.formula;
        for (let k = 0; k < 5; k++) checkResult(f, rollFormula(f, rng.int));
        const viaRoll = roll(text, rng.int);
        assert.ok(viaRoll.ok);
        checkResult(f, viaRoll.result);
        rolled++;
      }
      assert.ok(rolled > 1_000, `only ${rolled} formulas rolled`);
    });
  });
});
