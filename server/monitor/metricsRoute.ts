/**
 * The /metrics HTTP handler. Scrapers authenticate with a bearer token: CGDASH_METRICS_TOKEN, or
 * the API token of an admin or of a viewer not scoped to a tenant (the metrics cover the whole
 * host). Anything else is 401.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AuthService } from '@/server/auth/service';
import { renderMetrics } from './metrics';
import type { Monitor } from './monitor';

export interface MetricsRouteDeps {
  monitor: Pick<Monitor, 'metricsSnapshot'>;
  auth: Pick<AuthService, 'authenticate'>;
  metricsToken: string | undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function bearerOf(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

export function mayScrape(deps: MetricsRouteDeps, bearer: string | undefined): boolean {
  if (!bearer) return false;
  if (deps.metricsToken && sameSecret(bearer, deps.metricsToken)) return true;
  const p = deps.auth.authenticate({ bearer });
  return p !== null && (p.role === 'admin' || (p.role === 'viewer' && p.tenant === null));
}

export function metricsHandler(deps: MetricsRouteDeps): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('cache-control', 'no-store');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('allow', 'GET, HEAD');
      res.end('method not allowed\n');
      return;
    }
    if (!mayScrape(deps, bearerOf(req))) {
      res.statusCode = 401;
      res.setHeader('www-authenticate', 'Bearer realm="cgdash metrics"');
      res.end('a bearer token is required: CGDASH_METRICS_TOKEN or an API token of an admin or viewer\n');
      return;
    }
    renderMetrics(deps.monitor.metricsSnapshot())
      .then(({ contentType, body }) => {
        res.setHeader('content-type', contentType);
        res.end(req.method === 'HEAD' ? undefined : body);
      })
      .catch((err: unknown) => {
        console.error('[metrics]', err);
        res.statusCode = 500;
        res.end('internal error\n');
      });
  };
}
