import type { RandomState, Seed } from '../random';

/**
 * Types of the pure Cabo rules engine. Everything here is plain JSON (no classes, Maps or Sets)
 * so a state can be stored, sent between processes and replayed.
 */

/** A player's user id (the token `sub`). */
export type PlayerId = string;

/**
 * Stable card id 0..51. Its value is the fixed table `cardValue(id)`, so an id reveals the value:
 * ids are engine-internal and must never reach a client that may not see the value.
 */
export type CardId = number;

/** `setup` (peek at own cards 0–1) → `turn` → `roundOver` → (`next_round`) `setup` … → `matchOver`. */
export type Phase = 'setup' | 'turn' | 'roundOver' | 'matchOver';

/** Step inside the current player's turn. */
export type TurnPhase = 'draw' | 'drawn' | 'power';

export type DrawSource = 'deck' | 'discard';

/** 7/8 → peek, 9/10 → spy, 11/12 → blind_swap. */
export type PowerKind = 'peek' | 'spy' | 'blind_swap';

/** `resign`: the player's own action; `timeouts`: 3 consecutive timeouts; `disconnect`: system `forfeit`. */
export type ForfeitReason = 'resign' | 'timeouts' | 'disconnect';

/** The only error codes the engine returns (a subset of the protocol's codes). */
export type CaboErrorCode = 'NOT_A_PLAYER' | 'NOT_YOUR_TURN' | 'INVALID_ACTION' | 'GAME_OVER';

/** Options of a new match. */
export interface MatchInit {
  /** 256-bit secret of the match (`newSeed()`): every deal and reshuffle comes from its stream. */
  seed: Seed;
  /** Seat order, 2–6 distinct non-empty ids. */
  players: PlayerId[];
  /** The match ends when an active player's total is strictly greater. Default 100. */
  targetScore?: number;
}

/** One seat. */
export interface CaboPlayer {
  id: PlayerId;
  /** Always 4 card ids; index = position (0..3). Forfeited players keep theirs. */
  hand: CardId[];
  /** Sent `ready` during the current setup. */
  ready: boolean;
  forfeited: boolean;
  /** 1 for the first player to forfeit in the match, 2 for the next…; null while active. */
  forfeitOrder: number | null;
  /** Consecutive turn timeouts; reset by any action of the player. */
  timeouts: number;
  /** Sum of round scores. */
  total: number;
  /** Score of the round just scored; null before scoring and for forfeited players. */
  score: number | null;
}

/** The card in the current player's hand between `draw` and `swap`/`discard`. */
export interface DrawnCard {
  cardId: CardId;
  source: DrawSource;
}

/** Archived result of one round. */
export interface RoundResult {
  round: number;
  caller: PlayerId | null;
  /** Revealed hand values (by position) of every seat, forfeited included. */
  hands: Record<PlayerId, number[]>;
  /** Round scores of the players active at round end. */
  scores: Record<PlayerId, number>;
}

/** Whole match state. Never mutated by the engine: every accepted action returns a new one. */
export interface CaboState {
  targetScore: number;
  /** The match's random stream after the last shuffle (holds the seed: never sent to clients). */
  random: RandomState;
  /** 1-based. */
  round: number;
  phase: Phase;
  /** Seat order. */
  players: CaboPlayer[];
  /** Face-down draw pile; the LAST element is the top. */
  deck: CardId[];
  /** Face-up pile; the LAST element is the top (the only one a spectator sees). */
  discard: CardId[];
  /** Player whose turn it is (phase `turn` only). */
  turn: PlayerId | null;
  /** Turns begun in this match (each new turn, even of the same player, has a new number). */
  turnNumber: number;
  turnPhase: TurnPhase | null;
  drawn: DrawnCard | null;
  /** Power granted by the card just discarded (turnPhase `power`). */
  pendingPower: PowerKind | null;
  caboCaller: PlayerId | null;
  /** Player who starts (or started) the current round. */
  roundStarter: PlayerId;
  /**
   * cardId (as string key) → ids of the players who know its value, in seat order. Persistent for
   * the round: follows the card, cleared on reshuffle (for those cards) and on a new deal.
   * Cards on the discard pile are known to every player of the match.
   */
  knowledge: Record<string, PlayerId[]>;
  rounds: RoundResult[];
  /** Final order, best first; set in `matchOver`. */
  ranking: PlayerId[] | null;
}

/** Actions a seated player may send. Extra fields (e.g. `rid`) are ignored. */
export type PlayerAction =
  | { type: 'ready' }
  | { type: 'cabo' }
  | { type: 'draw'; source: DrawSource }
  | { type: 'swap'; index: number }
  | { type: 'discard' }
  | { type: 'peek'; index: number }
  | { type: 'spy'; userId: PlayerId; index: number }
  | { type: 'blind_swap'; index: number; userId: PlayerId; targetIndex: number }
  | { type: 'skip_power' }
  | { type: 'resign' };

/** Actions only the room (actor `null`) may issue. */
export type SystemAction =
  | { type: 'end_setup' }
  | { type: 'next_round' }
  /** Auto-plays the turn of `playerId`, who must be the current turn player. */
  | { type: 'timeout'; playerId: PlayerId }
  /** `playerId`'s reconnection window expired. */
  | { type: 'forfeit'; playerId: PlayerId };

export type CaboAction = PlayerAction | SystemAction;
export type CaboActionType = CaboAction['type'];

/** One entry of an action log: `playerId` null = system. */
export interface LogEntry {
  playerId: PlayerId | null;
  action: CaboAction;
}

/** Who did what, for the room's `lastAction`. Never carries a hidden value or a card id. */
export interface PublicAction {
  /** The acting player; for `timeout`/`forfeit` the affected player; null for other system actions. */
  playerId: PlayerId | null;
  type: CaboActionType;
  source?: DrawSource;
  /** Own hand position (swap, peek, blind_swap). */
  index?: number;
  /** Opponent of spy/blind_swap. */
  targetId?: PlayerId;
  /** Opponent's hand position (spy, blind_swap). */
  targetIndex?: number;
  /** Value of the card that landed face-up on the discard pile, if any (public). */
  value?: number;
}

/** What happened, in order; every event is public (safe to broadcast). */
export type CaboEvent =
  | { type: 'action'; action: PublicAction }
  | { type: 'ready'; playerId: PlayerId }
  | { type: 'setup_ended'; reason: 'all_ready' | 'end_setup' }
  | { type: 'round_started'; round: number; starter: PlayerId }
  | { type: 'turn_started'; playerId: PlayerId }
  | { type: 'cabo_called'; playerId: PlayerId }
  | { type: 'drew'; playerId: PlayerId; source: DrawSource }
  | { type: 'deck_reshuffled'; deckCount: number }
  | { type: 'swapped'; playerId: PlayerId; index: number; discardedValue: number }
  /** `auto`: played by a timeout or a forfeit, not by the player. */
  | { type: 'discarded'; playerId: PlayerId; value: number; auto: boolean }
  | { type: 'power_available'; playerId: PlayerId; power: PowerKind }
  | { type: 'peeked'; playerId: PlayerId; index: number }
  | { type: 'spied'; playerId: PlayerId; targetId: PlayerId; targetIndex: number }
  | { type: 'blind_swapped'; playerId: PlayerId; index: number; targetId: PlayerId; targetIndex: number }
  | { type: 'power_skipped'; playerId: PlayerId; auto: boolean }
  | { type: 'timed_out'; playerId: PlayerId; timeouts: number }
  | { type: 'forfeited'; playerId: PlayerId; reason: ForfeitReason }
  | {
      type: 'round_over';
      round: number;
      caller: PlayerId | null;
      hands: Record<PlayerId, number[]>;
      scores: Record<PlayerId, number>;
      totals: Record<PlayerId, number>;
    }
  | { type: 'match_over'; ranking: PlayerId[]; totals: Record<PlayerId, number> };

export interface ApplyOk {
  ok: true;
  state: CaboState;
  events: CaboEvent[];
}

export interface ApplyError {
  ok: false;
  code: CaboErrorCode;
  message: string;
}

export type ApplyResult = ApplyOk | ApplyError;
