/**
 * The Colyseus monitor in a real browser: the operator signs in with basic auth, inspects a
 * running Cabo room (its sessions and its state as a spectator sees it, no hidden card values),
 * sends one client a message and disconnects another through the dashboard's own buttons.
 */
import { strict as assert } from 'assert';
import type { Browser } from 'playwright-core';
import { startArena, type TestArena } from '../support/arena';
import { caboTable, startMatch } from '../support/caboTable';
import { launchOrSkip } from './browser';

const MONITOR = { user: 'admin', password: 'monitor-pass' };

describe('web: the monitor', function () {
  this.timeout(60_000);
  let arena: TestArena;
  let browser: Browser | undefined;

  before(async function () {
    browser = await launchOrSkip(this);
    arena = await startArena({ monitor: MONITOR });
  });
  after(async () => {
    await browser?.close();
    await arena?.shutdown();
  });

  it('inspects a room: clients and spectator state; Send and Disconnect reach the client', async () => {
    const table = await caboTable(arena, 2);
    await startMatch(table);
    const [host, guest] = table.players;
    const hidden = host.room.state.players.get(host.guest.user.id).hand.map((card: any) => card.value);
    assert.ok(hidden.some((value: unknown) => value !== undefined), 'the host sees its setup cards');

    const context = await browser!.newContext({ httpCredentials: { username: MONITOR.user, password: MONITOR.password } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(`${arena.baseUrl}/colyseus/`);
      await page.getByText(table.code).waitFor();
      await page.getByRole('button', { name: 'Inspect' }).click();
      await page.getByText(`Room ${table.code}`).waitFor();
      const sessionIds = [host.room.sessionId, guest.room.sessionId];
      for (const sessionId of sessionIds) await page.getByText(sessionId).waitFor();

      await page.getByRole('tab', { name: 'State' }).click();
      await page.getByText(`"${host.guest.user.name}"`).first().waitFor();
      const stateText = await page.innerText('body');
      assert.match(stateText, /seedCommitment/);
      const inspect = await arena.http('GET', `/colyseus/api/room?roomId=${table.code}`, {
        headers: { authorization: `Basic ${Buffer.from(`${MONITOR.user}:${MONITOR.password}`).toString('base64')}` },
      });
      const shownValues = Object.values(inspect.body.state.players).flatMap((player: any) => player.hand.map((card: any) => card.value));
      assert.ok(shownValues.length === 8 && shownValues.every((value) => value === undefined || value === -1), `the monitor showed card values ${shownValues}`);

      await page.getByRole('tab', { name: 'Clients' }).click();
      const guestRow = page.getByRole('row').filter({ hasText: guest.room.sessionId });
      await guestRow.getByRole('button', { name: 'Send' }).click();
      await page.locator('[role=dialog] input').first().fill('operator_notice');
      await page.locator('[role=dialog]').getByRole('button', { name: 'Send' }).click();
      await guest.probe.message('operator_notice');

      const hostRow = page.getByRole('row').filter({ hasText: host.room.sessionId });
      await hostRow.getByRole('button', { name: 'Disconnect' }).click();
      await host.probe.left();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
