/**
 * What a game room shows of itself, and its activity: the public config in state, the lobby
 * listing (metadata, whether seats are open), and the idle close. Called whenever seats, options
 * or the phase change.
 */
import { updateLobby, type Room, type RoomCache } from '@colyseus/core';
import type { BaseRoomOptions } from './options';
import type { GameStateWithConfig, Phase } from './schema/GameState';
import type { SeatRegistry } from './SeatRegistry';
import type { AccessPolicy } from './AccessPolicy';
import type { QuickMatch } from './QuickMatch';
import type { RoomMetadata } from '../protocol/rooms';

/** Close code of a room that closed after `idleSeconds` without a message. */
export const CLOSE_IDLE = 4002;

export interface ListedRoom extends Room<GameStateWithConfig> {
  readonly options: BaseRoomOptions;
  readonly phase: Phase;
  readonly seats: SeatRegistry;
  readonly access: AccessPolicy;
  /** Whether new players may take free seats now. */
  readonly joinable: boolean;
  now(): number;
}

export class RoomListing {
  private lastActivityAt: number;

  constructor(
    private readonly room: ListedRoom,
    private readonly quick: QuickMatch,
    /** Quick-match reservations still pending (promised seats). */
    private readonly promised: () => number,
    /** The room's snapshot may have changed: save it if so. */
    private readonly saveIfChanged: () => void,
  ) {
    this.lastActivityAt = room.now();
  }

  /** Copies the public options into `state.config` (never the password or the allow-lists). */
  mirrorConfig(): void {
    const { options, state, access } = this.room;
    state.config.assign({
      maxPlayers: options.maxPlayers, minPlayers: options.minPlayers, allowSpectators: options.allowSpectators,
      maxSpectators: options.maxSpectators, turnSeconds: options.turnSeconds, reconnectSeconds: options.reconnectSeconds,
      idleSeconds: options.idleSeconds, private: options.private, hasPassword: access.hasPassword,
      restricted: access.restricted, mode: options.mode,
    });
    // Colyseus auto-locks a room whose `maxClients` is reached, and a locked room refuses
    // `joinById`: beyond what seats, spectators and a replacement session per player need.
    this.room.maxClients = options.maxPlayers * 2 + options.maxSpectators + 10;
  }

  /** Whether the listing offers a free seat (quick-match promises count as taken). */
  get seatsOpen(): boolean {
    const { joinable, seats, options } = this.room;
    return joinable && seats.seatedCount + this.promised() < options.maxPlayers;
  }

  /** The seated count changed (`joined`: by a join): quick-match countdown, then the listing. */
  seatsChanged(joined: boolean): void {
    const { options, phase, seats, state } = this.room;
    if (options.mode === 'quick' && phase === 'waiting') {
      this.quick.seatsChanged(seats.seatedCount, joined, options);
      state.startsAt = this.quick.startsAt;
    }
    this.changed();
  }

  /** Publishes the listing (lobby, rooms API) and saves the snapshot if it changed. */
  changed(): void {
    const { room } = this;
    const { state, options, seats, access } = room;
    state.spectatorCount = seats.spectatorCount;
    room.listing.seatsOpen = this.seatsOpen;
    const metadata: RoomMetadata = {
      game: room.roomName, code: state.code, players: seats.seatedCount, maxPlayers: options.maxPlayers, spectators: seats.spectatorCount,
      phase: state.phase, hasPassword: access.hasPassword, hostName: state.players.get(seats.hostId)?.name ?? '', mode: options.mode,
    };
    void room.setMetadata(metadata).then(() => {
      if (room.listing.roomId) updateLobby(room);
    });
    this.saveIfChanged();
  }

  /**
   * Another process adopted the room and lists it under the same code: this copy's listing stops
   * writing, so closing here (Colyseus removes a room's listing when it disposes) cannot delete
   * the adopter's entry from the shared driver or the lobbies.
   */
  detach(): void {
    const { room } = this;
    const frozen = { ...room.listing } as RoomCache;
    room.listing = Object.assign(frozen, { unlisted: true, save() {}, updateOne() {}, remove() {} });
  }

  /** A client message arrived: the room is active (`lastActivity` at 1 s resolution). */
  touch(): void {
    this.lastActivityAt = this.room.now();
    if (this.lastActivityAt - this.room.state.lastActivity >= 1000) this.room.state.lastActivity = this.lastActivityAt;
  }

  /** A fresh state: its code, game and activity; the listing's mode; the idle close armed (`onIdle` runs first). */
  open(mode: string, onIdle: () => void): void {
    const { room } = this;
    room.state.assign({ code: room.roomId, game: room.roomName, lastActivity: room.now() });
    room.listing.mode = mode;
    this.scheduleIdleClose(onIdle);
  }

  /** Closes the room after `idleSeconds` without any client message. */
  private scheduleIdleClose(onIdle: () => void): void {
    const { room } = this;
    room.clock.setInterval(() => {
      if (room.now() - this.lastActivityAt < room.options.idleSeconds * 1000) return;
      room.broadcast('closing', { reason: 'idle' });
      onIdle();
      void room.disconnect(CLOSE_IDLE);
    }, Math.min(5000, (room.options.idleSeconds * 1000) / 4));
  }
}
