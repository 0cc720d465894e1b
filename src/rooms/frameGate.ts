/**
 * Every WebSocket frame a room receives passes this gate first (the room's `_onMessage`), before
 * anything is decoded for a handler:
 * - it counts against its **user's** limit in that room (a token bucket that survives
 *   reconnections and new sessions, so reconnecting buys nothing); a frame over the limit is
 *   dropped with `error RATE_LIMITED`, and a client that goes on after repeated warnings is
 *   disconnected (4029);
 * - a frame that is not a room message (an unknown protocol byte, undecodable msgpack, a stray
 *   handshake) is a protocol violation: the client is disconnected at once with its own close
 *   code (4400) and nothing of it reaches a handler.
 * The room and everyone else carry on; a disconnected player's seat waits as after any drop.
 */
import { Protocol, type Client } from '@colyseus/core';
import { decode } from '@colyseus/schema';
import { unpack } from '@colyseus/msgpackr';
import { createTokenBucket, type TokenBucket, type TokenBucketOptions } from '../util/tokenBucket';
import { extractRid } from '../protocol/messages';
import { countRefusal } from '../metrics';

/** Per user and room: 10 frames/s sustained, bursts of 20. */
export const RATE_LIMIT: TokenBucketOptions = { ratePerSecond: 10, burst: 20 };
/** Consecutive rate-limited frames (each answered RATE_LIMITED) before the client is dropped. */
export const FLOOD_DISCONNECT_AFTER = 20;

/** Close codes Arena sets when it cuts a client off. */
export const CLOSE_RATE_LIMITED = 4029;
export const CLOSE_INVALID_FRAME = 4400;
export const CLOSE_SLOW_CONSUMER = 4408;

/** A client whose unsent data exceeds this (it stopped reading) is disconnected (4408). */
export const SEND_BUFFER_LIMIT_BYTES = 1024 * 1024;

/** A decoded frame: a room message for the handlers, or a protocol step for Colyseus. */
export type Frame =
  | { kind: 'message'; type: string | number; payload: unknown }
  | { kind: 'protocol' }
  | { kind: 'invalid' };

export type CutOff = 'rate_limited' | 'invalid_frame' | 'slow_consumer';

export interface FrameGateHost {
  /** The user a client belongs to (its token's `sub`). */
  userOf(client: Client): string | undefined;
  /** Tells a client its frame was dropped for the rate limit. */
  rateLimited(client: Client, rid: string | undefined): void;
  /** Disconnects a client (the gate has decided it must go). */
  cutOff(client: Client, reason: CutOff, closeCode: number): void;
}

export class FrameGate {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly strikes = new WeakMap<Client, number>();
  private readonly cut = new WeakSet<Client>();

  constructor(
    private readonly host: FrameGateHost,
    private readonly limit: TokenBucketOptions = RATE_LIMIT,
  ) {}

  /** The frame to act on, or undefined when it was dropped (over the limit, invalid, client cut off). */
  admit(client: Client, buffer: Buffer): Frame | undefined {
    if (this.cut.has(client)) return undefined;
    const frame = decodeFrame(buffer);
    if (frame.kind === 'invalid') {
      this.cutOff(client, 'invalid_frame', CLOSE_INVALID_FRAME);
      return undefined;
    }
    // A session's handshake ack and its leave pass once each (joins have a limit of their own);
    // everything else spends its user's tokens.
    if (frame.kind === 'message' && !this.bucketOf(client).take()) {
      this.overLimit(client, frame);
      return undefined;
    }
    this.strikes.delete(client);
    return frame;
  }

  /** Cuts off a client whose unsent data grew past the bound (it stopped reading). */
  checkBackPressure(client: Client): void {
    const buffered = (client.ref as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0;
    if (buffered > SEND_BUFFER_LIMIT_BYTES) this.cutOff(client, 'slow_consumer', CLOSE_SLOW_CONSUMER);
  }

  private bucketOf(client: Client): TokenBucket {
    const userId = this.host.userOf(client) ?? `session:${client.sessionId}`;
    let bucket = this.buckets.get(userId);
    if (!bucket) {
      bucket = createTokenBucket(this.limit);
      this.buckets.set(userId, bucket);
    }
    return bucket;
  }

  private overLimit(client: Client, frame: Frame): void {
    countRefusal('messages');
    const strikes = (this.strikes.get(client) ?? 0) + 1;
    this.strikes.set(client, strikes);
    this.host.rateLimited(client, frame.kind === 'message' ? extractRid(frame.payload) : undefined);
    if (strikes >= FLOOD_DISCONNECT_AFTER) this.cutOff(client, 'rate_limited', CLOSE_RATE_LIMITED);
  }

  private cutOff(client: Client, reason: CutOff, closeCode: number): void {
    if (this.cut.has(client)) return;
    this.cut.add(client);
    countRefusal(reason === 'rate_limited' ? 'flood' : reason);
    this.host.cutOff(client, reason, closeCode);
  }
}

/** Decodes a frame the way Colyseus does, without trusting it. */
export function decodeFrame(buffer: Buffer): Frame {
  const code = buffer[0];
  if (code === Protocol.JOIN_ROOM || code === Protocol.LEAVE_ROOM) return buffer.length === 1 ? { kind: 'protocol' } : { kind: 'invalid' };
  if (code !== Protocol.ROOM_DATA && code !== Protocol.ROOM_DATA_BYTES) return { kind: 'invalid' };
  try {
    const it = { offset: 1 };
    if (buffer.length <= it.offset) return { kind: 'invalid' };
    const type = decode.stringCheck(buffer, it) ? decode.string(buffer, it) : decode.number(buffer, it);
    if (typeof type === 'number' && !Number.isFinite(type)) return { kind: 'invalid' };
    if (it.offset > buffer.length) return { kind: 'invalid' };
    const rest = buffer.subarray(it.offset);
    if (code === Protocol.ROOM_DATA_BYTES) return { kind: 'message', type, payload: rest };
    return { kind: 'message', type, payload: rest.length > 0 ? unpack(rest) : undefined };
  } catch {
    return { kind: 'invalid' };
  }
}
