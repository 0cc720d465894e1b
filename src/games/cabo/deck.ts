import { createRandom, type RandomState } from '../random';
import type { CardId, PowerKind } from './types';

export const DECK_SIZE = 52;
export const HAND_SIZE = 4;

/** Value of each card id: ids 0–1 → 0, then four ids per value 1–12, ids 50–51 → 13. */
const CARD_VALUES: readonly number[] = Object.freeze(buildCardValues());

function buildCardValues(): number[] {
  const values = [0, 0];
  for (let value = 1; value <= 12; value++) values.push(value, value, value, value);
  values.push(13, 13);
  return values;
}

/** The value (0..13) of a card id; throws RangeError for anything but an integer 0..51. */
export function cardValue(id: CardId): number {
  if (!Number.isInteger(id) || id < 0 || id >= DECK_SIZE) throw new RangeError(`unknown card id ${id}`);
  return CARD_VALUES[id];
}

/** Card ids 0..51 in order. */
export function allCardIds(): CardId[] {
  return Array.from({ length: DECK_SIZE }, (_, id) => id);
}

/** The power a card grants when discarded after a deck draw, or null. */
export function powerOf(value: number): PowerKind | null {
  if (value === 7 || value === 8) return 'peek';
  if (value === 9 || value === 10) return 'spy';
  if (value === 11 || value === 12) return 'blind_swap';
  return null;
}

/** Shuffles from the match's stream; returns the new order and where the stream now stands. */
export function shuffleCards(cards: readonly CardId[], state: RandomState): { cards: CardId[]; random: RandomState } {
  const random = createRandom(state);
  const shuffled = random.shuffle(cards);
  return { cards: shuffled, random: random.state() };
}
