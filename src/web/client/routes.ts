/**
 * Hash routes of the browser client (`#/` lobby, `#/r/CODE` room, `#/r/CODE/watch` spectate), and
 * what every page receives from the application shell.
 */
import type { Session } from './session';

export type Route = { page: 'lobby' } | { page: 'room'; code: string; spectate: boolean };

export interface AppContext {
  session: Session;
  route: Route;
  /** Changes the hash (which routes). */
  navigate(hash: string): void;
  /** Routes again (after sign-in, or when the route's page must be rebuilt). */
  refresh(): void;
}

const CODE = /^[A-Za-z0-9]{4,12}$/;

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'r' && parts[1] && CODE.test(parts[1])) {
    return { page: 'room', code: parts[1].toUpperCase(), spectate: parts[2] === 'watch' };
  }
  return { page: 'lobby' };
}

export function roomHash(code: string, spectate = false): string {
  return `#/r/${code}${spectate ? '/watch' : ''}`;
}
