/**
 * Cabo room state (SPEC §5). Card values are `@view()` fields: a client decodes a value only for
 * the card slots the room added to its StateView (what its player knows); for every other card
 * the client's `value` is absent (undefined). Card ids are opaque random strings, fresh per card
 * per round (and again after a card went back into the deck), never the engine's ids.
 */
import { ArraySchema, Schema, type, view } from '@colyseus/schema';
import { GameState, PlayerState, RoomConfigState } from './GameState';

/**
 * One card slot: a position in a hand, or a player's drawn card. The slot object stays; the card
 * in it changes (`id` follows the card, so a client can track moves for animations).
 */
export class CardState extends Schema {
  /** Opaque id of the card in this slot; '' when the slot is empty (the drawn slot between turns). */
  @type('string') id = '';
  /** 0–13; only sent to clients whose player knows this card (see CaboRoom views). */
  @view() @type('int8') value = -1;
}

export class CaboPlayerState extends PlayerState {
  /** 4 slots during a match (index = hand position); empty before the first match. */
  @type([CardState]) hand = new ArraySchema<CardState>();
  @type('uint8') handCount = 0;
  /** The card drawn this turn (id '' when none); its value only for the drawer (or all, from the discard). */
  @type(CardState) drawn = new CardState();
  /** Score of the round just scored; -1 before scoring and for forfeited players. */
  @type('int16') score = -1;
  @type('int16') total = 0;
  @type('boolean') forfeited = false;
  /** Consecutive turn timeouts (3 → forfeit). */
  @type('uint8') timeouts = 0;
  /** Sent `ready` during the current setup. */
  @type('boolean') ready = false;
}

export class CaboConfigState extends RoomConfigState {
  @type('uint16') setupSeconds = 10;
  @type('uint16') targetScore = 100;
  @type('uint8') roundPauseSeconds = 5;
}

/** The last accepted action, for animations; never carries a hidden value. */
export class CaboActionState extends Schema {
  /** Increments with every accepted action (also system ones), so repeated moves are visible. */
  @type('uint32') seq = 0;
  /** Acting player; for `timeout`/`forfeit` the affected player; '' for other system actions. */
  @type('string') playerId = '';
  /** ready, cabo, draw, swap, discard, peek, spy, blind_swap, skip_power, resign, end_setup, next_round, timeout, forfeit. */
  @type('string') type = '';
  /** draw: 'deck' | 'discard'. */
  @type('string') source = '';
  /** Own hand position (swap, peek, blind_swap); -1 when not applicable. */
  @type('int8') index = -1;
  /** Opponent of spy / blind_swap. */
  @type('string') targetId = '';
  /** Opponent's hand position (spy, blind_swap); -1 when not applicable. */
  @type('int8') targetIndex = -1;
  /** Value of the card that landed face-up on the discard pile (public); -1 when none. */
  @type('int8') value = -1;
}

export class CaboState extends GameState {
  @type(CaboConfigState) config = new CaboConfigState();
  /** 1-based round number; 0 before the first match. */
  @type('uint16') round = 0;
  /** Rules phase: '' (no match yet), 'setup', 'turn', 'roundOver', 'matchOver'. */
  @type('string') roundPhase = '';
  /** Step of the current turn: 'draw', 'drawn', 'power', or ''. */
  @type('string') turnPhase = '';
  /** Power waiting to be used or skipped (turnPhase 'power'): 'peek' | 'spy' | 'blind_swap' | ''. */
  @type('string') pendingPower = '';
  /** Where the current drawn card came from: 'deck' | 'discard' | ''. */
  @type('string') drawnFrom = '';
  @type('uint8') deckCount = 0;
  @type('uint8') discardCount = 0;
  /** Value of the face-up top of the discard pile; -1 when the pile is empty. */
  @type('int8') discardTop = -1;
  /** Opaque id of that card ('' when none). */
  @type('string') discardTopId = '';
  /** Who called Cabo this round ('' when nobody). */
  @type('string') caboCaller = '';
  /** Epoch ms when the setup look ends (0 outside setup). */
  @type('number') setupEndsAt = 0;
  /** Epoch ms of the next deal during the pause after a round (0 otherwise). */
  @type('number') nextRoundAt = 0;
  @type(CaboActionState) lastAction = new CaboActionState();
  /** Final order, best first (set when the match ends; cleared by a rematch). */
  @type(['string']) ranking = new ArraySchema<string>();
}
