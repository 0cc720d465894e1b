import { LobbyRoom } from '@colyseus/core';
import { authenticateRoomToken } from './auth';

/** Colyseus' LobbyRoom (live listing of public rooms), open to authenticated users only. */
export class ArenaLobbyRoom extends LobbyRoom {
  static override async onAuth(token: string) {
    return authenticateRoomToken(token);
  }
}
