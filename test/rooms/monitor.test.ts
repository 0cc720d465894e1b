import { strict as assert } from 'assert';
import { startArena, createRoom, joinRoom, type TestArena } from '../support/arena';

describe('rooms: the monitor shows no hidden values', () => {
  let arena: TestArena;
  const auth = { authorization: `Basic ${Buffer.from('admin:monitor-pass').toString('base64')}` };
  before(async () => {
    arena = await startArena({ monitor: { user: 'admin', password: 'monitor-pass' } });
  });
  after(() => arena.shutdown());

  it('inspecting a room returns the spectator view of its state', async () => {
    const host = await createRoom(arena, 'counter', { password: 'room-password' });
    await joinRoom(arena, host.room.roomId, { password: 'room-password' });
    host.room.send('start', {});
    const { secret } = await host.probe.stateWhere((state) => state.phase === 'playing' && !!state.secret);
    const inspect = await arena.http('GET', `/colyseus/api/room?roomId=${host.room.roomId}`, { headers: auth });
    assert.equal(inspect.status, 200);
    assert.equal(inspect.body.state.phase, 'playing');
    assert.equal(Object.keys(inspect.body.state.players).length, 2);
    const text = JSON.stringify(inspect.body);
    assert.ok(!text.includes(secret), 'hidden @view() value leaked to the monitor');
    assert.ok(!text.includes('room-password'));
  });
});
