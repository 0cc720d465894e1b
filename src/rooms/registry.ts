/** The game rooms this process serves, registered once for matchmaking, lobby and HTTP API. */
import type { Server } from '@colyseus/core';
import type { GameRoom } from './GameRoom';
import type { buildOptionSchemas } from './options';
import type { ArchivePresenter } from '../games/archive';

type GameRoomClass = (new () => GameRoom<any, any>) & { optionSchemas: ReturnType<typeof buildOptionSchemas> };

interface GameDefinition {
  roomClass: GameRoomClass;
  /** How the history API shows the game's archived records; none: the summary only. */
  archive?: ArchivePresenter;
}

const games = new Map<string, GameDefinition>();

/**
 * Registers a game room: matched by `joinOrCreate` on `mode` and open seats, listed live in the
 * lobby, creatable through `POST /api/rooms`; its archived records are shown by `archive`.
 */
export function defineGame(gameServer: Server, name: string, roomClass: GameRoomClass, archive?: ArchivePresenter): void {
  gameServer.define(name, roomClass).filterBy(['mode', 'seatsOpen']).enableRealtimeListing();
  games.set(name, { roomClass, archive });
}

export function gameRoomClass(name: string): GameRoomClass | undefined {
  return games.get(name)?.roomClass;
}

export function archivePresenter(name: string): ArchivePresenter | undefined {
  return games.get(name)?.archive;
}

export function isGame(name: unknown): name is string {
  return typeof name === 'string' && games.has(name);
}

export function gameNames(): string[] {
  return [...games.keys()];
}
