/** The game rooms this process serves, registered once for matchmaking, lobby and HTTP API. */
import type { Server } from '@colyseus/core';
import type { GameRoom } from './GameRoom';
import type { buildOptionSchemas } from './options';

type GameRoomClass = (new () => GameRoom<any, any>) & { optionSchemas: ReturnType<typeof buildOptionSchemas> };

const games = new Map<string, GameRoomClass>();

/**
 * Registers a game room: matched by `joinOrCreate` on `mode` and open seats, listed live in the
 * lobby, creatable through `POST /api/rooms`.
 */
export function defineGame(gameServer: Server, name: string, roomClass: GameRoomClass): void {
  gameServer.define(name, roomClass).filterBy(['mode', 'seatsOpen']).enableRealtimeListing();
  games.set(name, roomClass);
}

export function gameRoomClass(name: string): GameRoomClass | undefined {
  return games.get(name);
}

export function isGame(name: unknown): name is string {
  return typeof name === 'string' && games.has(name);
}

export function gameNames(): string[] {
  return [...games.keys()];
}
