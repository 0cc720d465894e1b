/**
 * Identity: HS256 JWTs with `sub`, `name`, `roles`. Guest tokens are issued here; tokens signed
 * with the same secret by a game's own account service are accepted alike (SPEC §3).
 */
import crypto from 'crypto';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { ArenaError } from '../protocol/errors';
import { nameString } from '../protocol/text';

/** The authenticated user behind a token. `id` is the token's `sub`. */
export interface User {
  id: string;
  name: string;
  roles: string[];
}

/** Display names: trimmed, 1–24 characters, well-formed, no control or invisible formatting characters. */
export const displayNameSchema = nameString(z.string().trim().min(1, 'name must not be empty').max(24, 'name must be at most 24 characters'), 'name');

const claimsSchema = z.object({
  // User ids key players in the rules' plain objects: none may be a name every object inherits.
  sub: nameString(z.string().min(1).max(128)).refine((sub) => !(sub in Object.prototype), 'must not be a built-in property name such as constructor or __proto__'),
  name: nameString(z.string().trim().min(1).max(64)),
  roles: z.array(nameString(z.string().max(32))).max(32).optional(),
});

const ALGORITHM = 'HS256';
/** Guest tokens last a week; a reconnecting player must still hold a valid one. */
export const GUEST_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

export interface TokenService {
  issueGuest(name: string): Promise<{ token: string; user: User }>;
  /** The one verification used by room `onAuth` and HTTP routes; throws UNAUTHORIZED. */
  verify(token: unknown): Promise<User>;
}

export function createTokenService(secret: string): TokenService {
  const key = new TextEncoder().encode(secret);

  async function issueGuest(name: string) {
    const user: User = { id: `g_${crypto.randomBytes(9).toString('base64url')}`, name, roles: [] };
    const token = await new SignJWT({ name: user.name, roles: user.roles })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime(`${GUEST_TOKEN_TTL_SECONDS}s`)
      .sign(key);
    return { token, user };
  }

  async function verify(token: unknown): Promise<User> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new ArenaError('UNAUTHORIZED', 'a token is required');
    }
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM] }));
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new ArenaError('UNAUTHORIZED', expired ? 'token expired' : 'invalid token');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const issue = claims.error.issues[0];
      throw new ArenaError('UNAUTHORIZED', `token claim "${issue.path.join('.')}" is not valid: ${issue.message}`);
    }
    return { id: claims.data.sub, name: claims.data.name, roles: claims.data.roles ?? [] };
  }

  return { issueGuest, verify };
}
