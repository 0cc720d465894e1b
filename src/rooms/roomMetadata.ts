/** What a game room shows of itself: its public config in state, and its lobby listing. */
import type { RoomMetadata } from '../protocol/rooms';
import type { BaseRoomOptions } from './options';
import type { GameStateWithConfig } from './schema/GameState';
import type { SeatRegistry } from './SeatRegistry';
import type { AccessPolicy } from './AccessPolicy';

/** Copies the public options into `state.config` (never the password or the allow-lists). */
export function mirrorConfig(state: GameStateWithConfig, options: BaseRoomOptions, access: AccessPolicy): void {
  state.config.assign({
    maxPlayers: options.maxPlayers,
    minPlayers: options.minPlayers,
    allowSpectators: options.allowSpectators,
    maxSpectators: options.maxSpectators,
    turnSeconds: options.turnSeconds,
    reconnectSeconds: options.reconnectSeconds,
    idleSeconds: options.idleSeconds,
    private: options.private,
    hasPassword: access.hasPassword,
    restricted: Boolean(options.allowedUsers || options.allowedRoles),
    mode: options.mode,
  });
}

/** The listing of a room, as the lobby and the rooms API show it. */
export function roomMetadata(game: string, state: GameStateWithConfig, options: BaseRoomOptions, seats: SeatRegistry, access: AccessPolicy): RoomMetadata {
  return {
    game,
    code: state.code,
    players: seats.seatedCount,
    maxPlayers: options.maxPlayers,
    spectators: seats.spectatorCount,
    phase: state.phase,
    hasPassword: access.hasPassword,
    hostName: state.players.get(seats.hostId)?.name ?? '',
    mode: options.mode,
  };
}

/**
 * Colyseus auto-locks a room whose `maxClients` is reached, and a locked room refuses
 * `joinById`: set it beyond what seats, spectators and a replacement session per player need.
 */
export function maxClientsFor(options: BaseRoomOptions): number {
  return options.maxPlayers * 2 + options.maxSpectators + 10;
}
