/**
 * Room passwords: salted scrypt hashes, compared in constant time. The clear text is never kept.
 * scrypt runs on libuv's thread pool, so password checks never block the event loop.
 */
import crypto from 'crypto';
import { promisify } from 'util';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keyLength: number) => Promise<Buffer>;
const KEY_LENGTH = 32;

export interface PasswordHash {
  salt: Buffer;
  hash: Buffer;
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = crypto.randomBytes(16);
  return { salt, hash: await scrypt(password, salt, KEY_LENGTH) };
}

export async function verifyPassword(candidate: unknown, stored: PasswordHash): Promise<boolean> {
  if (typeof candidate !== 'string' || candidate.length > 256) return false;
  const actual = await scrypt(candidate, stored.salt, KEY_LENGTH);
  return crypto.timingSafeEqual(actual, stored.hash);
}
