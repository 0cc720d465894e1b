import { strict as assert } from 'assert';
import { startArena, signToken, type TestArena } from '../support/arena';

describe('http: identity', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());

  it('POST /api/auth/guest issues a token for a trimmed name', async () => {
    const reply = await arena.http('POST', '/api/auth/guest', { body: { name: '  Ann  ' } });
    assert.equal(reply.status, 201);
    assert.equal(reply.body.user.name, 'Ann');
    assert.deepEqual(reply.body.user.roles, []);
    assert.equal(typeof reply.body.token, 'string');
    const me = await arena.http('GET', '/api/auth/me', { token: reply.body.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.user, reply.body.user);
  });

  const badBodies: Array<[string, unknown]> = [
    ['an empty name', { name: '' }],
    ['a blank name', { name: '   ' }],
    ['a 25-character name', { name: 'x'.repeat(25) }],
    ['a numeric name', { name: 42 }],
    ['a name with control characters', { name: 'a\u0007b' }],
    ['a lone surrogate', { name: '\ud800' }],
    ['a lone low surrogate inside a name', { name: 'An\udc00n' }],
    ['a right-to-left override', { name: 'Ann\u202Eeve' }],
    ['a zero-width space', { name: 'A\u200Bnn' }],
    ['a line separator', { name: 'A\u2028nn' }],
    ['a byte-order mark inside a name', { name: 'An\uFEFFn' }],
    ['no name', {}],
    ['an array body', [1, 2]],
  ];
  for (const [label, body] of badBodies) {
    it(`rejects ${label} with 400 INVALID_REQUEST`, async () => {
      const reply = await arena.http('POST', '/api/auth/guest', { body });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.error.code, 'INVALID_REQUEST');
      assert.equal(typeof reply.body.error.message, 'string');
    });
  }

  it('rejects malformed JSON and oversized bodies', async () => {
    const malformed = await arena.http('POST', '/api/auth/guest', { body: '{"name":' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'INVALID_REQUEST');
    const huge = await arena.http('POST', '/api/auth/guest', { body: { name: 'x'.repeat(20_000) } });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts emoji, including zero-width-joiner sequences, and letters of any script', async () => {
    for (const name of ['👩‍💻 Ann', 'Zoë', '李雷', 'Анна']) {
      const reply = await arena.http('POST', '/api/auth/guest', { body: { name } });
      assert.equal(reply.status, 201, name);
      assert.equal(reply.body.user.name, name);
    }
  });

  it('accepts exactly 24 characters', async () => {
    const reply = await arena.http('POST', '/api/auth/guest', { body: { name: 'y'.repeat(24) } });
    assert.equal(reply.status, 201);
  });

  describe('bearer-token routes', () => {
    it('answer 401 UNAUTHORIZED without a token', async () => {
      const reply = await arena.http('GET', '/api/auth/me');
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error.code, 'UNAUTHORIZED');
    });

    it('answer 401 for a token signed with another secret', async () => {
      const forged = await signToken('z'.repeat(40), { sub: 'victim', name: 'Victim' });
      const reply = await arena.http('GET', '/api/auth/me', { token: forged });
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error.code, 'UNAUTHORIZED');
    });

    it('answer 401 for an expired token and for a non-Bearer scheme', async () => {
      const expired = await signToken(arena.settings.jwtSecret, { sub: 'u', name: 'U', exp: 1 });
      assert.equal((await arena.http('GET', '/api/auth/me', { token: expired })).status, 401);
      const { token } = await arena.guest();
      const basic = await arena.http('GET', '/api/auth/me', { headers: { authorization: `Basic ${token}` } });
      assert.equal(basic.status, 401);
    });

    it('accept roles from an external token', async () => {
      const token = await signToken(arena.settings.jwtSecret, { sub: 'acct-7', name: 'Gloria', roles: ['gm'] });
      const reply = await arena.http('GET', '/api/auth/me', { token });
      assert.deepEqual(reply.body.user, { id: 'acct-7', name: 'Gloria', roles: ['gm'] });
    });
  });

  it('answers unknown API routes with 404 NOT_FOUND in the error format', async () => {
    const reply = await arena.http('GET', '/api/does-not-exist');
    assert.equal(reply.status, 404);
    assert.equal(reply.body.error.code, 'NOT_FOUND');
  });

  it('rate-limits guest sign-ins per client address', async () => {
    const replies = await Promise.all(
      Array.from({ length: 60 }, () => arena.http('POST', '/api/auth/guest', { body: { name: 'flood' } })),
    );
    const limited = replies.filter((reply) => reply.status === 429);
    assert.ok(limited.length > 0, 'some sign-ins must be refused');
    assert.equal(limited[0].body.error.code, 'RATE_LIMITED');
  });
});

describe('rooms: token check on join', () => {
  let arena: TestArena;
  before(async () => {
    arena = await startArena();
  });
  after(() => arena.shutdown());

  async function joinLobbyFails(token: string | undefined) {
    const client = arena.client();
    if (token !== undefined) client.auth.token = token;
    await assert.rejects(client.joinOrCreate('lobby'), (error: any) => {
      assert.equal(error.code, 401);
      assert.match(error.message, /^UNAUTHORIZED: /);
      return true;
    });
  }

  it('refuses a client without a token', () => joinLobbyFails(undefined));
  it('refuses a forged token', async () => joinLobbyFails(await signToken('q'.repeat(40), { sub: 'x', name: 'X' })));
  it('refuses a garbage token', () => joinLobbyFails('garbage'));

  it('admits a valid token', async () => {
    const room = await arena.client(await arena.guest()).joinOrCreate('lobby');
    assert.ok(room.sessionId);
    await room.leave();
  });
});
