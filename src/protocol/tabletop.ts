/**
 * Client → server messages of the tabletop room (SPEC §6), with their limits, and the room state
 * as clients decode it. Every schema is strict and accepts the optional `rid` (see
 * `messageSchema`).
 */
import { z } from 'zod';
import { messageSchema, userIdSchema, type ClientMessages } from './messages';
import type { GameStateView, PlayerView, SchemaArray, SchemaMap } from './state';
import { freeTextString, nameString } from './text';

export const TABLETOP_LIMITS = {
  /** chat and whisper text, after trimming. */
  chatLength: 500,
  /** GM narration, after trimming. */
  narrateLength: 1000,
  rollLabelLength: 100,
  characterLength: 64,
  actionKindLength: 32,
  /** `action.details` as JSON text. */
  detailsLength: 1000,
  /** Nesting depth of `action.details`. */
  detailsDepth: 8,
  /** Longest turn order (the largest table). */
  turnOrderLength: 12,
} as const;

/** Trimmed, non-empty free text (line breaks allowed) of at most `max` characters (UTF-16 code units). */
const text = (max: number) => freeTextString(z.string().trim().min(1, 'must not be empty').max(max));
/** A short name-like string: no line breaks or invisible characters. */
const label = (schema: z.ZodString) => nameString(schema);

/**
 * `action.details`: any JSON value (string, number, boolean, null, array, object) of at most
 * `detailsLength` characters as JSON and `detailsDepth` levels. It is stored as JSON text.
 */
export const detailsSchema = z.unknown().transform((value, ctx) => {
  const json = detailsJson(value);
  if (json === undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must be JSON data of at most ${TABLETOP_LIMITS.detailsLength} characters and ${TABLETOP_LIMITS.detailsDepth} levels`,
    });
    return z.NEVER;
  }
  return json;
});

/** JSON text of `value` if it is plain JSON data within the limits, else undefined. */
export function detailsJson(value: unknown): string | undefined {
  if (!isPlainJson(value, TABLETOP_LIMITS.detailsDepth)) return undefined;
  const json = JSON.stringify(value);
  return json.length <= TABLETOP_LIMITS.detailsLength ? json : undefined;
}

function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth === 0 || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.length <= TABLETOP_LIMITS.detailsLength && value.every((item) => isPlainJson(item, depth - 1));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.length <= TABLETOP_LIMITS.detailsLength && entries.every(([, item]) => isPlainJson(item, depth - 1));
}

export const tabletopMessages = {
  /** Public chat line. */
  chat: messageSchema({ text: text(TABLETOP_LIMITS.chatLength) }),
  /** Private line to one seated player; only sender, target and GMs see it. */
  whisper: messageSchema({ to: userIdSchema, text: text(TABLETOP_LIMITS.chatLength) }),
  /**
   * Server-side dice roll. Any string reaches the dice parser (bad formulas → INVALID_FORMULA);
   * `secret` rolls are seen only by the roller and GMs.
   */
  roll: messageSchema({
    formula: z.string(),
    label: label(z.string().trim().max(TABLETOP_LIMITS.rollLabelLength)).optional(),
    secret: z.boolean().optional(),
  }),
  /** GM narration. */
  narrate: messageSchema({ text: text(TABLETOP_LIMITS.narrateLength) }),
  /** A player's in-game action, logged for everyone: `kind` (e.g. "attack") plus free JSON details. */
  action: messageSchema({
    kind: label(z.string().trim().min(1, 'must not be empty').max(TABLETOP_LIMITS.actionKindLength)),
    details: detailsSchema.optional(),
  }),
  /** GM: the turn order (seated user ids, no duplicates; [] clears it). */
  set_turn_order: messageSchema({ order: z.array(userIdSchema).max(TABLETOP_LIMITS.turnOrderLength) }),
  /** GM or the current player: pass the turn on. */
  next_turn: messageSchema({}),
  /** GM: start/end combat or set its round. */
  combat: messageSchema({ active: z.boolean(), round: z.number().int().min(1).max(10_000).optional() }),
  /** Set your character's name ('' clears it); the GM may name another player's (`userId`). */
  set_character: messageSchema({ name: label(z.string().trim().max(TABLETOP_LIMITS.characterLength)), userId: userIdSchema.optional() }),
} as const;

/** What a client sends, by message type (`action.details` is any JSON value; the room stores it as JSON text). */
export type TabletopClientMessages = ClientMessages<typeof tabletopMessages>;

// ---- state (src/rooms/schema/TabletopState.ts, checked by conformance.ts) -----------------------

/** `TabletopPlayerState`. */
export interface TabletopPlayerView extends PlayerView {
  /** The room's creator and users whose token carries the `gm` role. */
  readonly isGM: boolean;
  /** Character name; '' when none. */
  readonly character: string;
}

/** `RollTermState`: one term of a roll. Dice terms list every die; constants carry `value`. */
export interface RollTermView {
  /** 'dice' | 'constant' */
  readonly kind: string;
  /** 1 or -1. */
  readonly sign: number;
  readonly count: number;
  readonly sides: number;
  /** '' (every die counts), 'highest' (`khK`) or 'lowest' (`klK`). */
  readonly keep: string;
  readonly keepCount: number;
  /** Every die in roll order, dropped ones included. */
  readonly dice: SchemaArray<number>;
  /** Parallel to `dice`: false for dice dropped by the keep rule. */
  readonly kept: SchemaArray<boolean>;
  /** Constants: the (unsigned) value. */
  readonly value: number;
  /** Signed contribution to the total. */
  readonly subtotal: number;
}

/** `RollState`. */
export interface RollView {
  /** Normalised formula, e.g. `2d20kh1+5`. */
  readonly formula: string;
  readonly terms: SchemaArray<RollTermView>;
  /** Sum of the constant terms. */
  readonly modifier: number;
  readonly total: number;
}

/** `LogEntryState`: one entry of the session log. */
export interface LogEntryView {
  /** Session-wide sequence number (also the entry's key in `log`). */
  readonly seq: number;
  /** join | leave | chat | whisper | roll | narrate | action | character | turn_order | turn | combat */
  readonly kind: string;
  /** User id of the author ('' for none). */
  readonly from: string;
  /** Display name of `from` when the entry was written. */
  readonly name: string;
  /** Whisper target, or the player a `character`/`turn` entry is about; '' otherwise. */
  readonly to: string;
  /** Message text; roll label; action kind; leave reason; character name. */
  readonly text: string;
  /** JSON text of structured details; '' when none. */
  readonly details: string;
  /** Roll entries only. */
  readonly roll?: RollView;
  /** Whisper or secret roll: only its audience receives this entry. */
  readonly isPrivate: boolean;
  /** Epoch ms. */
  readonly at: number;
}

/** `TabletopState`, its players being `TabletopPlayerState`s. */
export interface TabletopStateView extends GameStateView<TabletopPlayerView> {
  /** `@view()`, keyed by `seq`: absent until the first entry this client may see arrives. */
  readonly log?: SchemaMap<LogEntryView>;
  /** User ids in turn order. */
  readonly turnOrder: SchemaArray<string>;
  /** Index into `turnOrder` of the current player (`turn` holds their id). */
  readonly turnIndex: number;
  readonly combat: boolean;
  /** Combat round (≥ 1 during combat, 0 otherwise). */
  readonly combatRound: number;
  /** Epoch ms the session opened. */
  readonly startedAt: number;
}
