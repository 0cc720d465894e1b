/**
 * The browser client end to end: a real Arena in-process serving the freshly built bundle, and
 * Debian's chromium (playwright-core) with one browser context per person. Every wait is on a DOM
 * condition; every page must finish without console errors, page errors or failed requests.
 * Screenshots go to test-artifacts/web/ (and to docs/screenshots/ with UPDATE_SCREENSHOTS=1).
 */
import { strict as assert } from 'assert';
import express from 'express';
import type { AddressInfo } from 'net';
import type { Browser } from 'playwright-core';
import { startArena, tempDir, type TestArena } from '../support/arena';
import { buildWeb } from '../../src/web/build';
import { webClient } from '../../src/web/serve';
import { Player, launchOrSkip, knownCards, PHONE } from './browser';
import { apply, cardValue, createMatch, type CaboState as Match, type CaboAction } from '../../src/games/cabo';
import { testSeed } from '../support/seeds';

/**
 * A seed whose deal makes the first three deck draws a 7/8, a 9/10 and an 11/12 (peek, spy,
 * blind swap), each discarded for its power and then skipped or used: found with the pure rules.
 */
function seedWithPowers(players: string[]): number {
  const wanted: Array<[number, number]> = [[7, 8], [9, 10], [11, 12]];
  const step = (m: Match, who: string | null, action: CaboAction): Match => {
    const result = apply(m, who, action);
    if (!result.ok) throw new Error(result.message);
    return result.state;
  };
  for (let seed = 1; seed < 200_000; seed++) {
    let m = step(createMatch({ seed: testSeed(seed), players, targetScore: 100 }), null, { type: 'end_setup' });
    let ok = true;
    for (const [low, high] of wanted) {
      const who = m.turn!;
      m = step(m, who, { type: 'draw', source: 'deck' });
      const value = cardValue(m.drawn!.cardId);
      if (value < low || value > high) {
        ok = false;
        break;
      }
      m = step(step(m, who, { type: 'discard' }), who, { type: 'skip_power' });
    }
    if (ok) return seed;
  }
  throw new Error('no seed found');
}

/** Desktop pages render at 0.625 device pixels per CSS pixel: 1280 px layouts, 800 px screenshots. */
const DOCS_SCALE = 0.625;

describe('web client', function () {
  this.timeout(60_000);
  let arena: TestArena;
  let browser: Browser;
  const opened: Player[] = [];

  before(async () => {
    await buildWeb();
    arena = await startArena();
  });

  after(async () => {
    await arena?.shutdown();
  });

  async function open(name: string, options: Parameters<typeof Player.open>[2] = {}): Promise<Player> {
    const player = await Player.open(browser, name, options);
    opened.push(player);
    return player;
  }

  /** Every page opened by the test must be free of errors. */
  async function closeAll(): Promise<void> {
    const players = opened.splice(0);
    try {
      for (const player of players) player.assertClean();
    } finally {
      await Promise.all(players.map((player) => player.close()));
    }
  }

  const url = (hash = '') => `${arena.baseUrl}/${hash}`;

  it('serves the client at / with a fallback for page routes, leaving API and operations routes alone', async () => {
    const index = await fetch(url());
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    const html = await index.text();
    assert.match(html, /<script src="app\.js\?v=[0-9a-f]+"><\/script>/);

    const script = await fetch(`${arena.baseUrl}/${/src="(app\.js\?v=[0-9a-f]+)"/.exec(html)![1]}`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.match(script.headers.get('cache-control') ?? '', /immutable/, 'hashed assets are cached for good');
    assert.equal(index.headers.get('cache-control'), 'no-cache', 'the page itself is revalidated');

    assert.match(await (await fetch(`${arena.baseUrl}/r/ABCDEF`)).text(), /<title>Arena<\/title>/, 'page routes get index.html');
    assert.equal((await fetch(`${arena.baseUrl}/missing.js`)).status, 404, 'missing assets are 404, not the page');
    assert.equal((await arena.http('GET', '/healthz')).status, 200);
    assert.match((await arena.http('GET', '/metrics')).body, /arena_rooms/);
    const unknownApi = await arena.http('GET', '/api/nope');
    assert.equal(unknownApi.status, 404);
    assert.equal(unknownApi.body.error.code, 'NOT_FOUND');
    assert.equal((await fetch(`${arena.baseUrl}/colyseus`)).status, 404, 'the monitor path never falls back to the page');
  });

  it('answers 503 "run npm run build" when the bundle is missing', async () => {
    const app = express().use(webClient(tempDir('arena-web-missing-')));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const reply = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      assert.equal(reply.status, 503);
      assert.match(await reply.text(), /run npm run build/);
    } finally {
      server.close();
    }
  });

  describe('in chromium', () => {
    before(async function () {
      browser = await launchOrSkip(this);
    });

    after(async () => {
      await browser?.close();
    });

    afterEach(closeAll);

    it('lobby: signs in, lists public rooms live (lock for passwords), never private ones', async () => {
      // Two rooms hosted by colyseus.js players, one with a password, and a private one.
      const maya = await arena.guest('Maya');
      const tom = await arena.guest('Tom');
      const lockedRoom = await arena.client(maya).create('cabo', { password: 'pw-pw', maxPlayers: 3 });
      const openRoom = await arena.client(tom).create('tabletop', { maxPlayers: 5 });
      const hidden = await arena.client(await arena.guest('Zed')).create('cabo', { private: true });

      const desk = await open('Nora', { scale: DOCS_SCALE });
      await desk.signIn(url());
      const page = desk.page;
      await page.waitForSelector(`[data-testid=room-row][data-code="${lockedRoom.roomId}"]`);
      await page.waitForSelector(`[data-testid=room-row][data-code="${openRoom.roomId}"]`);
      const locked = page.locator(`[data-testid=room-row][data-code="${lockedRoom.roomId}"]`);
      assert.equal(await locked.locator('.lock').count(), 1, 'password rooms show a lock');
      assert.match(await locked.innerText(), /Cabo[\s\S]*1\/3 players[\s\S]*Waiting[\s\S]*host Maya/);
      assert.equal(await page.locator(`[data-testid=room-row][data-code="${hidden.roomId}"]`).count(), 0, 'private rooms are not listed');

      // Live: a join elsewhere updates the row without a reload.
      const joined = await arena.client(await arena.guest('Finn')).joinById(lockedRoom.roomId, { password: 'pw-pw' });
      await desk.until((code) => document.querySelector(`[data-code="${code}"] [data-testid=room-players]`)?.textContent === '2/3 players', lockedRoom.roomId, 'live player count');
      assert.equal(await page.locator('[data-testid=signin-name]').count(), 0);
      await desk.screenshot('lobby', { docs: true });

      const phone = await open('Pia', { viewport: PHONE, mobile: true });
      await phone.signIn(url());
      await phone.page.waitForSelector(`[data-testid=room-row][data-code="${openRoom.roomId}"]`);
      await phone.screenshot('lobby-phone', { fullPage: true });

      // The token survives a reload (checked with GET /api/auth/me), so no sign-in form again.
      await phone.page.reload();
      await phone.page.waitForSelector('[data-testid=whoami] >> text=Pia');
      assert.equal(await phone.page.locator('[data-testid=signin-name]').count(), 0);

      // Bad codes are explained, not thrown at the user.
      await phone.page.fill('[data-testid=join-code]', 'zzzzzz');
      await phone.page.click('[data-testid=join-code-submit]');
      await phone.page.waitForSelector('[data-testid=room-missing]');
      phone.problems.splice(0, phone.problems.length, ...phone.problems.filter((p) => !/status of 404/.test(p))); // the lookup's own 404

      // Quick match: both land in the same open quick room and see its start countdown; leaving
      // brings each back to the lobby.
      await phone.page.click('[data-testid=room-missing] >> text=Back to the lobby');
      await desk.page.click('[data-testid=quick-match]');
      const quickCode = (await desk.page.locator('[data-testid=room-code]').textContent())!.trim();
      await phone.page.click('[data-testid=quick-match]');
      await phone.page.waitForSelector(`[data-testid=room-code] >> text=${quickCode}`);
      for (const page of [desk.page, phone.page]) await page.waitForSelector('[data-testid=quick-countdown]');
      for (const page of [desk.page, phone.page]) {
        await page.click('[data-testid=leave]');
        await page.waitForSelector('[data-testid=quick-match]');
      }

      await Promise.all([lockedRoom, openRoom, hidden, joined].map((room) => room.leave(true)));
    });

    it('rejoins by code after a server restart (close 4005) and plays on', async () => {
      const ann = await open('Ann');
      await ann.signIn(url());
      const a = ann.page;
      await a.selectOption('[data-testid=create-game]', 'cabo');
      await a.fill('[data-testid=create-password]', 'pw-pw');
      await a.click('[data-testid=create-submit]');
      const code = (await a.locator('[data-testid=room-code]').textContent())!.trim();
      const ben = await open('Ben');
      await ben.signIn(url(`#/r/${code}`));
      const b = ben.page;
      await b.fill('[data-testid=join-password]', 'pw-pw');
      await b.click('[data-testid=join-submit]');
      await a.waitForSelector('[data-testid=player][data-player=Ben]');
      await a.click('[data-testid=start]');
      for (const page of [a, b]) await page.click('[data-testid=ready]');
      for (const page of [a, b]) await page.waitForSelector('[data-testid=turn-owner]');
      const mover = (await a.locator('[data-testid=turn-owner]').innerText()) === 'Your turn' ? a : b;

      // Graceful shutdown: rooms are journaled, clients are closed with 4005 and keep retrying.
      const banners = [a, b].map((page) => page.waitForSelector('[data-testid=connection-banner]:not([hidden])'));
      const { port, dataDir, jwtSecret } = arena.settings;
      await arena.shutdown({ keepData: true });
      await Promise.all(banners);
      arena = await startArena({ port, dataDir, jwtSecret });

      for (const page of [a, b]) {
        await page.waitForSelector('[data-testid=connection-status] >> text=online', { timeout: 20_000 });
        await page.waitForSelector('[data-testid=connection-banner]', { state: 'hidden' });
      }
      await mover.waitForSelector('[data-testid=turn-owner] >> text=Your turn');
      await mover.click('[data-testid=draw-deck]');
      await mover.waitForSelector('[data-testid=drawn-card][data-known=yes]');
      // While the server was down, the retries' requests could not connect: expected, nothing else.
      for (const player of [ann, ben]) {
        player.problems.splice(0, player.problems.length, ...player.problems.filter((p) => !/ERR_CONNECTION_REFUSED/.test(p)));
      }
    });

    it('cabo: private password room, invite link, hidden cards, turns by clicks, reload and drop, final ranking', async () => {
      // Alice creates a private, password-protected table for two, target score 1 (one round).
      const alice = await open('Alice', { scale: DOCS_SCALE });
      await alice.signIn(url());
      const a = alice.page;
      await a.selectOption('[data-testid=create-game]', 'cabo');
      await a.fill('[data-testid=create-seats]', '2');
      await a.fill('input[name=turnSeconds]', '120');
      await a.fill('input[name=targetScore]', '1');
      await a.check('[data-testid=create-private]');
      await a.fill('[data-testid=create-password]', 's3cret');
      await a.click('[data-testid=create-submit]');
      const code = (await a.locator('[data-testid=room-code]').textContent())!.trim();
      assert.match(code, /^[A-Z2-9]{6}$/);
      assert.equal(new URL(a.url()).hash, `#/r/${code}`, 'the URL carries the room code');
      await a.waitForSelector('[data-testid=waiting]');

      // Bob follows the invite link on his phone: sign in, then the password prompt.
      const bob = await open('Bob', { viewport: PHONE, mobile: true });
      await bob.signIn(url(`#/r/${code}`));
      const b = bob.page;
      await b.waitForSelector('[data-testid=join-card]');
      await b.fill('[data-testid=join-password]', 'wrong');
      await b.click('[data-testid=join-submit]');
      await b.waitForSelector('[data-testid=join-error] >> text=Wrong password');
      await b.fill('[data-testid=join-password]', 's3cret');
      await b.click('[data-testid=join-submit]');
      await b.waitForSelector('[data-testid=waiting-host]');

      // Carol watches (spectator link, same password).
      const carol = await open('Carol');
      await carol.signIn(url(`#/r/${code}/watch`));
      const c = carol.page;
      await c.fill('[data-testid=join-password]', 's3cret');
      await c.click('[data-testid=watch-submit]');
      await c.waitForSelector('[data-testid=spectating]');
      await a.waitForSelector('[data-testid=spectator-count] >> text=1 spectator');
      assert.equal(await a.locator('[data-testid=players] [data-testid=player]').count(), 2);
      assert.equal(await c.locator('[data-testid=start]').count(), 0, 'only the host can start');

      // Start: each player sees exactly their own cards 0 and 1; nobody sees anyone else's.
      await a.click('[data-testid=start]');
      for (const page of [a, b]) await page.waitForSelector('[data-testid=my-hand] [data-testid=card][data-index="1"][data-known=yes]');
      assert.equal(await knownCards(a, '[data-testid=my-hand]'), 2);
      assert.equal(await knownCards(b, '[data-testid=my-hand]'), 2);
      assert.equal(await knownCards(a, '[data-testid=hand-Bob]'), 0, "Bob's cards show no values to Alice");
      assert.equal(await knownCards(b, '[data-testid=hand-Alice]'), 0, "Alice's cards show no values to Bob");
      await c.waitForSelector('[data-testid=hand-Alice] [data-testid=card]');
      assert.equal(await c.locator('[data-testid=card][data-known=yes]').count(), 0, 'the spectator sees no value');
      assert.equal(await c.locator('[data-testid=my-hand]').count(), 0);
      assert.equal(await b.locator('[data-testid=hand-Alice] [data-testid=card]').first().innerText(), '', 'no value in the DOM either');
      await alice.screenshot('cabo-setup');

      // Both are ready: the setup ends and the cards hide again.
      await a.click('[data-testid=ready]');
      await b.click('[data-testid=ready]');
      for (const page of [a, b, c]) await page.waitForSelector('[data-testid=turn-owner]');
      assert.equal(await knownCards(a, '[data-testid=my-hand]'), 0, 'setup cards are hidden after setup');
      const first = (await a.locator('[data-testid=turn-owner]').innerText()) === 'Your turn' ? alice : bob;
      const second = first === alice ? bob : alice;
      const p1 = first.page;
      const p2 = second.page;
      assert.ok(await p1.locator('[data-testid=turn-line] .countdown').count(), 'the turn shows a live countdown');
      assert.equal(await p2.locator('[data-testid=draw-deck]').isDisabled(), true, 'no drawing out of turn');
      assert.equal(await p1.locator('[data-testid=skip-power]').isDisabled(), true, 'no power pending');

      // Turn 1: draw from the deck (only the drawer sees it), swap it into position 2.
      await p1.focus('[data-testid=draw-deck]'); // keyboard: a real button
      await p1.keyboard.press('Enter');
      await p1.waitForSelector('[data-testid=drawn-card][data-known=yes]');
      await p2.waitForSelector('[data-testid=drawn-card][data-known=no]');
      await c.waitForSelector('[data-testid=drawn-card][data-known=no]');
      await alice.screenshot('cabo-table', { docs: true });
      await bob.screenshot('cabo-phone', { docs: true, fullPage: true });
      await carol.screenshot('cabo-spectator');
      await p1.click('[data-testid=my-hand] [data-testid=card][data-index="2"]');
      await p2.waitForSelector('[data-testid=turn-owner] >> text=Your turn');
      assert.equal(await p1.locator('[data-testid=my-hand] [data-index="2"]').getAttribute('data-known'), 'yes', 'you know the card you swapped in');

      // Turn 2: take the discard (the card Alice/Bob just threw away) into position 3.
      await p2.click('[data-testid=draw-discard]');
      await p2.waitForSelector('[data-testid=discard-drawn]:disabled'); // a discard draw must be swapped
      await p2.click('[data-testid=my-hand] [data-testid=card][data-index="3"]');
      await p1.waitForSelector('[data-testid=turn-owner] >> text=Your turn');
      await p1.waitForSelector(`[data-testid=hand-${second.name}] [data-index="3"][data-known=yes]`); // it was face-up: both players know it
      assert.equal(await c.locator('[data-testid=card][data-known=yes]').count(), 0, 'the spectator still sees no hand value');

      // Reload mid-match: the player is back in the seat with the same knowledge.
      await p1.reload();
      await p1.waitForSelector('[data-testid=my-hand] [data-index="2"][data-known=yes]');
      await p1.waitForSelector('[data-testid=turn-owner] >> text=Your turn');
      await p2.waitForSelector(`[data-testid=player][data-player=${first.name}][data-connected=yes]`);
      assert.equal(new URL(p1.url()).hash, `#/r/${code}`);

      // Network drop of the other player (server-side socket kill): "reconnecting…", then back.
      const banner = p2.waitForSelector('[data-testid=connection-banner]:not([hidden])', { timeout: 5000 });
      const server = arena.colyseus.getRoomById(code);
      const victim = server.clients.find((client: any) => client.auth?.name === second.name) as any;
      victim.ref.terminate();
      await banner;
      await p2.waitForSelector('[data-testid=connection-status] >> text=online');
      await p2.waitForSelector('[data-testid=connection-banner]', { state: 'hidden' });
      await p1.waitForSelector(`[data-testid=player][data-player=${second.name}][data-connected=yes]`);
      await p2.waitForSelector('[data-testid=my-hand] [data-index="3"][data-known=yes]');

      // Turn 3: call Cabo; the other player has one last turn, then the round (and match) is scored.
      await p1.click('[data-testid=cabo]');
      await p2.waitForSelector('[data-testid=turn-owner] >> text=Your turn');
      await p2.click('[data-testid=draw-deck]');
      await p2.waitForSelector('[data-testid=my-hand] [data-testid=card].target');
      await p2.click('[data-testid=my-hand] [data-testid=card][data-index="0"]');
      for (const page of [a, b, c]) await page.waitForSelector('[data-testid=final-ranking]');
      assert.equal(await c.locator('[data-testid=final-ranking] tbody tr').count(), 2);
      assert.doesNotMatch(await c.locator('[data-testid=final-ranking] .hand-values').first().innerText(), /\?/, 'hands are revealed at the end');
      await a.waitForSelector('[data-testid=rematch]');
      assert.equal(await b.locator('[data-testid=rematch]').count(), 0, 'only the host has the rematch button');
      await alice.screenshot('cabo-final', { docs: true });

      // Rematch: a new deal, same seats.
      await a.click('[data-testid=rematch]');
      await b.waitForSelector('[data-testid=my-hand] [data-testid=card][data-index="1"][data-known=yes]');
    });

    it('cabo powers: peek, spy and blind swap are used by clicking cards', async () => {
      const ada = await open('Ada');
      await ada.signIn(url());
      const a = ada.page;
      await a.selectOption('[data-testid=create-game]', 'cabo');
      await a.fill('[data-testid=create-seats]', '2');
      await a.fill('input[name=turnSeconds]', '120');
      await a.click('[data-testid=create-submit]');
      const code = (await a.locator('[data-testid=room-code]').textContent())!.trim();
      const cy = await open('Cy');
      await cy.signIn(url(`#/r/${code}`));
      const c = cy.page;
      await a.waitForSelector('[data-testid=player][data-player=Cy]');
      const server = arena.colyseus.getRoomById(code) as any;
      const seats = [...server.state.players.values()].sort((x: any, y: any) => x.seat - y.seat).map((p: any) => p.id);
      const seed = seedWithPowers(seats);
      server.createSeed = () => testSeed(seed);
      await a.click('[data-testid=start]');
      for (const page of [a, c]) await page.click('[data-testid=ready]');
      await a.waitForSelector('[data-testid=turn-owner] >> text=Your turn'); // Ada sits first, so she starts

      // Peek (7/8): discard the drawn card, then click one of your own cards to see it.
      await a.click('[data-testid=draw-deck]');
      await a.click('[data-testid=discard-drawn]');
      await a.waitForSelector('[data-testid=step-hint] >> text=Peek');
      assert.equal(await a.locator('[data-testid=hand-Cy] [data-testid=card]:not([disabled])').count(), 0, 'opponent cards are not targets of a peek');
      await a.click('[data-testid=my-hand] [data-testid=card][data-index="0"]');
      await a.waitForSelector('[data-testid=my-hand] [data-index="0"][data-known=yes]');
      await c.waitForSelector('[data-testid=last-action] >> text=Ada peeked at their card 1');

      // Spy (9/10): click an opponent's card.
      await c.waitForSelector('[data-testid=turn-owner] >> text=Your turn');
      await c.click('[data-testid=draw-deck]');
      await c.click('[data-testid=discard-drawn]');
      await c.waitForSelector('[data-testid=step-hint] >> text=Spy');
      assert.equal(await c.locator('[data-testid=my-hand] [data-testid=card]:not([disabled])').count(), 0, 'own cards are not targets of a spy');
      await c.click('[data-testid=hand-Ada] [data-testid=card][data-index="2"]');
      await c.waitForSelector('[data-testid=hand-Ada] [data-index="2"][data-known=yes]');
      assert.equal(await knownCards(a, '[data-testid=hand-Cy]'), 0);

      // Blind swap (11/12): your card first (it is marked), then the opponent's; nobody sees new values.
      await a.waitForSelector('[data-testid=turn-owner] >> text=Your turn');
      await a.click('[data-testid=draw-deck]');
      await a.click('[data-testid=discard-drawn]');
      await a.waitForSelector('[data-testid=step-hint] >> text=Blind swap');
      await a.click('[data-testid=my-hand] [data-testid=card][data-index="1"]');
      await a.waitForSelector('[data-testid=my-hand] [data-index="1"][aria-pressed=true]');
      await a.click('[data-testid=hand-Cy] [data-testid=card][data-index="3"]');
      await c.waitForSelector("[data-testid=last-action] >> text=Ada swapped their card 2 with Cy's card 4");
      assert.equal(await a.locator('[data-testid=my-hand] [data-index="1"]').getAttribute('data-known'), 'no', 'a blind swap stays blind');
      await c.waitForSelector('[data-testid=turn-owner] >> text=Your turn');
      assert.equal(await c.locator('[data-testid=skip-power]').isDisabled(), true);
    });

    it('tabletop: chat, dice with kept and dropped dice, whispers only to their audience, GM controls', async () => {
      const gina = await open('Gina', { scale: DOCS_SCALE });
      await gina.signIn(url());
      const g = gina.page;
      await g.selectOption('[data-testid=create-game]', 'tabletop');
      await g.click('[data-testid=create-submit]');
      const code = (await g.locator('[data-testid=room-code]').textContent())!.trim();
      await g.waitForSelector('[data-testid=gm-panel]:not([hidden])');

      // Hank finds the session in the lobby list (phone), Ivy uses the link.
      const hank = await open('Hank', { viewport: PHONE, mobile: true });
      await hank.signIn(url());
      const h = hank.page;
      await h.click(`[data-testid=room-row][data-code="${code}"] >> text=Join`);
      await h.waitForSelector('[data-testid=log]');
      const ivy = await open('Ivy');
      await ivy.signIn(url(`#/r/${code}`));
      const i = ivy.page;
      await i.waitForSelector('[data-testid=chat-input]');
      await g.waitForSelector('[data-testid=player][data-player=Ivy]');
      assert.equal(await h.locator('[data-testid=gm-panel]').isHidden(), true, 'GM controls only for the GM');

      // Chat reaches everyone.
      await g.fill('[data-testid=chat-input]', 'Welcome, adventurers!');
      await g.press('[data-testid=chat-input]', 'Enter');
      for (const page of [h, i]) await page.waitForSelector('[data-testid=log-entry][data-kind=chat] >> text=Welcome, adventurers!');

      // A roll with advantage: two d20, one kept and one dropped, seen by the others.
      await h.click('[data-testid="quick-2d20kh1"]');
      for (const page of [g, i]) await page.waitForSelector('[data-testid=log-entry][data-kind=roll] [data-testid=roll-total]');
      const roll = i.locator('[data-testid=log-entry][data-kind=roll]').last();
      assert.equal(await roll.locator('[data-testid=die-kept]').count(), 1);
      assert.equal(await roll.locator('[data-testid=die-dropped]').count(), 1);
      assert.match(await roll.innerText(), /Hank\s*rolled\s*2d20kh1/);
      const dice = (await roll.locator('.die').allInnerTexts()).map(Number);
      assert.equal(Number(await roll.locator('[data-testid=roll-total]').innerText()), Math.max(...dice), 'the total keeps the highest die');

      // A typed formula; a bad one gets a readable error.
      await h.fill('[data-testid=dice-formula]', '3d6+2');
      await h.click('[data-testid=dice-roll]');
      await g.waitForSelector('[data-testid=log-entry][data-kind=roll] >> text=3d6+2');
      await h.fill('[data-testid=dice-formula]', '2x7');
      await h.click('[data-testid=dice-roll]');
      await h.waitForSelector('[data-testid=notice-error] >> text=dice formula is not valid');
      await h.click('[data-testid=notice-error] [aria-label=Dismiss]');

      // A whisper reaches its target (and the GM who sends it), never the third player.
      await g.selectOption('[data-testid=chat-to]', { label: 'Whisper to Hank' });
      await g.fill('[data-testid=chat-input]', 'The door is trapped');
      await g.click('[data-testid=chat-send]');
      await h.waitForSelector('[data-testid=log-entry][data-kind=whisper] >> text=The door is trapped');
      await g.selectOption('[data-testid=chat-to]', { label: 'Everyone' });
      await g.fill('[data-testid=chat-input]', 'You reach a door.');
      await g.click('[data-testid=chat-send]');
      await i.waitForSelector('[data-testid=log-entry] >> text=You reach a door.');
      assert.equal(await i.locator('[data-testid=log-entry][data-kind=whisper]').count(), 0);
      assert.doesNotMatch(await i.locator('[data-testid=log]').innerText(), /trapped/);

      // GM: narration, turn order, combat.
      await g.fill('[data-testid=narrate-text]', 'Torches flicker as the stone door grinds open.');
      await g.click('[data-testid=narrate-send]');
      await i.waitForSelector('[data-testid=log-entry][data-kind=narrate] >> text=Torches flicker');
      await g.click('[data-testid=order-add-Hank]');
      await g.click('[data-testid=order-add-Ivy]');
      await g.click('[data-testid=set-order]');
      await h.waitForSelector('[data-testid=next-turn] >> text=End my turn');
      await g.click('[data-testid=combat-start]');
      await i.waitForSelector('[data-testid=combat] >> text=round 1');
      await h.click('[data-testid=next-turn]');
      await i.waitForSelector('[data-testid=next-turn] >> text=End my turn');
      await i.waitForSelector('[data-testid=log-entry][data-kind=turn] >> text=Your turn');
      await h.waitForSelector('[data-testid=next-turn]', { state: 'detached' });

      await gina.screenshot('tabletop', { docs: true });
      await hank.screenshot('tabletop-phone', { docs: true });
    });
  });
});
