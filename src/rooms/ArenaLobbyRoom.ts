import { ClientState, LobbyRoom, type AuthContext, type Client, type ClientPrivate } from '@colyseus/core';
import { countedConnection } from './connections';
import { authenticateRoomToken } from './auth';
import { FrameGate, RATE_LIMIT, type CutOff } from './frameGate';
import type { User } from '../auth/tokens';
import { errorsSent } from '../metrics';
import type { Services } from '../services';

/** How often the lobby looks for clients that stopped reading its pushed updates. */
const BACK_PRESSURE_CHECK_MS = 1000;

/**
 * Colyseus' LobbyRoom (live listing of public rooms), open to authenticated users only, with the
 * limits of game rooms: every frame passes the same gate (per-user rate limit, protocol checks),
 * a connection counts toward its user's connection limit, and a client whose send buffer outgrows
 * its bound (it asks for listings and stops reading) is disconnected.
 */
export class ArenaLobbyRoom extends LobbyRoom {
  private readonly gate = new FrameGate({
    userOf: (client) => (client.auth as User | undefined)?.id,
    rateLimited: (client, rid) => {
      errorsSent.inc({ code: 'RATE_LIMITED' });
      client.send('error', { code: 'RATE_LIMITED', message: `too many messages: at most ${RATE_LIMIT.ratePerSecond}/s`, ...(rid && { rid }) });
    },
    cutOff: (client, reason: CutOff, closeCode) => {
      if (reason !== 'slow_consumer') client.send('removed', { reason });
      client.leave(closeCode);
    },
  });

  /** The process's services, bound by its registration (`withServices`). */
  static services?: Services;

  static override async onAuth(this: typeof ArenaLobbyRoom, token: string) {
    return authenticateRoomToken(this.services!.tokens, token);
  }

  override async onCreate(options: unknown): Promise<void> {
    await super.onCreate(options);
    this.clock.setInterval(() => this.checkBackPressure(), BACK_PRESSURE_CHECK_MS);
  }

  override async ['_onJoin'](client: Client & ClientPrivate, authContext: AuthContext): Promise<void> {
    const user = (this.reservedSeats[client.sessionId] as [unknown, User | undefined] | undefined)?.[1];
    const { limits } = (this.constructor as typeof ArenaLobbyRoom).services!;
    return countedConnection(limits, this.presence, client, user?.id, () => super._onJoin(client, authContext));
  }

  override _onMessage(client: Client & ClientPrivate, buffer: Buffer): void {
    if (client.state === ClientState.LEAVING) return;
    if (!this.gate.admit(client, buffer)) return;
    super._onMessage(client, buffer);
    this.gate.checkBackPressure(client);
  }

  private checkBackPressure(): void {
    for (const client of this.clients) this.gate.checkBackPressure(client);
  }
}
