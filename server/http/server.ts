import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import next from 'next';
import { createContextFactory } from '../api/context';
import { appRouter } from '../api/root';
import type { Services } from '../app';
import { sessionCookieName } from '../auth/service';
import { metricsHandler } from '../monitor/metricsRoute';
import { imageImportRoute } from './imageImport';
import { terminalUpgradeHandler } from './terminal';
import { parseCookies } from './requests';
import { findProjectRoot } from './projectRoot';

/** Paths served without a session: the login page and what it needs to render. */
function isPublicPath(pathname: string, dev: boolean): boolean {
  if (dev && (pathname.startsWith('/_next/') || pathname.startsWith('/__nextjs'))) return true;
  return (
    pathname === '/login' ||
    pathname.startsWith('/_next/static/') ||
    pathname.startsWith('/_next/image') ||
    pathname === '/favicon.ico' ||
    pathname === '/icon.svg'
  );
}

const securityHeaders: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'content-security-policy': "frame-ancestors 'none'",
};

export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export interface HttpServer {
  server: http.Server;
  url: string;
  /** Routes for WebSocket upgrades (terminals, live streams); each returns true when it took the request. */
  upgradeHandlers: UpgradeHandler[];
  /** Extra GET routes outside tRPC and Next (/metrics). */
  routes: Map<string, http.RequestListener>;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** Serve the Next.js pages (false in API-only integration tests, which need no build). */
  web?: boolean;
}

export async function startHttpServer(services: Services & { cgroupMode: string }, options: HttpServerOptions = {}): Promise<HttpServer> {
  const { settings } = services;
  const dev = settings.CGDASH_DEV === '1';
  const nextApp = options.web === false ? null : next({ dev, dir: findProjectRoot(), hostname: settings.HOST, port: settings.PORT });
  await nextApp?.prepare();
  const handleNext: http.RequestListener = nextApp
    ? nextApp.getRequestHandler()
    : (_req, res) => {
        res.statusCode = 404;
        res.end('not found\n');
      };
  const createContext = createContextFactory(services);
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    createContext,
    // No API input comes near this; a bigger body is refused before it is parsed.
    maxBodySize: 1024 * 1024,
    // SSE keeps a connection per subscriber: ping so proxies do not cut idle streams.
    // (tRPC sends these as comments; the client resets its reconnect timer on each.)
  });
  const upgradeHandlers: UpgradeHandler[] = [];
  const routes = new Map<string, http.RequestListener>();
  routes.set('/metrics', metricsHandler({ monitor: services.monitor, auth: services.auth, metricsToken: settings.CGDASH_METRICS_TOKEN }));
  const importRoute = imageImportRoute(services);
  routes.set('/api/images/import', (req, res) => void importRoute(req, res));
  upgradeHandlers.push(terminalUpgradeHandler(services));

  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(securityHeaders)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    if (pathname === '/healthz') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
      res.end(JSON.stringify({ ok: true, version: settings.version, cgroupMode: services.cgroupMode }));
      return;
    }
    if (pathname.startsWith('/api/trpc/')) {
      res.setHeader('cache-control', 'no-store');
      void trpc(req, res);
      return;
    }
    const route = routes.get(pathname);
    if (route) {
      route(req, res);
      return;
    }
    if (!isPublicPath(pathname, dev)) {
      const principal = services.auth.authenticate({ sessionSecret: parseCookies(req.headers.cookie)[sessionCookieName] });
      if (!principal) {
        res.statusCode = 303;
        res.setHeader('location', `/login?next=${encodeURIComponent(pathname + url.search)}`);
        res.end();
        return;
      }
    }
    void handleNext(req, res);
  });

  const nextUpgrade = dev && nextApp ? nextApp.getUpgradeHandler() : null;
  server.on('upgrade', (req, socket, head) => {
    for (const handler of upgradeHandlers) if (handler(req, socket, head)) return;
    if (nextUpgrade) void nextUpgrade(req, socket, head);
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.PORT, settings.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.PORT;
  const host = settings.HOST.includes(':') ? `[${settings.HOST}]` : settings.HOST;

  return {
    server,
    url: `http://${host}:${port}`,
    upgradeHandlers,
    routes,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Live streams never end on their own: give requests a moment, then cut what is left.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
        server.closeIdleConnections();
      });
      await nextApp?.close();
    },
  };
}
