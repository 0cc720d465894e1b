import { strict as assert } from 'assert';
import { createTokenService } from '../../src/auth/tokens';
import { ArenaError } from '../../src/protocol/errors';
import { signToken } from '../support/arena';

const SECRET = 'a'.repeat(40);
const tokens = createTokenService(SECRET);

async function rejects(token: unknown, message: RegExp) {
  await assert.rejects(tokens.verify(token), (error: Error) => {
    assert.ok(error instanceof ArenaError);
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.equal(error.status, 401);
    assert.match(error.message, message);
    return true;
  });
}

describe('auth: tokens', () => {
  it('issues guest tokens that verify to the same user', async () => {
    const { token, user } = await tokens.issueGuest('Ann');
    assert.match(user.id, /^g_[\w-]{12}$/);
    assert.deepEqual(user.roles, []);
    assert.deepEqual(await tokens.verify(token), user);
  });

  it('gives every guest a distinct id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add((await tokens.issueGuest('same')).user.id);
    assert.equal(ids.size, 50);
  });

  it("accepts tokens from another service sharing the secret, with that service's roles", async () => {
    const token = await signToken(SECRET, { sub: 'acct-42', name: 'Gloria', roles: ['gm', 'vip'] });
    assert.deepEqual(await tokens.verify(token), { id: 'acct-42', name: 'Gloria', roles: ['gm', 'vip'] });
  });

  it('rejects missing and non-string tokens', async () => {
    await rejects(undefined, /required/);
    await rejects('', /required/);
    await rejects(42, /required/);
    await rejects({ token: 'x' }, /required/);
  });

  it('rejects garbage and tokens signed with another secret', async () => {
    await rejects('not.a.jwt', /invalid/);
    await rejects(await signToken('b'.repeat(40), { sub: 'u1', name: 'Mallory' }), /invalid/);
  });

  it('rejects an expired token', async () => {
    const token = await signToken(SECRET, { sub: 'u1', name: 'Old', exp: Math.floor(Date.now() / 1000) - 10 });
    await rejects(token, /expired/);
  });

  it('rejects an unsigned (alg: none) token', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    await rejects(`${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'u1', name: 'x' })}.`, /invalid/);
  });

  it('rejects tokens without a subject or name, or with malformed roles', async () => {
    await rejects(await signToken(SECRET, { name: 'NoSub' }), /claim "sub"/);
    await rejects(await signToken(SECRET, { sub: 'u1' }), /claim "name"/);
    await rejects(await signToken(SECRET, { sub: 'u1', name: 'x', roles: 'gm' }), /claim "roles"/);
  });

  it('rejects a subject that every JavaScript object already has as a property', async () => {
    for (const sub of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      await rejects(await signToken(SECRET, { sub, name: 'Ann' }), /claim "sub".*built-in property name/);
    }
  });

  it('rejects claims with ill-formed Unicode or invisible characters, naming the claim', async () => {
    await rejects(await signToken(SECRET, { sub: 'u1', name: '\ud800' }), /claim "name".*well-formed/);
    await rejects(await signToken(SECRET, { sub: 'u1', name: 'Ann\u202Eeve' }), /claim "name".*invisible/);
    await rejects(await signToken(SECRET, { sub: 'u\u200B1', name: 'Ann' }), /claim "sub".*invisible/);
    await rejects(await signToken(SECRET, { sub: '\udc00', name: 'Ann' }), /claim "sub".*well-formed/);
    await rejects(await signToken(SECRET, { sub: 'u1', name: 'Ann', roles: ['g\u0000m'] }), /claim "roles.0"/);
    assert.equal((await tokens.verify(await signToken(SECRET, { sub: 'u1', name: 'Ann 👩‍💻' }))).name, 'Ann 👩‍💻', 'an emoji ZWJ sequence is a name');
  });
});
