/**
 * The state exactly as a client without any view (a spectator) decodes it: the room's own
 * full-state encoding, decoded into a fresh instance. Used where state leaves the room for
 * operators (the monitor) so hidden `@view()` values never do.
 */
import { Decoder, type Schema } from '@colyseus/schema';
import type { Room } from '@colyseus/core';

export function publicState(room: Room<Schema>): { state: unknown; bytes: number } {
  const serializer = (room as unknown as { _serializer: { getFullState(): Buffer } })._serializer;
  const bytes = serializer.getFullState();
  const StateClass = room.state.constructor as new () => Schema;
  const decoder = new Decoder(new StateClass());
  decoder.decode(bytes, { offset: 1 });
  return { state: decoder.state.toJSON(), bytes: bytes.byteLength };
}

/** What the monitor's inspect page reads: the connected sessions and the spectator view of the state. */
export function inspectData(room: Room<Schema>) {
  const { state, bytes } = publicState(room);
  return {
    roomId: room.roomId,
    maxClients: room.maxClients,
    metadata: room.metadata,
    locked: room.locked,
    clients: room.clients.map((client) => ({
      sessionId: client.sessionId,
      elapsedTime: room.clock.elapsedTime - ((client as unknown as { _joinedAt?: number })._joinedAt ?? 0),
    })),
    state,
    stateSize: bytes,
  };
}
