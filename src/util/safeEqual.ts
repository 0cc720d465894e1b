import crypto from 'crypto';

/** Constant-time comparison that also hides the expected length (both sides are hashed first). */
export function safeEqual(given: Buffer | string, expected: Buffer | string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
