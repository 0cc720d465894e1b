/**
 * Dice formulas for the tabletop room (SPEC §6): parsing, validation and rolling.
 *
 * Pure module: no Colyseus, no I/O, no global randomness. The caller injects the random source
 * (`crypto.randomInt` on the server, `SeededRandom.int` in tests and replays).
 *
 * ## Grammar
 *
 * ```text
 * formula  := ws [ "-" ws ] term ( ws ( "+" | "-" ) ws term )* ws
 * term     := dice | constant
 * dice     := [ count ws ] ("d" | "D") ws sides [ ws keep ]
 * keep     := ("kh" | "kl") ws keepCount          -- "k" and "h"/"l" are one token: no space between
 * count, sides, keepCount, constant := [0-9]+     -- ASCII digits only, leading zeros allowed
 * ws       := ( " " | "\t" | "\r" | "\n" )*
 * ```
 *
 * Decisions (the SPEC leaves these open):
 * - Whitespace (space, tab, CR, LF only; no other Unicode spaces) is tolerated between any two
 *   tokens, so ` 1d8 + 2 `, `2 d 6` and `4d6 kh 3` are all accepted. It never joins digits:
 *   `1 2` is rejected.
 * - Letters `d`, `kh`, `kl` are case-insensitive. A bare `k` (e.g. `2d6k1`) is rejected.
 * - The first term may carry a leading `-` (e.g. `-1+1d20`); a leading `+` is rejected, as are
 *   doubled operators (`1d6++2`, `1d6+-2`) and a trailing operator.
 * - A missing dice count means 1 (`d20` = `1d20`).
 * - Limits: dice count 1..100, sides 2..1000 (a `d1` is rejected: it is a constant in disguise and
 *   almost always a typo), keep count 1..count, constants 0..100000, at most 20 terms, and the raw
 *   input (including whitespace) at most 100 characters. With these limits every total is bounded
 *   by ±4,000,000, far inside the safe-integer range.
 * - Anything else is `INVALID_FORMULA` with a message naming the problem; positions in messages
 *   are 1-based character indexes into the raw input.
 *
 * The parser is a hand-written single-pass scanner (no regular expressions): linear in the input,
 * and the input is length-checked before it is scanned, so no input can make it slow. It never
 * throws, whatever the input type.
 */

import type { RandomInt } from '../random';

export const MAX_FORMULA_LENGTH = 100;
export const MAX_TERMS = 20;
export const MIN_DICE_COUNT = 1;
export const MAX_DICE_COUNT = 100;
export const MIN_SIDES = 2;
export const MAX_SIDES = 1000;
export const MAX_CONSTANT = 100_000;

export type Sign = 1 | -1;
export type KeepMode = 'highest' | 'lowest';

/** "Keep the `count` highest (or lowest) dice of this term". */
export interface KeepRule {
  mode: KeepMode;
  count: number;
}

/** A dice term of a parsed formula, e.g. `-4d6kh3` → `{ sign: -1, count: 4, sides: 6, keep: { mode: 'highest', count: 3 } }`. */
export interface ParsedDiceTerm {
  kind: 'dice';
  sign: Sign;
  count: number;
  sides: number;
  /** Absent when every die counts. */
  keep?: KeepRule;
}

/** An integer term of a parsed formula; `value` is non-negative, the sign carries the direction. */
export interface ParsedConstantTerm {
  kind: 'constant';
  sign: Sign;
  value: number;
}

export type ParsedTerm = ParsedDiceTerm | ParsedConstantTerm;

/** A validated formula. Plain JSON; build it with {@link parseFormula} rather than by hand. */
export interface ParsedFormula {
  /** Normalised text: lower case, no whitespace, explicit counts, e.g. `1d20+5`, `-2+4d6kh3`. */
  text: string;
  terms: ParsedTerm[];
}

/** One rolled die, in roll order. `kept` is false for dice dropped by a keep rule. */
export interface DieResult {
  value: number;
  kept: boolean;
}

export interface DiceTermResult {
  kind: 'dice';
  sign: Sign;
  count: number;
  sides: number;
  /** Present only when the formula had `khK` / `klK` for this term. */
  keep?: KeepRule;
  /** Every die rolled, in roll order (dropped ones included, with `kept: false`). */
  dice: DieResult[];
  /** Signed contribution to the total: `sign * (sum of kept dice)`. */
  subtotal: number;
}

export interface ConstantTermResult {
  kind: 'constant';
  sign: Sign;
  /** Non-negative; the term contributes `sign * value`. */
  value: number;
}

export type TermResult = DiceTermResult | ConstantTermResult;

/** Outcome of a roll. Plain JSON (numbers, strings, booleans, arrays, objects) so it can go into state and logs. */
export interface RollResult {
  /** Normalised formula text, e.g. `2d20kh1+5`. */
  formula: string;
  terms: TermResult[];
  /** Sum of the constant terms with their signs. */
  modifier: number;
  /** Sum of every dice term's `subtotal` plus `modifier`. */
  total: number;
}

export interface FormulaError {
  ok: false;
  code: 'INVALID_FORMULA';
  message: string;
}

export type ParseResult = { ok: true; formula: ParsedFormula } | FormulaError;
export type RollOutcome = { ok: true; result: RollResult } | FormulaError;

class FormulaSyntaxError {
  constructor(readonly message: string) {}
}

function fail(message: string): never {
  throw new FormulaSyntaxError(message);
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9' && c.length === 1;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Scanner over the raw input; every method is O(consumed characters). */
class Scanner {
  pos = 0;

  constructor(readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpaces(): void {
    while (this.pos < this.text.length && isSpace(this.text[this.pos])) this.pos++;
  }

  /** 1-based position of the current character, for messages. */
  where(at = this.pos): string {
    return `position ${at + 1}`;
  }

  /** The current character (whole code point), quoted and escaped, for messages. */
  current(): string {
    const cp = this.text.codePointAt(this.pos);
    return cp === undefined ? 'end of formula' : JSON.stringify(String.fromCodePoint(cp));
  }

  /** Reads a run of ASCII digits. Returns the raw digits (for messages) and the value, capped so huge runs stay finite. */
  readNumber(): { raw: string; value: number } {
    const start = this.pos;
    let value = 0;
    while (this.pos < this.text.length && isDigit(this.text[this.pos])) {
      if (value <= Number.MAX_SAFE_INTEGER / 10) value = value * 10 + (this.text.charCodeAt(this.pos) - 48);
      this.pos++;
    }
    return { raw: this.text.slice(start, this.pos), value };
  }
}

function checkRange(what: string, num: { raw: string; value: number }, at: string, min: number, max: number): number {
  if (num.value < min || num.value > max) {
    const shown = num.raw.length > 12 ? `${num.raw.slice(0, 12)}…` : num.raw;
    fail(`${what} ${shown} at ${at} is out of range: must be ${min} to ${max}`);
  }
  return num.value;
}

function parseTerm(s: Scanner, sign: Sign): ParsedTerm {
  const start = s.pos;
  let count: number | undefined;
  let countRaw: { raw: string; value: number } | undefined;
  if (isDigit(s.peek())) {
    countRaw = s.readNumber();
    s.skipSpaces();
    if (s.peek() !== 'd' && s.peek() !== 'D') {
      return { kind: 'constant', sign, value: checkRange('constant', countRaw, s.where(start), 0, MAX_CONSTANT) };
    }
  } else if (s.peek() !== 'd' && s.peek() !== 'D') {
    if (s.atEnd()) fail(`expected a number or dice (like 2d6) at ${s.where()} but the formula ends`);
    fail(`unexpected ${s.current()} at ${s.where()}: expected a number or dice (like 2d6)`);
  }

  // At a 'd'.
  count = countRaw ? checkRange('dice count', countRaw, s.where(start), MIN_DICE_COUNT, MAX_DICE_COUNT) : 1;
  const dAt = s.pos;
  s.pos++;
  s.skipSpaces();
  if (!isDigit(s.peek())) {
    if (s.atEnd()) fail(`expected the number of sides after 'd' at ${s.where(dAt)} but the formula ends`);
    fail(`unexpected ${s.current()} at ${s.where()}: expected the number of sides after 'd'`);
  }
  const sidesAt = s.where();
  const sides = checkRange('number of sides', s.readNumber(), sidesAt, MIN_SIDES, MAX_SIDES);
  const term: ParsedDiceTerm = { kind: 'dice', sign, count, sides };

  s.skipSpaces();
  if (s.peek() === 'k' || s.peek() === 'K') {
    const kAt = s.pos;
    s.pos++;
    const m = s.peek();
    let mode: KeepMode;
    if (m === 'h' || m === 'H') mode = 'highest';
    else if (m === 'l' || m === 'L') mode = 'lowest';
    else fail(`'k' at ${s.where(kAt)} must be followed by 'h' (keep highest) or 'l' (keep lowest), e.g. 4d6kh3`);
    s.pos++;
    s.skipSpaces();
    if (!isDigit(s.peek())) {
      const op = mode === 'highest' ? 'kh' : 'kl';
      if (s.atEnd()) fail(`expected how many dice to keep after '${op}' at ${s.where(kAt)} but the formula ends`);
      fail(`unexpected ${s.current()} at ${s.where()}: expected how many dice to keep after '${op}'`);
    }
    const keepAt = s.where();
    const keepRaw = s.readNumber();
    if (keepRaw.value > count && keepRaw.value <= MAX_DICE_COUNT) {
      fail(`cannot keep ${keepRaw.raw} dice at ${keepAt}: the term only rolls ${count}`);
    }
    term.keep = { mode, count: checkRange('keep count', keepRaw, keepAt, 1, count) };
  }
  return term;
}

function termText(t: ParsedTerm): string {
  if (t.kind === 'constant') return String(t.value);
  const keep = t.keep ? `${t.keep.mode === 'highest' ? 'kh' : 'kl'}${t.keep.count}` : '';
  return `${t.count}d${t.sides}${keep}`;
}

function formulaText(terms: readonly ParsedTerm[]): string {
  let out = '';
  terms.forEach((t, i) => {
    if (t.sign === -1) out += '-';
    else if (i > 0) out += '+';
    out += termText(t);
  });
  return out;
}

function parseOrThrow(text: string): ParsedFormula {
  if (text.length > MAX_FORMULA_LENGTH) {
    fail(`formula is too long: ${text.length} characters, at most ${MAX_FORMULA_LENGTH} allowed`);
  }
  const s = new Scanner(text);
  s.skipSpaces();
  if (s.atEnd()) fail('formula is empty');

  const terms: ParsedTerm[] = [];
  let sign: Sign = 1;
  if (s.peek() === '-') {
    sign = -1;
    s.pos++;
    s.skipSpaces();
  } else if (s.peek() === '+') {
    fail(`unexpected "+" at ${s.where()}: a formula cannot start with '+'`);
  }
  for (;;) {
    if (terms.length >= MAX_TERMS) fail(`too many terms: at most ${MAX_TERMS} allowed (term ${MAX_TERMS + 1} starts at ${s.where()})`);
    terms.push(parseTerm(s, sign));
    s.skipSpaces();
    if (s.atEnd()) break;
    const c = s.peek();
    if (c !== '+' && c !== '-') fail(`unexpected ${s.current()} at ${s.where()}: expected '+', '-' or the end of the formula`);
    sign = c === '-' ? -1 : 1;
    const opAt = s.pos;
    s.pos++;
    s.skipSpaces();
    if (s.atEnd()) fail(`'${c}' at ${s.where(opAt)} must be followed by a term but the formula ends`);
  }
  return { text: formulaText(terms), terms };
}

/**
 * Parses and validates a dice formula from untrusted input (see the module comment for the grammar
 * and limits). Accepts any value; never throws: non-strings and invalid formulas yield
 * `{ ok: false, code: 'INVALID_FORMULA', message }` with a message pointing at the problem.
 */
export function parseFormula(text: unknown): ParseResult {
  if (typeof text !== 'string') {
    return { ok: false, code: 'INVALID_FORMULA', message: `formula must be a string, got ${describeType(text)}` };
  }
  try {
    return { ok: true, formula: parseOrThrow(text) };
  } catch (err) {
    if (err instanceof FormulaSyntaxError) return { ok: false, code: 'INVALID_FORMULA', message: err.message };
    // Unreachable by construction; still never let untrusted input escape as an exception.
    return { ok: false, code: 'INVALID_FORMULA', message: 'formula could not be parsed' };
  }
}

/**
 * Smallest and largest totals a formula can produce (dice dropped by a keep rule do not count).
 */
export function formulaBounds(formula: ParsedFormula): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const t of formula.terms) {
    if (t.kind === 'constant') {
      min += t.sign * t.value;
      max += t.sign * t.value;
      continue;
    }
    const counted = t.keep ? t.keep.count : t.count;
    const lo = counted;
    const hi = counted * t.sides;
    if (t.sign === 1) {
      min += lo;
      max += hi;
    } else {
      min -= hi;
      max -= lo;
    }
  }
  return { min, max };
}

/**
 * Rolls a parsed formula. Each die is `randomInt(sides) + 1`, drawn term by term, die by die, left to
 * right (so a seeded source replays exactly). Keep rules mark the `K` highest (or lowest) dice as
 * kept; ties are broken by roll order (the earlier die is kept first).
 *
 * @throws Error if `randomInt` returns something other than an integer in `[0, sides)` — that is a
 *   server bug, not bad input.
 */
export function rollFormula(formula: ParsedFormula, randomInt: RandomInt): RollResult {
  const terms: TermResult[] = [];
  let modifier = 0;
  let total = 0;
  for (const t of formula.terms) {
    if (t.kind === 'constant') {
      terms.push({ kind: 'constant', sign: t.sign, value: t.value });
      modifier += t.sign * t.value;
      continue;
    }
    const dice: DieResult[] = [];
    for (let i = 0; i < t.count; i++) {
      const r = randomInt(t.sides);
      if (!Number.isInteger(r) || r < 0 || r >= t.sides) {
        throw new Error(`randomInt(${t.sides}) returned ${String(r)}, expected an integer in [0, ${t.sides})`);
      }
      dice.push({ value: r + 1, kept: true });
    }
    if (t.keep) {
      const order = dice.map((_, i) => i);
      const dir = t.keep.mode === 'highest' ? -1 : 1;
      order.sort((a, b) => dir * (dice[a].value - dice[b].value) || a - b);
      for (let i = t.keep.count; i < order.length; i++) dice[order[i]].kept = false;
    }
    let sum = 0;
    for (const d of dice) if (d.kept) sum += d.value;
    const subtotal = t.sign * sum;
    const term: DiceTermResult = { kind: 'dice', sign: t.sign, count: t.count, sides: t.sides, dice, subtotal };
    if (t.keep) term.keep = { mode: t.keep.mode, count: t.keep.count };
    terms.push(term);
    total += subtotal;
  }
  return { formula: formula.text, terms, modifier, total: total + modifier };
}

/**
 * Parses and rolls in one step: `parseFormula` then `rollFormula`. Never throws on bad input
 * (only on a misbehaving `randomInt`, see {@link rollFormula}).
 */
export function roll(text: unknown, randomInt: RandomInt): RollOutcome {
  const parsed = parseFormula(text);
  if (!parsed.ok) return parsed;
  return { ok: true, result: rollFormula(parsed.formula, randomInt) };
}
