/**
 * Cabo players driven only through their own clients (no server internals), for end-to-end tests
 * where the server is another process.
 */
import { strict as assert } from 'assert';
import type { Room } from 'colyseus.js';
import { untilAny, type Probe } from './probe';

export interface Player {
  token: string;
  id: string;
  room: Room;
  probe: Probe;
}

/** What a player would do now, judged only from what its own client decoded (null: nothing). */
function nextMove(state: any, me: string, movesSoFar: number): [string, Record<string, unknown>] | null {
  const mine = state.players?.get(me);
  if (!mine || state.phase !== 'playing') return null;
  if (state.roundPhase === 'setup') return mine.ready ? null : ['ready', {}];
  if (state.roundPhase !== 'turn' || state.turn !== me) return null;
  if (state.turnPhase === 'draw') return state.caboCaller === '' && movesSoFar >= 8 ? ['cabo', {}] : ['draw', { source: 'deck' }];
  if (state.turnPhase === 'drawn') return state.drawnFrom === 'deck' ? ['discard', {}] : ['swap', { index: 0 }];
  if (state.turnPhase === 'power') return ['skip_power', {}];
  return null;
}

/**
 * Drives the players one move at a time until `stop()` or the match ends; every move is sent
 * only after the previous one was seen accepted, so the list of acknowledged moves is exact.
 */
export async function drive(players: Player[], acknowledged: Array<{ playerId: string; type: string }>, stop: () => boolean): Promise<void> {
  while (!stop()) {
    const actor = players.find((p) => nextMove(p.room.state, p.id, acknowledged.length));
    if (!actor) {
      const finished = () => players[0].room.state.phase === 'finished';
      if (finished()) return;
      const someoneCanMove = () => finished() || players.some((p) => nextMove(p.room.state, p.id, acknowledged.length));
      await untilAny(players.map((p) => p.probe), someoneCanMove, 'a player can move (timers, patches)', 15_000);
      continue;
    }
    const [type, payload] = nextMove(actor.room.state, actor.id, acknowledged.length)!;
    const seq = actor.room.state.lastAction.seq;
    const rid = `m${acknowledged.length}`;
    actor.room.send(type, { ...payload, rid });
    await actor.probe.until(
      () => actor.room.state.lastAction.seq > seq || actor.probe.messages.some((m) => m.type === 'error' && m.message.rid === rid),
      `${type} answered`,
    );
    const error = actor.probe.messages.find((m) => m.type === 'error' && m.message.rid === rid);
    assert.equal(error, undefined, `${type} refused: ${JSON.stringify(error?.message)}`);
    acknowledged.push({ playerId: actor.id, type });
  }
}

