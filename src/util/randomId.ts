/**
 * Random identifiers from a pool of entropy filled in one call (like `crypto.randomUUID`'s own
 * cache): a room minting dozens of opaque card ids per round does not make a system call each.
 * The bytes come from the OS CSPRNG; only their fetching is batched.
 */
import crypto from 'crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `bytes` random bytes as base64url (6 bytes → 8 characters). */
export function randomId(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = crypto.randomBytes(Math.max(POOL_BYTES, bytes));
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return id;
}
