/**
 * The games one process serves, each registered once for matchmaking, the lobby, the rooms API,
 * restart and the archive. A room class receives the process's services through its
 * registration, since Colyseus constructs rooms itself.
 */
import type { Room, Server } from '@colyseus/core';
import type { ArchivePresenter } from '../games/archive';
import type { OptionSchemas } from '../rooms/options';

/** A room class with the process's services bound to it (see `withServices`); rooms type them. */
export interface ServedRoomClass {
  new (): Room;
  services?: unknown;
}

/** What a game registers: its room and, optionally, how the history API shows its records. */
export interface GameDefinition {
  /** Room name clients use (`joinOrCreate('cabo')`), also the archive's `game`. */
  name: string;
  room: ServedRoomClass & { optionSchemas: OptionSchemas };
  /** What `GET /api/games/:id` shows of a finished record; absent: the summary only. */
  archive?: ArchivePresenter;
}

/** `RoomClass` with `services` bound: the subclass Colyseus will construct. */
export function withServices<C extends ServedRoomClass>(RoomClass: C, services: object): C {
  const Served = class extends (RoomClass as ServedRoomClass) {} as unknown as C;
  Served.services = services;
  return Served;
}

export class GameRegistry {
  private readonly games = new Map<string, GameDefinition>();

  /** Matched by `joinOrCreate` on `mode` and open seats, listed live in the lobby, creatable over HTTP. */
  define(server: Server, game: GameDefinition, services: object): void {
    server.define(game.name, withServices(game.room, services)).filterBy(['mode', 'seatsOpen']).enableRealtimeListing();
    this.games.set(game.name, game);
  }

  has(name: unknown): name is string {
    return typeof name === 'string' && this.games.has(name);
  }

  names(): string[] {
    return [...this.games.keys()];
  }

  optionSchemas(name: string): OptionSchemas | undefined {
    return this.games.get(name)?.room.optionSchemas;
  }

  archivePresenter(name: string): ArchivePresenter | undefined {
    return this.games.get(name)?.archive;
  }
}
