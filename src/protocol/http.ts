/**
 * What the HTTP API's identity routes return (SPEC §3), as the browser client reads them.
 * Type-only; src/protocol/conformance.ts checks them against the token service (src/auth/tokens.ts).
 */

/** The signed-in user: the token's `sub` (as `id`), `name` and `roles`. */
export interface User {
  id: string;
  name: string;
  roles: string[];
}

/** `POST /api/auth/guest` (201). */
export interface GuestReply {
  token: string;
  user: User;
}

/** `GET /api/auth/me`. */
export interface MeReply {
  user: User;
}
