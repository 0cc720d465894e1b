/**
 * Who may see which card value. Persistent knowledge lives in `state.knowledge` and follows the
 * card; temporary sights (setup peek, own drawn card, discard top, round-end reveal) are derived
 * from the phase here so they vanish by themselves when the phase changes.
 */
import type { CaboState, CardId, PlayerId } from './types';

/** Ids of the players who persistently know `cardId` this round (seat order). */
export function knowersOf(s: CaboState, cardId: CardId): readonly PlayerId[] {
  return s.knowledge[String(cardId)] ?? [];
}

/** Top of the discard pile, or null while it is empty (only between a discard draw and its swap). */
export function discardTop(s: CaboState): CardId | null {
  return s.discard.length > 0 ? s.discard[s.discard.length - 1] : null;
}

/** True when hands are revealed to everyone, spectators included. */
export function handsRevealed(s: CaboState): boolean {
  return s.phase === 'roundOver' || s.phase === 'matchOver';
}

/** True when anybody, spectators included, may see this card's value right now. */
export function isPublicCard(s: CaboState, cardId: CardId): boolean {
  if (cardId === discardTop(s)) return true;
  return handsRevealed(s) && s.players.some((p) => p.hand.includes(cardId));
}

/**
 * The card ids whose values `viewer` may see right now (ascending). `null` or an id outside the
 * match is a spectator. This is the contract the room uses to build each client's view.
 */
export function visibleCardIds(s: CaboState, viewer: PlayerId | null): CardId[] {
  const visible = new Set<CardId>();
  const top = discardTop(s);
  if (top !== null) visible.add(top);
  if (handsRevealed(s)) for (const p of s.players) p.hand.forEach((id) => visible.add(id));
  const me = viewer === null ? undefined : s.players.find((p) => p.id === viewer);
  if (me) {
    for (const [key, knowers] of Object.entries(s.knowledge)) if (knowers.includes(me.id)) visible.add(Number(key));
    if (s.phase === 'setup') [me.hand[0], me.hand[1]].forEach((id) => visible.add(id));
    if (s.drawn && s.turn === me.id) visible.add(s.drawn.cardId);
  }
  return [...visible].sort((a, b) => a - b);
}

/* ---- mutators, used on an `apply` draft only ---- */

/** Adds one knower, keeping the list in seat order so equal histories give equal states. */
export function addKnower(s: CaboState, cardId: CardId, playerId: PlayerId): void {
  const current = knowersOf(s, cardId);
  s.knowledge[String(cardId)] = s.players.map((p) => p.id).filter((id) => id === playerId || current.includes(id));
}

/** A face-up card is known to every player of the match, forfeited ones included. */
export function makeKnownToAll(s: CaboState, cardId: CardId): void {
  s.knowledge[String(cardId)] = s.players.map((p) => p.id);
}

export function forgetCards(s: CaboState, cardIds: readonly CardId[]): void {
  for (const id of cardIds) delete s.knowledge[String(id)];
}
