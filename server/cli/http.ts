import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/**
 * Requests over node:http. Node's fetch loads undici on first use, 40-60 ms of every CLI
 * command's start-up; the CLI needs only JSON requests and one streamed response.
 */
export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | null;
}

export function request(url: string, init: HttpRequest = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, { method: init.method ?? 'GET', headers: init.headers }, resolve);
    req.on('error', reject);
    if (init.signal) {
      if (init.signal.aborted) req.destroy(new Error('aborted'));
      init.signal.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
    }
    req.end(init.body);
  });
}

export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Enough of fetch for tRPC's httpLink, which reads only `json()` of the answer. */
export async function httpFetch(url: string | URL, init: { method?: string; headers?: unknown; body?: unknown; signal?: AbortSignal | null } = {}) {
  const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).filter(([, v]) => v !== undefined));
  const res = await request(String(url), { method: init.method, headers, body: init.body as string | undefined, signal: init.signal });
  const text = await readBody(res);
  return {
    ok: (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300,
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
  };
}
