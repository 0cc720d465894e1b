import { strict as assert } from 'assert';
import { Decoder, Encoder, MapSchema } from '@colyseus/schema';
import { freeTextProblem, illFormedPath, nameProblem, toWellFormed } from '../../src/protocol/text';
import { GameState, PlayerState } from '../../src/rooms/schema/GameState';

describe('protocol: text that may enter', () => {
  it('refuses ill-formed Unicode and invisible characters in names, allowing emoji sequences', () => {
    for (const bad of ['\ud800', 'a\udc00', 'x\ud83d', 'Ann\u202Eeve', 'A\u200Bnn', '\u2028', 'a\u0000', 'a\nb', '\u2066x']) {
      assert.ok(nameProblem(bad), JSON.stringify(bad));
    }
    for (const good of ['Ann', '👩‍💻', '👨‍👩‍👧', '👍🏽', 'Zoë', '李雷', '😀']) assert.equal(nameProblem(good), undefined, good);
    assert.ok(nameProblem('a\u200Db'), 'a joiner between letters is invisible');
  });

  it('lets free text hold line breaks and tabs, nothing else invisible', () => {
    assert.equal(freeTextProblem('line one\nline two\tend'), undefined);
    for (const bad of ['\ud800', 'a\u0007', 'Ann\u202Eeve', 'x\u200By']) assert.ok(freeTextProblem(bad), JSON.stringify(bad));
  });

  it('finds the first ill-formed string of a payload, keys included', () => {
    assert.equal(illFormedPath({ text: 'fine', nested: [{ deep: 'ok' }] }), undefined);
    assert.equal(illFormedPath({ a: 'ok', b: { c: ['x', 'y\ud800'] } }), 'b.c.1');
    assert.equal(illFormedPath({ ['k\udc00']: 1 }), 'k\udc00');
    assert.equal(illFormedPath('\ud800'), '(payload)');
  });

  it('encodes a lone surrogate that slipped through as U+FFFD, so the state stream stays decodable', () => {
    const state = new GameState();
    state.code = 'ABC234';
    const player = new PlayerState();
    player.id = 'p1';
    player.name = 'bad\ud800name';
    state.players = new MapSchema<PlayerState>();
    state.players.set('p1', player);
    state.hostId = 'after-the-name';
    const bytes = new Encoder(state).encodeAll();
    const decoded = new Decoder(new GameState()).state as GameState;
    new Decoder(decoded).decode(bytes);
    assert.equal(decoded.players.get('p1')?.name, toWellFormed('bad\ud800name'));
    assert.equal(decoded.players.get('p1')?.name, 'bad\uFFFDname');
    assert.equal(decoded.hostId, 'after-the-name', 'fields after the string decode intact');
  });
});
