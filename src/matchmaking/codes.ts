/**
 * Join codes: a room's `roomId` is a 6-character code from an alphabet without look-alikes
 * (no 0/O, 1/I). Codes are reserved through the presence API with an atomic `incr`, so two
 * processes sharing Redis can never hand out the same one.
 */
import crypto from 'crypto';
import { LocalPresence, type Presence } from '@colyseus/core';

export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;
const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** A reservation outlives a crashed process for this long, then the code is free again. */
export const CODE_LEASE_SECONDS = 6 * 3600;
const MAX_ATTEMPTS = 20;

const codeKey = (code: string) => `arena:code:${code}`;

export function randomCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Normalises user input ("abc 234" → "ABC234"); undefined when it cannot be a code. */
export function normaliseCode(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return CODE_PATTERN.test(code) ? code : undefined;
}

/** Reserves a fresh code; retries on collision. `generate` is injectable to test collisions. */
export async function reserveCode(presence: Presence, generate: () => string = randomCode): Promise<string> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const code = generate();
    if ((await presence.incr(codeKey(code))) === 1) {
      await renewCode(presence, code);
      return code;
    }
  }
  throw new Error(`no free join code after ${MAX_ATTEMPTS} attempts`);
}

/** Keeps a long-lived room's code reserved. */
export async function renewCode(presence: Presence, code: string): Promise<void> {
  // In-memory presence dies with its process, so it needs no lease (and would keep a timer per code).
  if (!(presence instanceof LocalPresence)) await presence.expire(codeKey(code), CODE_LEASE_SECONDS);
}

export async function releaseCode(presence: Presence, code: string): Promise<void> {
  await presence.del(codeKey(code));
}

/** Takes a known code back for a room restored after a restart (its reservation may have lapsed). */
export async function claimCode(presence: Presence, code: string): Promise<void> {
  await presence.incr(codeKey(code));
  await renewCode(presence, code);
}
