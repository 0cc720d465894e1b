import { strict as assert } from 'assert';
import { replayLog, type LoggedAction, type SeatInfo, type Viewer } from '../../../src/games/engine';
import { createRandom } from '../../../src/games/random';
import {
  GM_ROLE, MAX_LOG_ENTRIES, tabletopEngine, type SessionAction, type SessionEvent, type SessionLogEntry, type SessionState,
} from '../../../src/games/tabletop/session';
import { TABLETOP_LIMITS, tabletopMessages } from '../../../src/protocol/tabletop';
import { testSeed } from '../../support/seeds';

const engine = tabletopEngine;
const T0 = 1_700_000_000_000;

/** Freezes `value` and everything in it, so a rule that mutates its input throws in strict mode. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value as object)) deepFreeze(item);
  }
  return value;
}

function seat(id: string, options: { creator?: boolean; roles?: string[]; name?: string } = {}): SeatInfo {
  return { id, name: options.name ?? id.toUpperCase(), roles: options.roles ?? [], creator: options.creator ?? false };
}

/**
 * A session as the host builds it: a journal of actions applied one by one (each input state
 * frozen), so a test can refuse, inspect and replay it.
 */
class Table {
  state: SessionState;
  readonly log: Array<LoggedAction<SessionAction>> = [];
  events: SessionEvent[] = [];
  private clock = T0;

  constructor(readonly seed = testSeed('tabletop session')) {
    this.state = deepFreeze(engine.setup(createRandom(seed), [], {}).state);
  }

  /** Applies an accepted action (fails the test on a refusal); returns its entries. */
  do(actor: string | null, action: SessionAction): SessionLogEntry[] {
    const at = (this.clock += 1000);
    const result = engine.apply(this.state, actor, action, at);
    if (!result.ok) assert.fail(`expected ${JSON.stringify(action)} by ${actor} to be accepted, got ${result.code}: ${result.message}`);
    this.log.push({ playerId: actor, action, at });
    this.state = deepFreeze(result.state);
    this.events = result.events;
    return result.events.flatMap((event) => (event.type === 'entry' ? [event.entry] : []));
  }

  /** Expects a refusal with `code`, and that nothing changed. */
  refuse(actor: string | null, action: SessionAction, code: string): string {
    const before = JSON.stringify(this.state);
    const result = engine.apply(this.state, actor, action, this.clock + 1);
    assert.equal(result.ok, false, `expected ${JSON.stringify(action)} by ${actor} to be refused with ${code}`);
    assert.equal((result as { code: string }).code, code, (result as { message: string }).message);
    assert.equal(typeof (result as { message: string }).message, 'string');
    assert.equal(JSON.stringify(this.state), before, 'a refusal changes nothing');
    return (result as { message: string }).message;
  }

  /** Seats a user through the engine's own seat action. */
  sit(info: SeatInfo): SessionLogEntry[] {
    const action = engine.seatTaken!(this.state, info);
    assert.ok(action, 'seatTaken gives an action');
    return this.do(null, action);
  }

  leave(userId: string, reason: 'left' | 'disconnected' | 'kicked' = 'left'): SessionLogEntry[] {
    const action = engine.seatReleased!(this.state, userId, reason);
    assert.ok(action, `seatReleased(${userId}) gives an action`);
    return this.do(null, action);
  }

  /** The one entry an accepted action wrote. */
  entry(actor: string | null, action: SessionAction): SessionLogEntry {
    const entries = this.do(actor, action);
    assert.equal(entries.length, 1, `one entry for ${action.type}`);
    return entries[0];
  }

  /** The seqs (as visible() returns them) `viewer` may see. */
  sees(userId: string, seated = true): string[] {
    return [...engine.visible!(this.state, { userId, seated } satisfies Viewer)];
  }
}

/** GM (the creator), a GM by role, two players. */
function table(seed?: string): Table {
  const t = new Table(seed);
  t.sit(seat('gm', { creator: true }));
  t.sit(seat('a'));
  t.sit(seat('b'));
  return t;
}

function rolls(entries: SessionLogEntry[]): number[][] {
  return entries.map((entry) => entry.roll!.terms.flatMap((term) => (term.kind === 'dice' ? term.dice.map((d) => d.value) : [])));
}

describe('tabletop session rules (pure)', () => {
  describe('seats and who is GM', () => {
    it('the creator and users with the gm role are GM; other players are not', () => {
      const t = new Table();
      assert.deepEqual(engine.seatTaken!(t.state, seat('gm', { creator: true })), { type: 'join', userId: 'gm', name: 'GM', gm: true });
      assert.deepEqual(engine.seatTaken!(t.state, seat('r', { roles: [GM_ROLE] })), { type: 'join', userId: 'r', name: 'R', gm: true });
      assert.deepEqual(engine.seatTaken!(t.state, seat('a', { roles: ['vip'] })), { type: 'join', userId: 'a', name: 'A', gm: false });
      assert.deepEqual(engine.seatTaken!(t.state, seat('g', { roles: ['GM'] })), { type: 'join', userId: 'g', name: 'G', gm: false }, 'roles are case-sensitive');

      t.sit(seat('gm', { creator: true }));
      t.sit(seat('r', { roles: [GM_ROLE] }));
      const [join] = t.sit(seat('a', { roles: ['vip'] }));
      assert.deepEqual(
        Object.fromEntries(Object.entries(t.state.players).map(([id, p]) => [id, p.isGM])),
        { gm: true, r: true, a: false },
      );
      assert.deepEqual([join.kind, join.from, join.name, join.private, join.at], ['join', 'a', 'A', false, T0 + 3000]);
      assert.deepEqual(t.events.filter((e) => e.type === 'player'), [{ type: 'player', userId: 'a', player: { name: 'A', isGM: false, character: '' } }]);
      assert.deepEqual(t.state.participants.map((p) => [p.id, p.isGM, p.joinedAt]), [['gm', true, T0 + 1000], ['r', true, T0 + 2000], ['a', false, T0 + 3000]]);
    });

    it('a session never ends by itself and has no timed turn', () => {
      const t = table();
      assert.equal(engine.isOver(t.state), false);
      assert.equal(engine.turn(t.state), null);
      assert.equal(engine.random, false);
      assert.deepEqual(t.state.random, { seed: t.seed, offset: 0 });
    });

    it('a seat released writes a leave entry and frees the seat; an unknown one gives no action and is refused', () => {
      const t = table();
      const [leave] = t.leave('b', 'kicked');
      assert.deepEqual([leave.kind, leave.from, leave.name, leave.text], ['leave', 'b', 'B', 'kicked']);
      assert.equal(t.state.players.b, undefined);
      assert.ok(t.events.some((e) => e.type === 'player' && e.userId === 'b' && e.player === null));
      assert.deepEqual(t.state.participants.map((p) => p.id), ['gm', 'a', 'b'], 'participants keep everyone who ever sat');
      assert.equal(engine.seatReleased!(t.state, 'b', 'left'), undefined, 'already gone');
      assert.equal(engine.seatReleased!(t.state, 'nobody', 'left'), undefined);
      t.refuse(null, { type: 'leave', userId: 'nobody', reason: 'left' }, 'INVALID_ACTION');
      t.refuse('b', { type: 'chat', text: 'I am gone' }, 'NOT_A_PLAYER');
    });

    it('a returning player keeps their first join time, their GM status and their character', () => {
      const t = table();
      t.do('a', { type: 'set_character', name: 'Aria' });
      t.leave('a');
      t.leave('gm');
      assert.equal(t.state.characters.a, 'Aria', 'the name is remembered');
      t.sit(seat('a'));
      assert.deepEqual(t.state.players.a, { name: 'A', isGM: false, character: 'Aria' });
      t.sit(seat('gm', { creator: true }));
      assert.equal(t.state.players.gm.isGM, true);
      assert.deepEqual(t.state.participants.map((p) => [p.id, p.joinedAt, p.character]), [['gm', T0 + 1000, ''], ['a', T0 + 2000, 'Aria'], ['b', T0 + 3000, '']]);
    });

    it('players cannot send room actions and the room cannot send player actions', () => {
      const t = table();
      t.refuse('a', { type: 'join', userId: 'a', name: 'A', gm: true } as SessionAction, 'INVALID_ACTION');
      t.refuse('a', { type: 'leave', userId: 'b', reason: 'kicked' } as SessionAction, 'INVALID_ACTION');
      t.refuse(null, { type: 'chat', text: 'hi' }, 'INVALID_ACTION');
      t.refuse(null, { type: 'narrate', text: 'The room speaks' }, 'INVALID_ACTION');
      t.refuse('a', { type: 'dance' } as unknown as SessionAction, 'INVALID_ACTION');
      assert.equal(t.state.players.a.isGM, false);
    });

    it('nobody who is not seated can act', () => {
      const t = table();
      for (const action of [
        { type: 'chat', text: 'hi' },
        { type: 'whisper', to: 'a', text: 'hi' },
        { type: 'roll', formula: '1d20' },
        { type: 'narrate', text: 'Once upon a time' },
        { type: 'action', kind: 'attack' },
        { type: 'set_character', name: 'X' },
        { type: 'next_turn' },
      ] as SessionAction[]) {
        t.refuse('stranger', action, 'NOT_A_PLAYER');
      }
    });
  });

  describe('chat, narration, actions', () => {
    it('chat is a public entry of its sender, with the action time', () => {
      const t = table();
      const entry = t.entry('a', { type: 'chat', text: 'hello' });
      assert.deepEqual(
        { kind: entry.kind, from: entry.from, name: entry.name, to: entry.to, text: entry.text, private: entry.private, at: entry.at, seq: entry.seq },
        { kind: 'chat', from: 'a', name: 'A', to: '', text: 'hello', private: false, at: T0 + 4000, seq: 4 },
      );
      assert.equal(t.state.seq, 4);
    });

    it('only a GM narrates; a player, a would-be GM by name, and a former GM who left are refused', () => {
      const t = table();
      t.sit(seat('r', { roles: [GM_ROLE] }));
      assert.equal(t.entry('gm', { type: 'narrate', text: 'Night falls.' }).kind, 'narrate');
      assert.equal(t.entry('r', { type: 'narrate', text: 'Wolves howl.' }).private, false);
      const message = t.refuse('a', { type: 'narrate', text: 'I win.' }, 'GM_ONLY');
      assert.match(message, /GM/);
      t.sit(seat('gmx', { name: 'GM' }));
      t.refuse('gmx', { type: 'narrate', text: 'I am the GM, trust me' }, 'GM_ONLY');
      t.leave('gm');
      t.refuse('gm', { type: 'narrate', text: 'back?' }, 'NOT_A_PLAYER');
    });

    it('actions are public: kind in text, details as given', () => {
      const t = table();
      const entry = t.entry('b', { type: 'action', kind: 'attack', details: '{"target":"orc"}' });
      assert.deepEqual([entry.kind, entry.text, entry.details, entry.private], ['action', 'attack', '{"target":"orc"}', false]);
      assert.equal(t.entry('b', { type: 'action', kind: 'hide' }).details, '');
    });
  });

  describe('whispers', () => {
    it('reach sender, target and every seated GM; not other players, not spectators', () => {
      const t = table();
      t.sit(seat('c'));
      t.sit(seat('r', { roles: [GM_ROLE] }));
      const whisper = t.entry('a', { type: 'whisper', to: 'b', text: 'psst' });
      assert.deepEqual([whisper.kind, whisper.from, whisper.to, whisper.text, whisper.private], ['whisper', 'a', 'b', 'psst', true]);
      assert.deepEqual(whisper.audience, { private: true, members: ['a', 'b'] });
      const id = String(whisper.seq);
      for (const who of ['a', 'b', 'gm', 'r']) assert.ok(t.sees(who).includes(id), `${who} sees the whisper`);
      assert.ok(!t.sees('c').includes(id), 'another player does not');
      assert.ok(!t.sees('spectator', false).includes(id), 'a spectator does not');
      assert.ok(!t.sees('gm', false).includes(id), 'the GM watching as a spectator does not');
      assert.ok(!t.sees('b', false).includes(id), 'the target watching as a spectator does not');
    });

    it('a GM who joins later sees earlier whispers; a member who left and came back sees theirs again', () => {
      const t = table();
      const id = String(t.entry('a', { type: 'whisper', to: 'b', text: 'secret' }).seq);
      t.leave('b');
      assert.ok(!t.sees('b', false).includes(id));
      t.sit(seat('late', { roles: [GM_ROLE] }));
      assert.ok(t.sees('late').includes(id));
      t.sit(seat('b'));
      assert.ok(t.sees('b').includes(id));
    });

    it('a player may whisper to the GM and the GM to a player', () => {
      const t = table();
      assert.deepEqual(t.entry('a', { type: 'whisper', to: 'gm', text: 'I steal it' }).audience.members, ['a', 'gm']);
      const reply = t.entry('gm', { type: 'whisper', to: 'a', text: 'roll stealth' });
      assert.ok(!t.sees('b').includes(String(reply.seq)));
    });

    it('whispering to nobody, to yourself, to someone not present or gone is refused', () => {
      const t = table();
      t.refuse('a', { type: 'whisper', to: '', text: 'hello?' }, 'INVALID_ACTION');
      t.refuse('a', { type: 'whisper', to: 'a', text: 'note to self' }, 'INVALID_ACTION');
      t.refuse('a', { type: 'whisper', to: 'ghost', text: 'boo' }, 'INVALID_ACTION');
      t.refuse('a', { type: 'whisper', to: 'GM', text: 'names are not ids' }, 'INVALID_ACTION');
      t.leave('b');
      t.refuse('a', { type: 'whisper', to: 'b', text: 'are you there?' }, 'INVALID_ACTION');
    });

    // Seated players are keyed by user id in a plain object: ids every object inherits
    // ('__proto__', 'constructor', …) must not count as seated.
    it('whispering to an id inherited from Object.prototype is refused like any absent player', () => {
      const t = table();
      for (const to of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
        t.refuse('a', { type: 'whisper', to, text: 'prototype' }, 'INVALID_ACTION');
      }
    });
  });

  describe('characters', () => {
    it('a player names their own character (with or without their own id)', () => {
      const t = table();
      const entry = t.entry('a', { type: 'set_character', name: 'Aria' });
      assert.deepEqual([entry.kind, entry.from, entry.to, entry.text, entry.private], ['character', 'a', 'a', 'Aria', false]);
      assert.equal(t.state.players.a.character, 'Aria');
      assert.equal(t.state.characters.a, 'Aria');
      assert.equal(t.state.participants.find((p) => p.id === 'a')!.character, 'Aria');
      assert.deepEqual(t.events.find((e) => e.type === 'player'), { type: 'player', userId: 'a', player: { name: 'A', isGM: false, character: 'Aria' } });
      t.do('a', { type: 'set_character', name: 'Aria the Bold', userId: 'a' });
      assert.equal(t.state.players.a.character, 'Aria the Bold');
      t.do('a', { type: 'set_character', name: '' });
      assert.equal(t.state.players.a.character, '', "'' clears it");
    });

    it("only a GM names another player's character; a player naming another is refused", () => {
      const t = table();
      const message = t.refuse('a', { type: 'set_character', name: 'Dummy', userId: 'b' }, 'GM_ONLY');
      assert.match(message, /GM/);
      t.refuse('a', { type: 'set_character', name: 'Dummy', userId: 'gm' }, 'GM_ONLY');
      const entry = t.entry('gm', { type: 'set_character', name: 'Borin', userId: 'b' });
      assert.deepEqual([entry.from, entry.name, entry.to, entry.text], ['gm', 'GM', 'b', 'Borin']);
      assert.equal(t.state.players.b.character, 'Borin');
      assert.equal(t.state.players.gm.character, '', "the GM's own stays");
    });

    it('naming the character of someone not seated is refused, even for the GM', () => {
      const t = table();
      t.refuse('gm', { type: 'set_character', name: 'Ghost', userId: 'nobody' }, 'INVALID_ACTION');
      t.leave('b');
      t.refuse('gm', { type: 'set_character', name: 'Ghost', userId: 'b' }, 'INVALID_ACTION');
      t.refuse('a', { type: 'set_character', name: 'Ghost', userId: 'nobody' }, 'GM_ONLY');
    });

    // Naming 'constructor' must not seat a phantom player, nor '__proto__' replace the players
    // object's prototype.
    it('naming the character of an id inherited from Object.prototype is refused and seats no phantom', () => {
      const t = table();
      for (const userId of ['constructor', '__proto__', 'toString']) {
        t.refuse('gm', { type: 'set_character', name: 'Phantom', userId }, 'INVALID_ACTION');
      }
      assert.deepEqual(Object.keys(t.state.players), ['gm', 'a', 'b']);
    });
  });

  describe('turn order, next turn, combat', () => {
    it('the GM sets the order; it is tracked (untimed) and logged', () => {
      const t = table();
      const entries = t.do('gm', { type: 'set_turn_order', order: ['b', 'a'] });
      assert.deepEqual(entries.map((e) => [e.kind, e.from, e.to, e.details]), [
        ['turn_order', 'gm', '', '["b","a"]'],
        ['turn', 'gm', 'b', '{"index":0,"round":0}'],
      ]);
      assert.deepEqual(t.state.turns, { order: ['b', 'a'], index: 0, combat: false, round: 0 });
      assert.ok(t.events.some((e) => e.type === 'turns'));
      assert.deepEqual(engine.turn(t.state), { playerId: 'b', key: '0:0', timed: false });
      t.do('gm', { type: 'set_turn_order', order: [] });
      assert.equal(engine.turn(t.state), null, 'an empty order clears it');
    });

    it('refuses a turn order from a player, with strangers, or with duplicates', () => {
      const t = table();
      t.refuse('a', { type: 'set_turn_order', order: ['a', 'b'] }, 'GM_ONLY');
      t.refuse('gm', { type: 'set_turn_order', order: ['a', 'stranger'] }, 'INVALID_ACTION');
      t.refuse('gm', { type: 'set_turn_order', order: ['a', 'b', 'a'] }, 'INVALID_ACTION');
      t.leave('b');
      t.refuse('gm', { type: 'set_turn_order', order: ['a', 'b'] }, 'INVALID_ACTION');
    });

    it('next_turn: the current player or the GM; the wrong player is refused; it wraps', () => {
      const t = table();
      t.refuse('a', { type: 'next_turn' }, 'INVALID_ACTION');
      t.refuse('gm', { type: 'next_turn' }, 'INVALID_ACTION');
      t.do('gm', { type: 'set_turn_order', order: ['a', 'b'] });
      const message = t.refuse('b', { type: 'next_turn' }, 'NOT_YOUR_TURN');
      assert.ok(message.length > 0);
      const [turn] = t.do('a', { type: 'next_turn' });
      assert.deepEqual([turn.kind, turn.from, turn.to], ['turn', 'a', 'b']);
      assert.equal(engine.turn(t.state)!.playerId, 'b');
      t.refuse('a', { type: 'next_turn' }, 'NOT_YOUR_TURN');
      t.do('gm', { type: 'next_turn' });
      assert.deepEqual(engine.turn(t.state), { playerId: 'a', key: '0:0', timed: false });
      assert.equal(t.state.turns.round, 0, 'no rounds outside combat');
    });

    it('the turn order gates next_turn only: a player out of turn may still chat and roll', () => {
      const t = table();
      t.do('gm', { type: 'set_turn_order', order: ['a', 'b'] });
      t.do('b', { type: 'chat', text: 'waiting' });
      t.do('b', { type: 'roll', formula: '1d20' });
      assert.equal(engine.turn(t.state)!.playerId, 'a');
    });

    it('a player who leaves leaves the order; if it was their turn it passes on', () => {
      const t = table();
      t.sit(seat('c'));
      t.do('gm', { type: 'set_turn_order', order: ['a', 'b', 'c'] });
      t.do('a', { type: 'next_turn' });
      const entries = t.leave('b');
      assert.deepEqual(t.state.turns.order, ['a', 'c']);
      assert.equal(engine.turn(t.state)!.playerId, 'c');
      assert.deepEqual(entries.map((e) => [e.kind, e.to]), [['leave', ''], ['turn', 'c']]);
      t.leave('a');
      assert.deepEqual([t.state.turns.order, t.state.turns.index], [['c'], 0]);
      t.leave('c');
      assert.equal(engine.turn(t.state), null);
    });

    it('combat: GM only; rounds count when the order wraps; it ends', () => {
      const t = table();
      t.do('gm', { type: 'set_turn_order', order: ['a', 'b'] });
      t.do('a', { type: 'next_turn' });
      t.refuse('a', { type: 'combat', active: true }, 'GM_ONLY');
      t.refuse('gm', { type: 'combat', active: false }, 'INVALID_ACTION');
      const started = t.do('gm', { type: 'combat', active: true });
      assert.deepEqual(started.map((e) => [e.kind, e.text, e.to]), [['combat', 'start', ''], ['turn', '', 'a']]);
      assert.deepEqual(JSON.parse(started[0].details), { active: true, round: 1 });
      assert.deepEqual([t.state.turns.combat, t.state.turns.round, engine.turn(t.state)!.playerId], [true, 1, 'a']);
      const key = engine.turn(t.state)!.key;
      t.do('a', { type: 'next_turn' });
      t.do('b', { type: 'next_turn' });
      assert.deepEqual([t.state.turns.round, engine.turn(t.state)!.playerId], [2, 'a']);
      assert.notEqual(engine.turn(t.state)!.key, key, "the same player's next turn is a new turn");
      t.refuse('gm', { type: 'combat', active: true }, 'INVALID_ACTION');
      t.refuse('gm', { type: 'combat', active: true, round: 0 }, 'INVALID_ACTION');
      t.refuse('gm', { type: 'combat', active: true, round: 2.5 }, 'INVALID_ACTION');
      t.refuse('b', { type: 'combat', active: false }, 'GM_ONLY');
      t.do('gm', { type: 'combat', active: true, round: 5 });
      assert.equal(t.state.turns.round, 5);
      t.refuse('gm', { type: 'combat', active: false, round: 6 }, 'INVALID_ACTION');
      const [ended] = t.do('gm', { type: 'combat', active: false });
      assert.deepEqual([ended.kind, ended.text, JSON.parse(ended.details)], ['combat', 'end', { active: false, round: 0 }]);
      assert.deepEqual([t.state.turns.combat, t.state.turns.round], [false, 0]);
    });
  });

  describe('dice from the seeded stream', () => {
    const script: Array<[string, SessionAction]> = [
      ['a', { type: 'roll', formula: '1d20+5', label: 'attack' }],
      ['b', { type: 'chat', text: 'ouch' }],
      ['b', { type: 'roll', formula: '4d6kh3' }],
      ['gm', { type: 'roll', formula: '3d6+1d4-2', secret: true }],
      ['a', { type: 'roll', formula: '10d1000' }],
    ];

    function play(seed: string): { t: Table; entries: SessionLogEntry[] } {
      const t = table(seed);
      const entries = script.flatMap(([actor, action]) => t.do(actor, action)).filter((e) => e.kind === 'roll');
      return { t, entries };
    }

    it('a roll is a logged entry with its detail, and moves the stream on (the input state untouched)', () => {
      const t = table();
      const before = t.state;
      const entry = t.entry('a', { type: 'roll', formula: '2d20kh1+5', label: 'attack' });
      assert.deepEqual([entry.kind, entry.from, entry.text, entry.private], ['roll', 'a', 'attack', false]);
      const roll = entry.roll!;
      assert.equal(roll.formula, '2d20kh1+5');
      assert.equal(roll.modifier, 5);
      const [dice] = roll.terms;
      assert.ok(dice.kind === 'dice' && dice.dice.length === 2 && dice.dice.filter((d) => d.kept).length === 1);
      const kept = Math.max(...dice.dice.map((d) => d.value));
      assert.equal(roll.total, kept + 5);
      assert.ok(roll.total >= 6 && roll.total <= 25);
      assert.deepEqual(before.random, { seed: t.seed, offset: 0 }, 'the old state keeps its stream position');
      assert.equal(t.state.random.seed, t.seed);
      assert.ok(t.state.random.offset > 0, 'the stream moved on');
    });

    it('the same seed rolls the same dice; a different seed rolls different ones', () => {
      const first = play(testSeed('dice 1'));
      const again = play(testSeed('dice 1'));
      const other = play(testSeed('dice 2'));
      assert.equal(first.entries.length, 4);
      assert.deepEqual(rolls(again.entries), rolls(first.entries));
      assert.deepEqual(again.entries.map((e) => e.roll), first.entries.map((e) => e.roll));
      assert.deepEqual(again.t.state, first.t.state);
      // 15 independent dice, ten of them d1000: equal by chance with negligible probability
      assert.notDeepEqual(rolls(other.entries), rolls(first.entries));
    });

    it('the dice are those of the seed\'s stream, drawn in order', () => {
      const seed = testSeed('dice stream');
      const t = table(seed);
      const entry = t.entry('a', { type: 'roll', formula: '5d1000' });
      const stream = createRandom(seed);
      const expected = Array.from({ length: 5 }, () => stream.int(1000) + 1);
      assert.deepEqual(rolls([entry]), [expected]);
      assert.deepEqual(t.state.random, stream.state(), 'the session resumes the stream exactly where it stopped');
    });

    it('only rolls draw from the stream: other messages in between do not change the dice', () => {
      const seed = testSeed('dice interleaved');
      const quiet = table(seed);
      const busy = table(seed);
      busy.do('a', { type: 'chat', text: 'hi' });
      busy.do('gm', { type: 'narrate', text: 'Thunder.' });
      busy.do('gm', { type: 'set_turn_order', order: ['a', 'b'] });
      busy.do('gm', { type: 'combat', active: true });
      busy.do('b', { type: 'whisper', to: 'a', text: 'go' });
      assert.deepEqual(rolls([busy.entry('a', { type: 'roll', formula: '3d100' })]), rolls([quiet.entry('a', { type: 'roll', formula: '3d100' })]));
    });

    it('a replay of the journal from the seed rebuilds the very same session', () => {
      const { t } = play(testSeed('dice replay'));
      t.do('gm', { type: 'set_turn_order', order: ['b', 'a'] });
      t.leave('a');
      const replayed = replayLog(engine, createRandom(t.seed), [], {}, t.log);
      assert.deepEqual(replayed, t.state);
    });

    it('a bad formula is INVALID_FORMULA and draws nothing', () => {
      const t = table();
      for (const formula of ['', 'd', '1d1', '0d6', '101d6', '1d1001', '2d6k1', '4d6kh5', '1d6++2', '+1d6', 'rm -rf', '1d6'.repeat(40), '１d6']) {
        const message = t.refuse('a', { type: 'roll', formula }, 'INVALID_FORMULA');
        assert.ok(message.length > 0, formula);
      }
      t.refuse('a', { type: 'roll', formula: 42 as unknown as string }, 'INVALID_FORMULA');
      assert.equal(t.state.random.offset, 0);
    });

    it('a secret roll is seen only by the roller and the GMs', () => {
      const t = table();
      t.sit(seat('r', { roles: [GM_ROLE] }));
      const secret = t.entry('a', { type: 'roll', formula: '1d20', secret: true });
      assert.deepEqual([secret.private, secret.audience], [true, { private: true, members: ['a'] }]);
      const id = String(secret.seq);
      for (const who of ['a', 'gm', 'r']) assert.ok(t.sees(who).includes(id), who);
      assert.ok(!t.sees('b').includes(id));
      assert.ok(!t.sees('a', false).includes(id), 'not as a spectator');
      const open = t.entry('a', { type: 'roll', formula: '1d20', secret: false });
      assert.ok(t.sees('b').includes(String(open.seq)) && t.sees('x', false).includes(String(open.seq)));
    });
  });

  describe('text limits and the log window', () => {
    const chat = tabletopMessages.chat;
    const whisper = tabletopMessages.whisper;
    const narrate = tabletopMessages.narrate;

    it('chat and whispers take at most 500 characters after trimming; narration 1000 (the catalogue the host checks first)', () => {
      assert.equal(TABLETOP_LIMITS.chatLength, 500);
      assert.ok(chat.safeParse({ text: 'x'.repeat(500) }).success);
      assert.ok(chat.safeParse({ text: `  ${'x'.repeat(500)}  ` }).success, 'surrounding spaces do not count');
      assert.equal(chat.safeParse({ text: 'x'.repeat(501) }).success, false);
      assert.equal(chat.safeParse({ text: '   ' }).success, false, 'empty after trimming');
      assert.equal(chat.safeParse({ text: '' }).success, false);
      assert.equal(chat.safeParse({ text: 42 }).success, false);
      assert.equal(chat.safeParse({}).success, false);
      assert.equal(chat.safeParse({ text: 'hi', extra: 1 }).success, false, 'strict');
      assert.ok(chat.safeParse({ text: 'two\nlines\tand a tab' }).success);
      assert.equal(chat.safeParse({ text: 'evil \u202E txt' }).success, false, 'bidi override');
      assert.equal(chat.safeParse({ text: 'zero\u200Bwidth' }).success, false);
      assert.equal(chat.safeParse({ text: 'bell\u0007' }).success, false);
      assert.ok(whisper.safeParse({ to: 'u1', text: 'x'.repeat(500) }).success);
      assert.equal(whisper.safeParse({ to: 'u1', text: 'x'.repeat(501) }).success, false);
      assert.equal(whisper.safeParse({ to: '', text: 'hi' }).success, false, 'a whisper needs a target');
      assert.equal(whisper.safeParse({ text: 'hi' }).success, false);
      assert.ok(narrate.safeParse({ text: 'x'.repeat(1000) }).success);
      assert.equal(narrate.safeParse({ text: 'x'.repeat(1001) }).success, false);
      const parsed = chat.safeParse({ text: '  hello  ', rid: 'r1' });
      assert.ok(parsed.success && parsed.data.text === 'hello');
    });

    it('character names, roll labels and action kinds have their limits too', () => {
      const { set_character: character, roll, action } = tabletopMessages;
      assert.ok(character.safeParse({ name: 'x'.repeat(64) }).success);
      assert.equal(character.safeParse({ name: 'x'.repeat(65) }).success, false);
      assert.equal(character.safeParse({ name: 'two\nlines' }).success, false, 'names have no line breaks');
      assert.ok(character.safeParse({ name: '' }).success, "'' clears it");
      assert.ok(roll.safeParse({ formula: '1d20', label: 'x'.repeat(100) }).success);
      assert.equal(roll.safeParse({ formula: '1d20', label: 'x'.repeat(101) }).success, false);
      assert.equal(action.safeParse({ kind: 'x'.repeat(33) }).success, false);
      assert.equal(action.safeParse({ kind: 'attack', details: { a: 'x'.repeat(1000) } }).success, false);
    });

    it(`the live log keeps the last ${MAX_LOG_ENTRIES} entries; visible() lists only those`, () => {
      const t = table();
      const secret = String(t.entry('a', { type: 'whisper', to: 'b', text: 'early secret' }).seq);
      for (let i = 0; i < MAX_LOG_ENTRIES + 10; i++) t.do(i % 2 ? 'a' : 'b', { type: 'chat', text: `line ${i}` });
      const last = t.state.seq;
      assert.equal(last, 3 + 1 + MAX_LOG_ENTRIES + 10);
      assert.equal(t.state.live.length, MAX_LOG_ENTRIES);
      assert.deepEqual(t.state.live.map((item) => item.seq), Array.from({ length: MAX_LOG_ENTRIES }, (_, i) => last - MAX_LOG_ENTRIES + 1 + i));
      const seen = t.sees('x', false);
      assert.equal(seen.length, MAX_LOG_ENTRIES);
      assert.ok(!t.sees('a').includes(secret), 'evicted entries leave every view');
      assert.equal(seen[0], String(last - MAX_LOG_ENTRIES + 1));
    });
  });

  describe('visible()', () => {
    it('lists the seqs (as strings) of public entries for everyone and private ones for their audience only', () => {
      const t = table();
      t.sit(seat('c'));
      const chat = String(t.entry('a', { type: 'chat', text: 'hi' }).seq);
      const whisper = String(t.entry('a', { type: 'whisper', to: 'b', text: 'psst' }).seq);
      const secret = String(t.entry('c', { type: 'roll', formula: '1d6', secret: true }).seq);
      const joins = ['1', '2', '3', '4'];
      assert.deepEqual(t.sees('spectator', false), [...joins, chat]);
      assert.deepEqual(t.sees('a'), [...joins, chat, whisper]);
      assert.deepEqual(t.sees('b'), [...joins, chat, whisper]);
      assert.deepEqual(t.sees('c'), [...joins, chat, secret]);
      assert.deepEqual(t.sees('gm'), [...joins, chat, whisper, secret]);
      assert.deepEqual(t.sees('stranger', true), [...joins, chat], 'a viewer the session does not know is no GM');
    });

    it('a GM who leaves loses the private entries; a player promoted by a gm role on return gains them', () => {
      const t = table();
      const whisper = String(t.entry('a', { type: 'whisper', to: 'b', text: 'psst' }).seq);
      assert.ok(t.sees('gm').includes(whisper));
      t.leave('gm');
      assert.ok(!t.sees('gm').includes(whisper), 'no longer seated as GM');
      t.sit(seat('c'));
      assert.ok(!t.sees('c').includes(whisper));
      t.leave('c');
      t.sit(seat('c', { roles: [GM_ROLE] }));
      assert.ok(t.sees('c').includes(whisper));
    });
  });
});
