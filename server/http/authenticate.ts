import type { IncomingMessage } from 'node:http';
import type { Services } from '../app';
import type { Principal } from '../auth/principal';
import { sessionCookieName } from '../auth/service';
import { originMatches, parseCookies } from './requests';

export type RequestAuth = { ok: true; principal: Principal } | { ok: false; status: 401 | 403; message: string };

/**
 * The same rules as the tRPC procedures, for plain routes and WebSockets: a session cookie or
 * a Bearer token; a foreign Origin is refused; a session-authenticated change (or any
 * WebSocket, which browsers open with cookies from any page) must come from our own origin.
 */
export function authenticateRequest(services: Services, req: IncomingMessage, options: { mutation: boolean }): RequestAuth {
  const authz = req.headers.authorization;
  const bearer = authz?.startsWith('Bearer ') ? authz.slice(7).trim() : undefined;
  const sessionSecret = parseCookies(req.headers.cookie)[sessionCookieName];
  const principal = services.auth.authenticate({ bearer, sessionSecret });
  if (req.headers.origin !== undefined && !originMatches(req)) return { ok: false, status: 403, message: 'cross-origin request refused' };
  if (!principal) return { ok: false, status: 401, message: 'log in first' };
  if (options.mutation && principal.via === 'session' && !originMatches(req)) {
    return { ok: false, status: 403, message: 'cross-origin request refused (no Origin header)' };
  }
  return { ok: true, principal };
}
