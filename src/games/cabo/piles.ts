/** Card movements between deck, discard pile and the drawn slot, with their knowledge effects. */
import { cardValue, shuffleCards } from './deck';
import { addKnower, forgetCards, makeKnownToAll } from './knowledge';
import { Draft, fail } from './state';
import type { CaboPlayer, CardId, DrawSource, PlayerId } from './types';

/** Takes the top card of `source` into the player's drawn slot; the drawer learns its value. */
export function drawCard(d: Draft, player: CaboPlayer, source: DrawSource): void {
  const s = d.s;
  const pile = source === 'deck' ? s.deck : s.discard;
  if (pile.length === 0) fail('INVALID_ACTION', `the ${source} pile is empty`);
  const cardId = pile.pop()!;
  addKnower(s, cardId, player.id);
  s.drawn = { cardId, source };
  d.events.push({ type: 'drew', playerId: player.id, source });
  if (s.deck.length === 0) refillDeck(d);
}

/**
 * Decision: the reshuffle happens as soon as a draw empties the deck (not at the next draw), so a
 * deck draw is always possible. The discard pile minus its top is shuffled with the state's rng;
 * those cards were face-up, and everybody's knowledge of them is cleared.
 */
function refillDeck(d: Draft): void {
  const s = d.s;
  if (s.discard.length < 2) return; // cannot happen with ≤ 6 players: ≥ 27 cards are then on the discard
  const top = s.discard.pop()!;
  const shuffled = shuffleCards(s.discard, s.random);
  forgetCards(s, s.discard);
  s.deck = shuffled.cards;
  s.random = shuffled.random;
  s.discard = [top];
  d.events.push({ type: 'deck_reshuffled', deckCount: s.deck.length });
}

/** Face-up cards are known to every player of the match. */
export function putOnDiscard(d: Draft, cardId: CardId): number {
  d.s.discard.push(cardId);
  makeKnownToAll(d.s, cardId);
  return cardValue(cardId);
}

/** Moves the drawn card onto the discard pile; returns its (now public) value. */
export function discardDrawn(d: Draft, playerId: PlayerId, auto: boolean): number {
  const value = putOnDiscard(d, d.s.drawn!.cardId);
  d.s.drawn = null;
  d.events.push({ type: 'discarded', playerId, value, auto });
  return value;
}
