/**
 * AccessPolicy on its own: kicked users, allow-lists, the hashed password, the creator and seated
 * players' pass, and the snapshot that restores access after a restart. No room, no socket.
 */
import { strict as assert } from 'assert';
import { AccessPolicy, type AccessSnapshot } from '../../src/rooms/AccessPolicy';
import { ArenaError, type ErrorCode } from '../../src/protocol/errors';
import type { User } from '../../src/auth/tokens';

const user = (id: string, roles: string[] = []): User => ({ id, name: `name of ${id}`, roles });

/** Resolves when `user` may join; otherwise the code it was refused with. */
async function outcome(access: AccessPolicy, who: User, password?: string, seated = false): Promise<'ok' | ErrorCode> {
  try {
    await access.check(who, password, seated);
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof ArenaError, `expected an ArenaError, got ${String(error)}`);
    return error.code;
  }
}

async function refusal(access: AccessPolicy, who: User, password?: string, seated = false): Promise<ArenaError> {
  const error = await access.check(who, password, seated).then(
    () => assert.fail(`${who.id} was let in`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ArenaError);
  return error;
}

describe('units: AccessPolicy', () => {
  describe('an open room', () => {
    it('lets anyone in, with or without a password, and is neither restricted nor protected', async () => {
      const access = new AccessPolicy();
      assert.equal(access.creatorId, undefined);
      assert.equal(access.hasPassword, false);
      assert.equal(access.restricted, false);
      assert.equal(await outcome(access, user('a')), 'ok');
      assert.equal(await outcome(access, user('b'), 'anything'), 'ok');
    });

    it('keeps the creator id it was made with', () => {
      assert.equal(new AccessPolicy('creator').creatorId, 'creator');
    });
  });

  describe('kicks', () => {
    it('a kicked user is refused NOT_ALLOWED (403), even seated, even as creator, even with the password', async () => {
      const access = new AccessPolicy('boss');
      await access.setPassword('secret');
      access.kick('k');
      access.kick('boss');
      const error = await refusal(access, user('k'), 'secret', true);
      assert.equal(error.code, 'NOT_ALLOWED');
      assert.equal(error.status, 403);
      assert.equal(await outcome(access, user('boss'), 'secret', true), 'NOT_ALLOWED');
    });

    it('a kick is per user id: others are unaffected, and kicking twice is harmless', async () => {
      const access = new AccessPolicy();
      access.kick('k');
      access.kick('k');
      assert.equal(await outcome(access, user('other')), 'ok');
      assert.equal(await outcome(access, user('K')), 'ok', 'ids are compared exactly');
      assert.deepEqual(access.snapshot().kicked, ['k']);
    });
  });

  describe('allow-lists', () => {
    it('allowedUsers: only the listed ids get in', async () => {
      const access = new AccessPolicy();
      access.setAllowLists({ allowedUsers: ['in'] });
      assert.equal(access.restricted, true);
      assert.equal(await outcome(access, user('in')), 'ok');
      const error = await refusal(access, user('out', ['gm']));
      assert.equal(error.code, 'NOT_ALLOWED');
      assert.match(error.message, /restricted/);
    });

    it('allowedRoles: a user with any listed role gets in; no roles, or other roles, do not', async () => {
      const access = new AccessPolicy();
      access.setAllowLists({ allowedRoles: ['gm', 'vip'] });
      assert.equal(await outcome(access, user('a', ['player', 'vip'])), 'ok');
      assert.equal(await outcome(access, user('b', [])), 'NOT_ALLOWED');
      assert.equal(await outcome(access, user('c', ['player'])), 'NOT_ALLOWED');
      assert.equal(await outcome(access, user('gm')), 'NOT_ALLOWED', 'a user id is not a role');
    });

    it('both lists: being on either one suffices', async () => {
      const access = new AccessPolicy();
      access.setAllowLists({ allowedUsers: ['friend'], allowedRoles: ['gm'] });
      assert.equal(await outcome(access, user('friend')), 'ok');
      assert.equal(await outcome(access, user('someone', ['gm'])), 'ok');
      assert.equal(await outcome(access, user('stranger', ['vip'])), 'NOT_ALLOWED');
    });

    it('empty lists still restrict: nobody is listed', async () => {
      const access = new AccessPolicy();
      access.setAllowLists({ allowedUsers: [], allowedRoles: [] });
      assert.equal(access.restricted, true);
      assert.equal(await outcome(access, user('a', ['gm'])), 'NOT_ALLOWED');
    });

    it('the creator and seated players pass the lists; new lists replace the old ones', async () => {
      const access = new AccessPolicy('boss');
      access.setAllowLists({ allowedUsers: ['friend'] });
      assert.equal(await outcome(access, user('boss')), 'ok');
      assert.equal(await outcome(access, user('seated'), undefined, true), 'ok');
      assert.equal(await outcome(access, user('seated'), undefined, false), 'NOT_ALLOWED');
      access.setAllowLists({ allowedRoles: ['gm'] });
      assert.equal(await outcome(access, user('friend')), 'NOT_ALLOWED');
      access.setAllowLists({});
      assert.equal(access.restricted, false);
      assert.equal(await outcome(access, user('anyone')), 'ok');
    });

    it('takes only the allow-lists from the options it is given', async () => {
      const access = new AccessPolicy();
      access.setAllowLists({ allowedUsers: ['a'], maxPlayers: 4, password: 'x' } as never);
      assert.equal(access.hasPassword, false);
      assert.equal(await outcome(access, user('a')), 'ok');
    });

    it('an unlisted user with the right password is refused for the list, not the password', async () => {
      const access = new AccessPolicy();
      await access.setPassword('secret');
      access.setAllowLists({ allowedUsers: ['friend'] });
      assert.equal(await outcome(access, user('stranger'), 'secret'), 'NOT_ALLOWED');
      assert.equal(await outcome(access, user('friend'), 'wrong'), 'WRONG_PASSWORD', 'being listed does not waive the password');
      assert.equal(await outcome(access, user('friend'), 'secret'), 'ok');
    });
  });

  describe('password', () => {
    it('needs exactly the password: missing, empty, wrong, differently cased or too long are WRONG_PASSWORD (403)', async () => {
      const access = new AccessPolicy();
      await access.setPassword('Secret');
      assert.equal(access.hasPassword, true);
      const missing = await refusal(access, user('a'));
      assert.equal(missing.code, 'WRONG_PASSWORD');
      assert.equal(missing.status, 403);
      assert.match(missing.message, /needs a password/);
      const wrong = await refusal(access, user('a'), 'nope');
      assert.equal(wrong.code, 'WRONG_PASSWORD');
      assert.match(wrong.message, /wrong password/);
      for (const attempt of ['', 'secret', 'Secret ', 'Secre', 'Secret'.padEnd(300, 'x')]) {
        assert.equal(await outcome(access, user('a'), attempt), 'WRONG_PASSWORD', JSON.stringify(attempt.slice(0, 12)));
      }
      assert.equal(await outcome(access, user('a'), 'Secret'), 'ok');
    });

    it('the creator and seated players pass without it', async () => {
      const access = new AccessPolicy('boss');
      await access.setPassword('secret');
      assert.equal(await outcome(access, user('boss')), 'ok');
      assert.equal(await outcome(access, user('back'), undefined, true), 'ok');
      assert.equal(await outcome(access, user('back'), undefined, false), 'WRONG_PASSWORD');
    });

    it('setPassword: a string replaces it, null removes it, undefined keeps it', async () => {
      const access = new AccessPolicy();
      await access.setPassword('one');
      await access.setPassword(undefined);
      assert.equal(await outcome(access, user('a'), 'one'), 'ok');
      await access.setPassword('two');
      assert.equal(await outcome(access, user('a'), 'one'), 'WRONG_PASSWORD');
      assert.equal(await outcome(access, user('a'), 'two'), 'ok');
      await access.setPassword(null);
      assert.equal(access.hasPassword, false);
      assert.equal(await outcome(access, user('a')), 'ok');
    });

    it('is kept as a salted hash: never the clear text, a different salt each time', async () => {
      const one = new AccessPolicy();
      const two = new AccessPolicy();
      await one.setPassword('hunter22');
      await two.setPassword('hunter22');
      const a = one.snapshot().passwordHash!;
      const b = two.snapshot().passwordHash!;
      assert.notEqual(a.salt, b.salt);
      assert.notEqual(a.hash, b.hash);
      assert.equal(Buffer.from(a.hash, 'base64').length, 32);
      assert.equal(Buffer.from(a.salt, 'base64').length, 16);
      const json = JSON.stringify([one.snapshot(), one]);
      assert.ok(!json.includes('hunter22'), json);
      assert.ok(!json.includes(Buffer.from('hunter22').toString('base64')), json);
    });
  });

  describe('snapshot and restore', () => {
    it('round-trips the password (verifiable, not readable) and the kicked users through JSON', async () => {
      const original = new AccessPolicy('boss');
      await original.setPassword('secret');
      original.kick('k1');
      original.kick('k2');
      const snapshot: AccessSnapshot = JSON.parse(JSON.stringify(original.snapshot()));
      const restored = new AccessPolicy('boss');
      restored.restore(snapshot);
      assert.equal(restored.hasPassword, true);
      assert.equal(await outcome(restored, user('a'), 'secret'), 'ok');
      assert.equal(await outcome(restored, user('a'), 'other'), 'WRONG_PASSWORD');
      assert.equal(await outcome(restored, user('a')), 'WRONG_PASSWORD');
      assert.equal(await outcome(restored, user('k1'), 'secret'), 'NOT_ALLOWED');
      assert.equal(await outcome(restored, user('k2'), 'secret', true), 'NOT_ALLOWED');
      assert.deepEqual(restored.snapshot(), snapshot);
    });

    it('an open room snapshots no password, and restoring it leaves the room open', async () => {
      const snapshot = JSON.parse(JSON.stringify(new AccessPolicy().snapshot()));
      assert.deepEqual(snapshot, { kicked: [] });
      const restored = new AccessPolicy();
      await restored.setPassword('stale');
      restored.restore(snapshot);
      assert.equal(restored.hasPassword, false);
      assert.equal(await outcome(restored, user('a')), 'ok');
    });

    it('a snapshot is a copy: changing it does not change the policy', async () => {
      const access = new AccessPolicy();
      access.kick('k');
      const snapshot = access.snapshot();
      snapshot.kicked.length = 0;
      snapshot.kicked.push('someone');
      assert.equal(await outcome(access, user('k')), 'NOT_ALLOWED');
      assert.equal(await outcome(access, user('someone')), 'ok');
    });

    it('a tampered hash does not let a wrong password in', async () => {
      const access = new AccessPolicy();
      await access.setPassword('secret');
      const snapshot = access.snapshot();
      const hash = Buffer.from(snapshot.passwordHash!.hash, 'base64');
      hash[0] ^= 0xff;
      const restored = new AccessPolicy();
      restored.restore({ ...snapshot, passwordHash: { salt: snapshot.passwordHash!.salt, hash: hash.toString('base64') } });
      assert.equal(await outcome(restored, user('a'), 'secret'), 'WRONG_PASSWORD');
    });
  });
});
