import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Services } from '../app';
import { isCgdashError } from '../lib/errors';
import { authenticateRequest } from './authenticate';

/** Uploads larger than this are refused before they fill the disk. */
const maxBytes = 8 * 1024 ** 3;

function reply(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/**
 * POST /api/images/import?format=docker-archive|oci-archive[&tag=name:tag] with the tarball as
 * the body (what `docker save` writes). tRPC carries JSON, not files, hence a plain route.
 */
export function imageImportRoute(services: Services) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return reply(res, 405, { error: 'POST a docker-archive or oci-archive tarball' });
    const auth = authenticateRequest(services, req, { mutation: true });
    if (!auth.ok) return reply(res, auth.status, { error: auth.message });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const format = url.searchParams.get('format') ?? 'docker-archive';
    const tag = url.searchParams.get('tag') || undefined;
    if (format !== 'docker-archive' && format !== 'oci-archive') return reply(res, 400, { error: 'format must be docker-archive or oci-archive' });
    if (tag !== undefined && !/^[a-z0-9][a-z0-9._\-/:]{0,254}$/.test(tag)) return reply(res, 400, { error: 'tag: an image reference like app:v1' });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) return reply(res, 413, { error: `the upload is over ${maxBytes} bytes` });

    const dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-import-'));
    const file = path.join(dir, 'image.tar');
    try {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) req.destroy(new Error('upload too large'));
      });
      await pipeline(req, createWriteStream(file, { mode: 0o600 }));
      const image = await services.containers.importImage(auth.principal, file, { format, tag });
      services.auth.audit.record({ userId: auth.principal.userId, userName: auth.principal.name, action: 'images.import', target: image, params: { format, tag, bytes: received }, ip: req.socket.remoteAddress ?? null, result: 'ok', message: null });
      reply(res, 200, { image });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      services.auth.audit.record({ userId: auth.principal.userId, userName: auth.principal.name, action: 'images.import', target: tag ?? null, params: { format, tag }, ip: req.socket.remoteAddress ?? null, result: 'error', message });
      const status = isCgdashError(err) ? ({ invalid: 400, not_found: 404, busy: 409, conflict: 409, forbidden: 403, unavailable: 503, internal: 500 } as const)[err.kind] : 500;
      reply(res, status, { error: status === 500 && !isCgdashError(err) ? 'internal error' : message });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
