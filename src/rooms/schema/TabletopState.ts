/**
 * State of the tabletop session room (SPEC §6). The log is a `@view()` map: each entry is sent
 * only to the clients whose StateView it was added to (public entries to everyone, whispers and
 * secret rolls to their audience), so private entries never enter the shared patches.
 *
 * Why a MapSchema keyed by `seq` and not an ArraySchema: with per-element views, schema 3.0.x
 * mis-encodes ArraySchema removals/shifts (views keep stale indexes: clients got reordered
 * entries, phantom entries and "refId not found" errors in a fuzz of push + shift + late joins),
 * while MapSchema keys have stable indexes. Clients see entries in insertion order (= `seq`).
 */
import { Schema, ArraySchema, MapSchema, type, view } from '@colyseus/schema';
import { GameState, PlayerState, RoomConfigState } from './GameState';
import type { RollResult } from '../../games/tabletop/dice';
import type { SessionLogEntry } from '../../games/tabletop/session';

export class TabletopPlayerState extends PlayerState {
  /** The room's creator and users whose token carries the `gm` role. */
  @type('boolean') isGM = false;
  /** Character name, set with `set_character`; '' when none. */
  @type('string') character = '';
}

/** One term of a roll. Dice terms list every die; constants carry `value`. */
export class RollTermState extends Schema {
  /** 'dice' | 'constant' */
  @type('string') kind = 'dice';
  /** 1 or -1. */
  @type('int8') sign = 1;
  /** Dice: how many were rolled. */
  @type('uint8') count = 0;
  @type('uint16') sides = 0;
  /** '' (every die counts), 'highest' (`khK`) or 'lowest' (`klK`). */
  @type('string') keep = '';
  /** K of `khK` / `klK`; 0 without a keep rule. */
  @type('uint8') keepCount = 0;
  /** Every die in roll order, dropped ones included. */
  @type(['uint16']) dice = new ArraySchema<number>();
  /** Parallel to `dice`: false for dice dropped by the keep rule. */
  @type(['boolean']) kept = new ArraySchema<boolean>();
  /** Constants: the (unsigned) value. */
  @type('uint32') value = 0;
  /** Signed contribution to the total. */
  @type('int32') subtotal = 0;
}

export class RollState extends Schema {
  /** Normalised formula, e.g. `2d20kh1+5`. */
  @type('string') formula = '';
  @type([RollTermState]) terms = new ArraySchema<RollTermState>();
  /** Sum of the constant terms. */
  @type('int32') modifier = 0;
  @type('int32') total = 0;

  static from(result: RollResult): RollState {
    const state = new RollState().assign({ formula: result.formula, modifier: result.modifier, total: result.total });
    for (const term of result.terms) {
      const schema = new RollTermState().assign({ kind: term.kind, sign: term.sign });
      if (term.kind === 'dice') {
        schema.assign({ count: term.count, sides: term.sides, keep: term.keep?.mode ?? '', keepCount: term.keep?.count ?? 0, subtotal: term.subtotal });
        schema.dice.push(...term.dice.map((die) => die.value));
        schema.kept.push(...term.dice.map((die) => die.kept));
      } else {
        schema.assign({ value: term.value, subtotal: term.sign * term.value });
      }
      state.terms.push(schema);
    }
    return state;
  }
}

export class LogEntryState extends Schema {
  /** Session-wide sequence number (also the entry's key in `log`). */
  @type('uint32') seq = 0;
  /** join | leave | chat | whisper | roll | narrate | action | character | turn_order | turn | combat */
  @type('string') kind = '';
  /** User id of the author ('' for none). */
  @type('string') from = '';
  /** Display name of `from` when the entry was written. */
  @type('string') name = '';
  /** Whisper target, or the player a `character`/`turn` entry is about; '' otherwise. */
  @type('string') to = '';
  /** Message text; roll label; action kind; leave reason; character name. */
  @type('string') text = '';
  /** JSON text of structured details (action details, turn/combat data); '' when none. */
  @type('string') details = '';
  /** Roll entries only. */
  @type(RollState) roll?: RollState;
  /** Whisper or secret roll: only its audience receives this entry. */
  @type('boolean') isPrivate = false;
  /** Epoch ms. */
  @type('number') at = 0;

  /** A log entry as clients see it (built detached, attached to state as one tree). */
  static from(item: SessionLogEntry): LogEntryState {
    const entry = new LogEntryState().assign({ seq: item.seq, kind: item.kind, from: item.from, name: item.name, to: item.to, text: item.text, details: item.details, isPrivate: item.private, at: item.at });
    if (item.roll) entry.roll = RollState.from(item.roll);
    return entry;
  }
}

/** `players` (inherited from GameState) holds TabletopPlayerState instances. */
export class TabletopState extends GameState {
  @type(RoomConfigState) config = new RoomConfigState();
  /** The last entries (200 at most, private ones included), keyed by `seq`; per-client filtered. */
  @view() @type({ map: LogEntryState }) log = new MapSchema<LogEntryState>();
  /** User ids in turn order. */
  @type(['string']) turnOrder = new ArraySchema<string>();
  /** Index into `turnOrder` of the current player (`turn` holds their id). */
  @type('uint8') turnIndex = 0;
  @type('boolean') combat = false;
  /** Combat round (≥ 1 during combat, 0 otherwise). */
  @type('uint16') combatRound = 0;
  /** Epoch ms the session opened. */
  @type('number') startedAt = 0;
}
