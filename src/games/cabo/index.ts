/** Public API of the pure Cabo rules engine (no Colyseus import anywhere in this folder). */
export * from './types';
export { apply } from './rules';
export { createMatch, DEFAULT_TARGET_SCORE, MIN_PLAYERS, MAX_PLAYERS } from './round';
export { cardValue, powerOf, allCardIds, DECK_SIZE, HAND_SIZE } from './deck';
export { visibleCardIds, isPublicCard, knowersOf, discardTop, handsRevealed } from './knowledge';
export { activePlayers, isMatchOver } from './state';
export { legalActions } from './legal';
export { replay } from './replay';
export { publicReplay, type PublicStep, type PublicPlayerStep } from './publicReplay';
