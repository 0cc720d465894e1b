/**
 * Cabo messages (SPEC §5): the client → server catalogue (zod), the room's extra create options,
 * the server → client messages, and the room state as clients decode it. Payload shapes are
 * checked here (INVALID_MESSAGE); whether a move is legal (turn, step, index range, target) is the
 * rules engine's call (INVALID_ACTION, NOT_YOUR_TURN, …), so an integer index outside 0–3 or a spy
 * on oneself passes this schema and is rejected by the rules.
 */
import { z } from 'zod';
import { messageSchema, userIdSchema, type ClientMessages } from './messages';
import type { GameStateView, PlayerView, RoomConfigView, SchemaArray } from './state';

/** A hand position. Only integers are well-formed; the rules decide which ones are legal (0–3). */
const handIndex = z.number().int();

export const caboMessages = {
  /** Setup: done memorising cards 0 and 1 (setup ends when every active player is ready). */
  ready: messageSchema({}),
  /** Turn, before drawing: call Cabo; every other player gets one more turn. */
  cabo: messageSchema({}),
  /** Turn: take the top card of the deck or of the discard pile. */
  draw: messageSchema({ source: z.enum(['deck', 'discard']) }),
  /** After a draw: the drawn card replaces own card `index`, which goes face-up on the discard pile. */
  swap: messageSchema({ index: handIndex }),
  /** After a deck draw: discard the drawn card (a 7–12 then grants its power). */
  discard: messageSchema({}),
  /** Power of a 7/8: look at own card `index`. */
  peek: messageSchema({ index: handIndex }),
  /** Power of a 9/10: look at card `index` of opponent `userId`. */
  spy: messageSchema({ userId: userIdSchema, index: handIndex }),
  /** Power of an 11/12: swap own card `index` with opponent `userId`'s card `targetIndex`, unseen. */
  blind_swap: messageSchema({ index: handIndex, userId: userIdSchema, targetIndex: handIndex }),
  /** Decline a pending power. */
  skip_power: messageSchema({}),
  /** Leave the match at once (forfeit); the player stays in the room. */
  resign: messageSchema({}),
} as const;

/** What a client sends, by message type. */
export type CaboClientMessages = ClientMessages<typeof caboMessages>;

/** Cabo's own create/configure options (besides the common ones of every game room). */
export const caboOptionShape = {
  /** Seconds each player sees their cards 0 and 1 at the start of a round (ends early when all are ready). */
  setupSeconds: z.number().int().min(1).max(120).default(10),
  /** The match ends when a player's total exceeds this; lowest total wins. */
  targetScore: z.number().int().min(1).max(1000).default(100),
  /** Pause between a round's reveal and the next deal (hands stay revealed meanwhile). */
  roundPauseSeconds: z.number().int().min(1).max(30).default(5),
};

/** What one finished round looked like (public: hands are revealed at round end). */
export interface CaboRoundSummary {
  round: number;
  caller: string | null;
  /** Hand values by position, every seat (forfeited ones included). */
  hands: Record<string, number[]>;
  /** Round scores of the players active at round end. */
  scores: Record<string, number>;
}

/** Server → client messages of the Cabo room (besides the framework's). */
export interface CaboServerMessages {
  /** Broadcast when a round is scored (hands are revealed in state too). */
  round_over: CaboRoundSummary & { totals: Record<string, number>; nextRoundAt: number };
  /**
   * Broadcast once when the match ends (also after forfeits). `seed` (64 hex characters) reveals
   * the deal: `sha256(seed bytes)` equals the `seedCommitment` published when the match started.
   */
  game_over: { ranking: string[]; totals: Record<string, number>; rounds: CaboRoundSummary[]; seed: string };
}

// ---- state (src/rooms/schema/CaboState.ts, checked by conformance.ts) ---------------------------

/** `CardState`: a card slot (a hand position or a drawn card). */
export interface CardView {
  /** Opaque id of the card in this slot; '' when the slot is empty. */
  readonly id: string;
  /** 0–13, `@view()`: undefined unless this client's player knows the card. */
  readonly value?: number;
}

/** `CaboPlayerState`. */
export interface CaboPlayerView extends PlayerView {
  readonly hand: SchemaArray<CardView>;
  readonly handCount: number;
  /** The card drawn this turn (id '' when none). */
  readonly drawn: CardView;
  /** Score of the round just scored; -1 before scoring and for forfeited players. */
  readonly score: number;
  readonly total: number;
  readonly forfeited: boolean;
  /** Consecutive turn timeouts (3 → forfeit). */
  readonly timeouts: number;
  readonly ready: boolean;
}

/** `CaboConfigState`. */
export interface CaboConfigView extends RoomConfigView {
  readonly setupSeconds: number;
  readonly targetScore: number;
  readonly roundPauseSeconds: number;
}

/** `CaboActionState`: the last accepted action (never a hidden value). */
export interface CaboActionView {
  readonly seq: number;
  readonly playerId: string;
  readonly type: string;
  readonly source: string;
  readonly index: number;
  readonly targetId: string;
  readonly targetIndex: number;
  readonly value: number;
}

/** `CaboState`, its players being `CaboPlayerState`s. */
export interface CaboStateView extends GameStateView<CaboPlayerView, CaboConfigView> {
  readonly round: number;
  /** '' (no match yet), 'setup', 'turn', 'roundOver', 'matchOver'. */
  readonly roundPhase: string;
  /** 'draw', 'drawn', 'power', or ''. */
  readonly turnPhase: string;
  /** 'peek' | 'spy' | 'blind_swap' | ''. */
  readonly pendingPower: string;
  /** 'deck' | 'discard' | ''. */
  readonly drawnFrom: string;
  readonly deckCount: number;
  readonly discardCount: number;
  /** Value of the face-up top of the discard pile; -1 when the pile is empty. */
  readonly discardTop: number;
  readonly discardTopId: string;
  readonly caboCaller: string;
  readonly setupEndsAt: number;
  readonly nextRoundAt: number;
  readonly lastAction: CaboActionView;
  readonly ranking: SchemaArray<string>;
}
