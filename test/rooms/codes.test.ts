import { strict as assert } from 'assert';
import { LocalPresence, type Presence } from '@colyseus/core';
import { RedisPresence } from '@colyseus/redis-presence';
import { CODE_ALPHABET, normaliseCode, randomCode, releaseCode, reserveCode } from '../../src/matchmaking/codes';
import { requireService } from '../support/services';

describe('rooms: join code reservation', () => {
  it('random codes use only the alphabet, without look-alikes', () => {
    for (let i = 0; i < 1000; i++) assert.match(randomCode(), new RegExp(`^[${CODE_ALPHABET}]{6}$`));
    assert.ok(!/[01IO]/.test(CODE_ALPHABET));
  });

  it('normalises user input and rejects what cannot be a code', () => {
    assert.equal(normaliseCode(' abc-234 '), 'ABC234');
    for (const input of ['ABC23', 'ABC2345', 'ABCDE0', 'ABCDEI', 42, null, undefined]) assert.equal(normaliseCode(input), undefined);
  });

  function reservationSuite(name: string, makePresence: (context: Mocha.Context) => Presence) {
    describe(name, () => {
      let presence: Presence;
      before(function () {
        presence = makePresence(this);
      });
      after(() => presence?.shutdown());

      it('retries on a collision and never hands out a reserved code twice', async () => {
        const taken = await reserveCode(presence, () => 'AAAAAA');
        const sequence = ['AAAAAA', 'AAAAAA', 'BBBBBB'];
        const next = await reserveCode(presence, () => sequence.shift()!);
        assert.equal(taken, 'AAAAAA');
        assert.equal(next, 'BBBBBB');
        await assert.rejects(reserveCode(presence, () => 'AAAAAA'), /no free join code/);
        await releaseCode(presence, 'AAAAAA');
        await releaseCode(presence, 'BBBBBB');
        assert.equal(await reserveCode(presence, () => 'AAAAAA'), 'AAAAAA');
        await releaseCode(presence, 'AAAAAA');
      });

      it('concurrent reservations of the same code: exactly one wins', async () => {
        const attempts = await Promise.allSettled(Array.from({ length: 10 }, () => reserveCode(presence, () => 'CCCCCC')));
        assert.equal(attempts.filter((attempt) => attempt.status === 'fulfilled').length, 1);
        await releaseCode(presence, 'CCCCCC');
      });
    });
  }

  reservationSuite('with in-memory presence', () => new LocalPresence());
  reservationSuite('with Redis presence (shared by processes)', (context) => {
    const url = new URL(requireService(context, 'REDIS_URL'));
    url.pathname = '/10';
    return new RedisPresence(url.toString());
  });
});
