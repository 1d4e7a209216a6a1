import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../app';
import type { Principal } from '../auth/principal';
import { sessionCookieName } from '../auth/service';
import { clientAddress, originMatches, parseCookies, serializeCookie } from '../http/requests';

export interface Context {
  services: Services;
  principal: Principal | null;
  ip: string;
  userAgent: string | undefined;
  /** The request's Origin header (if any) is this server's own. */
  sameOrigin: boolean;
  /** An Origin header was sent at all (browsers send one on every POST). */
  hasOrigin: boolean;
  setSessionCookie(secret: string): void;
  clearSessionCookie(): void;
  /** The session secret of this request, for logout. */
  sessionSecret: string | undefined;
}

export function createContextFactory(services: Services) {
  return ({ req, res }: { req: IncomingMessage; res: ServerResponse }): Context => {
    const cookies = parseCookies(req.headers.cookie);
    const sessionSecret = cookies[sessionCookieName];
    const authz = req.headers.authorization;
    const bearer = authz?.startsWith('Bearer ') ? authz.slice(7).trim() : undefined;
    const principal = services.auth.authenticate({ sessionSecret, bearer });
    const secure = services.settings.HOST !== '127.0.0.1' && req.headers['x-forwarded-proto'] === 'https';
    const appendCookie = (cookie: string) => {
      const prev = res.getHeader('set-cookie');
      res.setHeader('set-cookie', [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), cookie]);
    };
    return {
      services,
      principal,
      ip: clientAddress(req),
      userAgent: req.headers['user-agent'],
      hasOrigin: req.headers.origin !== undefined,
      sameOrigin: originMatches(req),
      sessionSecret,
      setSessionCookie: (secret) =>
        appendCookie(serializeCookie(sessionCookieName, secret, { httpOnly: true, sameSite: 'Strict', path: '/', secure, maxAgeSec: 7 * 24 * 3600 })),
      clearSessionCookie: () =>
        appendCookie(serializeCookie(sessionCookieName, '', { httpOnly: true, sameSite: 'Strict', path: '/', secure, maxAgeSec: 0 })),
    };
  };
}
