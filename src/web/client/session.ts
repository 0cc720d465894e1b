/**
 * The one place for identity and connections: the guest token (localStorage), the colyseus.js
 * client, the room the player is in, and how it comes back after a network drop (reconnection
 * token), a page reload (`GET /api/me/rooms` + `joinById`) or a server restart (close 4005 →
 * rejoin by code in a retry loop). Pages only read `session.room` and subscribe to changes.
 */
import { Client, type Room } from 'colyseus.js';
import { api, serverBase } from './api';
import { ArenaClientError, toArenaError } from './errors';
import type { ErrorCode } from '../../protocol/errors';
import type { User } from '../../protocol/http';
import type { ServerMessages } from '../../protocol/messages';
import type { LobbyMessages, LobbyRoomEntry, RoomMetadata, RoomSummary } from '../../protocol/rooms';
import type { AnyGame, GameTypes, PayloadArgs, PlayerOf, ReceiveType, Received, SendType, Sent } from './types';

const TOKEN_KEY = 'arena.token';
const USER_KEY = 'arena.user';
const PASSWORD_KEY = (code: string) => `arena.password.${code}`;

/** Arena's WebSocket close codes (README "Protocol"). */
export const CLOSE = { CONSENTED: 4000, REPLACED: 4001, IDLE: 4002, KICKED: 4003, RESTART: 4005, FLOODING: 4029 } as const;

/** Join rejections that retrying cannot fix. */
const FINAL_JOIN_ERRORS: ReadonlySet<string> = new Set<ErrorCode>(['UNAUTHORIZED', 'WRONG_PASSWORD', 'NOT_ALLOWED', 'ROOM_FULL', 'GAME_ALREADY_STARTED', 'SPECTATORS_DISABLED', 'INVALID_OPTIONS']);

export type ConnectionStatus = 'connected' | 'reconnecting' | 'closed';

export interface CloseInfo {
  reason: 'left' | 'kicked' | 'replaced' | 'idle' | 'closed' | 'lost' | 'refused';
  message: string;
  /** For `refused`: the join error (e.g. WRONG_PASSWORD). */
  code?: string;
}

type Listener = () => void;

export interface JoinOptions {
  password?: string;
  spectate?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A room the player is in, surviving reconnections (the underlying colyseus.js Room changes). */
export class RoomSession<G extends GameTypes = AnyGame> {
  room!: Room<G['state']>;
  status: ConnectionStatus = 'connected';
  closeInfo?: CloseInfo;
  /** Server clock minus local clock (ms), measured with `ping`. */
  clockOffset = 0;
  readonly code: string;
  readonly game: string;
  private listeners = new Set<Listener>();
  private handlers = new Map<string, Set<(message: any) => void>>();
  private removedReason: ServerMessages['removed']['reason'] | '' = '';
  private closingReason: ServerMessages['closing']['reason'] | '' = '';
  private leaving = false;
  private ridCounter = 0;
  private retryTimer?: { cancel(): void };

  constructor(
    private readonly session: Session,
    room: Room<G['state']>,
    private joinOptions: JoinOptions,
  ) {
    this.code = room.roomId;
    this.game = room.name;
    this.attach(room);
  }

  get state(): G['state'] {
    return this.room.state;
  }

  /** The signed-in user's id. */
  get me(): string {
    return this.session.user?.id ?? '';
  }

  /** Seated as a player (otherwise a spectator). */
  get isPlayer(): boolean {
    return Boolean(this.state?.players?.has(this.me));
  }

  /** Your player in state, when seated. */
  get player(): PlayerOf<G['state']> | undefined {
    return this.state?.players?.get(this.me) as PlayerOf<G['state']> | undefined;
  }

  get isHost(): boolean {
    return this.state?.hostId === this.me && this.isPlayer;
  }

  /** Local time corrected to the server's clock (for deadlines in state). */
  now(): number {
    return Date.now() + this.clockOffset;
  }

  /** Called after every state patch and connection change. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Server messages of `type`, across reconnections. */
  on<K extends ReceiveType<G>>(type: K, handler: (message: Received<G, K>) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  /** Sends a message with a fresh `rid` (echoed by `error` replies); false when not connected. */
  send<K extends SendType<G>>(type: K, ...[payload]: PayloadArgs<G, K>): boolean {
    if (this.status !== 'connected') {
      const error: Received<G, 'error'> = { code: 'NETWORK', message: 'not connected; wait for the reconnection' };
      this.emit('error', error);
      return false;
    }
    this.room.send(type, { ...payload, rid: `${type}-${++this.ridCounter}` });
    return true;
  }

  /** Leaves for good (consented): the seat is released, or forfeited during a match. */
  async leave(): Promise<void> {
    this.leaving = true;
    this.retryTimer?.cancel();
    if (this.status === 'connected') {
      await Promise.race([this.room.leave(true).catch(() => undefined), sleep(3000)]);
    }
    this.close({ reason: 'left', message: 'You left the room.' });
  }

  /** Drops the connection without telling the server (tests and page unload use `leave`). */
  dispose(): void {
    this.leaving = true;
    this.retryTimer?.cancel();
    this.listeners.clear();
    this.handlers.clear();
  }

  private attach(room: Room<G['state']>): void {
    this.room = room;
    this.status = 'connected';
    this.closeInfo = undefined;
    this.removedReason = '';
    this.closingReason = '';
    room.onStateChange(() => this.changed());
    room.onMessage('*', (type, message) => this.dispatch(String(type), message));
    room.onLeave((code) => void this.handleLeave(room, code));
    room.send('ping', { t: Date.now() } satisfies Sent<AnyGame, 'ping'>);
    this.changed();
  }

  private dispatch(type: string, message: any): void {
    if (type === 'pong' && typeof message?.t === 'number') {
      const pong: ServerMessages['pong'] = message;
      const now = Date.now();
      this.clockOffset = pong.serverTime - (pong.t + now) / 2;
    } else if (type === 'removed') {
      this.removedReason = String(message?.reason ?? '') as ServerMessages['removed']['reason'];
    } else if (type === 'closing') {
      this.closingReason = String(message?.reason ?? '') as ServerMessages['closing']['reason'];
    }
    this.emit(type, message);
  }

  private emit(type: string, message: unknown): void {
    for (const handler of [...(this.handlers.get(type) ?? [])]) handler(message);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private close(info: CloseInfo): void {
    this.status = 'closed';
    this.closeInfo = info;
    this.changed();
    this.session.roomClosed(this);
  }

  private async handleLeave(room: Room<G['state']>, code: number): Promise<void> {
    if (room !== this.room || this.status === 'closed') return;
    if (this.leaving) return this.close({ reason: 'left', message: 'You left the room.' });
    if (this.removedReason === 'kicked' || code === CLOSE.KICKED) {
      return this.close({ reason: 'kicked', message: 'The host removed you from this room.' });
    }
    if (this.removedReason === 'replaced' || code === CLOSE.REPLACED) {
      return this.close({ reason: 'replaced', message: 'This seat was opened in another tab or window.' });
    }
    if (this.closingReason === 'idle' || code === CLOSE.IDLE) {
      return this.close({ reason: 'idle', message: 'The room closed after a long time without activity.' });
    }
    if (code === CLOSE.CONSENTED) return this.close({ reason: 'closed', message: 'The room was closed.' });
    // A server restart or a move to another process keeps the seats: rejoin by code. Anything
    // else is a dropped connection: the seat waits `reconnectSeconds` for our reconnection token.
    const restart = code === CLOSE.RESTART || this.closingReason === 'shutdown' || this.closingReason === 'moved';
    await this.recover(restart ? 'restart' : 'drop');
  }

  /** Reconnection loop: `reconnect(token)` first after a drop, then `joinById(code)`. */
  private async recover(kind: 'drop' | 'restart'): Promise<void> {
    const wasPlayer = this.isPlayer;
    const token = this.room.reconnectionToken;
    this.status = 'reconnecting';
    this.changed();
    const windowMs = kind === 'restart' ? 120_000 : Math.max(this.state?.config?.reconnectSeconds ?? 60, 10) * 1000 + 5_000;
    const deadline = Date.now() + windowMs;
    let useToken = kind === 'drop' && Boolean(token);
    let gone = 0;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const delay = attempt === 0 ? (kind === 'restart' ? 1000 : 250) : Math.min(1000 * attempt, 5000);
      const cancelled = await this.wait(delay);
      if (cancelled || this.leaving) return;
      try {
        const room = useToken
          ? await this.session.client.reconnect<G['state']>(token)
          : await this.session.client.joinById<G['state']>(this.code, { ...this.joinOptions, spectate: !wasPlayer && this.joinOptions.spectate });
        if (this.leaving) {
          void room.leave(true);
          return;
        }
        this.attach(room);
        return;
      } catch (error) {
        const e = toArenaError(error);
        if (FINAL_JOIN_ERRORS.has(e.code)) {
          return this.close({ reason: 'refused', code: e.code, message: e.message });
        }
        if (useToken && e.code !== 'NETWORK') useToken = false; // token expired: the seat is reclaimed by user id
        if (e.code === 'ROOM_GONE' && kind === 'drop' && ++gone >= 3) break;
      }
    }
    this.close({ reason: 'lost', message: 'The connection to the room was lost.' });
  }

  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.retryTimer = { cancel: () => (clearTimeout(timer), resolve(true)) };
    });
  }
}

/** The signed-in player and their current room. */
export class Session {
  user?: User;
  token?: string;
  readonly client = new Client(serverBase().href.replace(/\/$/, ''));
  room?: RoomSession<any>;
  /** The last room that closed on us (kicked, replaced, lost…), for the page to explain. */
  lastClosed?: RoomSession<any>;
  private listeners = new Set<Listener>();

  constructor() {
    this.client.auth.token = undefined as unknown as string; // never colyseus' own stored token
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Restores the stored token if the server still accepts it (401 drops it). */
  async restore(): Promise<User | undefined> {
    const token = localStorage.getItem(TOKEN_KEY);
    if (!token) return undefined;
    try {
      const { user } = await api.me(token);
      this.setIdentity(token, user);
      return user;
    } catch (error) {
      const e = toArenaError(error);
      if (e.status === 401 || e.code === 'UNAUTHORIZED') {
        this.forget();
        return undefined;
      }
      throw e; // server unreachable: keep the token, let the page offer a retry
    }
  }

  async signIn(name: string): Promise<User> {
    const { token, user } = await api.guest(name);
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(USER_KEY, JSON.stringify(user));
    this.setIdentity(token, user);
    return user;
  }

  async signOut(): Promise<void> {
    await this.room?.leave();
    this.forget();
    this.changed();
  }

  private setIdentity(token: string, user: User): void {
    this.token = token;
    this.user = user;
    this.client.auth.token = token;
    this.changed();
  }

  private forget(): void {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
    this.token = undefined;
    this.user = undefined;
    this.client.auth.token = undefined as unknown as string;
  }

  /** The password this tab used for a room (sessionStorage: survives reloads, not the tab). */
  password(code: string): string | undefined {
    return sessionStorage.getItem(PASSWORD_KEY(code)) ?? undefined;
  }

  rememberPassword(code: string, password: string | undefined): void {
    if (password) sessionStorage.setItem(PASSWORD_KEY(code), password);
  }

  myRooms(): Promise<RoomSummary[]> {
    return api.myRooms(this.token ?? '').then((reply) => reply.rooms);
  }

  /** `client.create(game, options)`: the creator is seated as host. */
  async create(game: string, options: Record<string, unknown>): Promise<RoomSession<any>> {
    const room = await this.attempt(() => this.client.create(game, options));
    this.rememberPassword(room.roomId, options.password as string | undefined);
    return this.enter(room, {});
  }

  /** `joinOrCreate(game, { mode: 'quick' })`. */
  async quickMatch(game: string): Promise<RoomSession<any>> {
    const room = await this.attempt(() => this.client.joinOrCreate(game, { mode: 'quick' }));
    return this.enter(room, {});
  }

  /** Joins by code (a seated user gets their seat back whatever `spectate` says). */
  async join(code: string, options: JoinOptions = {}): Promise<RoomSession<any>> {
    if (this.room?.code === code && this.room.status !== 'closed') return this.room;
    const password = options.password ?? this.password(code);
    const joinOptions: JoinOptions = { ...(password ? { password } : {}), ...(options.spectate ? { spectate: true } : {}) };
    const room = await this.attempt(() => this.client.joinById(code, joinOptions));
    this.rememberPassword(code, password);
    return this.enter(room, joinOptions);
  }

  private async attempt(join: () => Promise<Room<any>>): Promise<Room<any>> {
    try {
      return await join();
    } catch (error) {
      throw toArenaError(error);
    }
  }

  private async enter(room: Room<any>, options: JoinOptions): Promise<RoomSession<any>> {
    const previous = this.room;
    if (previous && previous.code !== room.roomId) await previous.leave();
    const session = new RoomSession(this, room, options);
    this.room = session;
    this.changed();
    return session;
  }

  /**
   * Live listing of public rooms through the `lobby` room (`rooms`, `+ [roomId, room]`,
   * `- roomId`); reconnects while watched. Returns the function that stops watching.
   */
  watchLobby(listener: (rooms: RoomMetadata[], status: 'live' | 'connecting') => void): () => void {
    const rooms = new Map<string, RoomMetadata>();
    let lobby: Room | undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const publish = (status: 'live' | 'connecting') => listener([...rooms.values()], status);
    const put = (roomId: string, room: LobbyRoomEntry) => {
      if (room?.metadata?.game) rooms.set(roomId, { ...room.metadata, code: roomId });
      else rooms.delete(roomId);
    };
    const connect = async () => {
      publish('connecting');
      try {
        const room = await this.client.joinOrCreate('lobby');
        if (stopped) return void room.leave(true);
        lobby = room;
        room.onMessage('rooms', (list: LobbyMessages['rooms']) => {
          rooms.clear();
          for (const item of list) put(item.roomId, item);
          publish('live');
        });
        room.onMessage('+', ([roomId, item]: LobbyMessages['+']) => {
          put(roomId, item);
          publish('live');
        });
        room.onMessage('-', (roomId: LobbyMessages['-']) => {
          rooms.delete(roomId);
          publish('live');
        });
        room.onLeave(() => {
          lobby = undefined;
          if (!stopped) timer = setTimeout(connect, 2000);
        });
      } catch {
        if (!stopped) timer = setTimeout(connect, 3000);
      }
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      void lobby?.leave(true).catch(() => undefined);
    };
  }

  /** Leaves the current room for good. */
  async leaveRoom(): Promise<void> {
    await this.room?.leave();
  }

  /** A room session ended (left, kicked, lost): forget it as the current room. */
  roomClosed(room: RoomSession<any>): void {
    if (this.room !== room) return;
    this.room = undefined;
    this.lastClosed = room;
    this.changed();
  }
}

export { ArenaClientError };
