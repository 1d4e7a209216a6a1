import superjson from 'superjson';
import type { CliEnv } from './client';
import { readBody, request } from './http';

/**
 * Follow a tRPC subscription over its SSE stream. Node 20 has no EventSource, and the CLI
 * needs nothing of one but reading `data:` lines: messages carry superjson values, an
 * `event: serialized-error` carries the error shape, `event: return` ends the stream.
 */
export async function* subscribe<T>(env: CliEnv, procedure: string, input: unknown, signal?: AbortSignal): AsyncGenerator<T> {
  const query = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
  const res = await request(`${env.url}/api/trpc/${procedure}?input=${query}`, {
    headers: { accept: 'text/event-stream', ...(env.token ? { authorization: `Bearer ${env.token}` } : {}) },
    signal,
  });
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    const body = await readBody(res).catch(() => '');
    let message = `${status} ${res.statusMessage ?? ''}`;
    try {
      message = (JSON.parse(body) as { error?: { json?: { message?: string } } }).error?.json?.message ?? message;
    } catch {
      /* not JSON */
    }
    throw new Error(status === 401 ? 'not logged in: set CGDASH_TOKEN to an API token' : message);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (event === 'return') return;
      if (event === 'serialized-error') {
        const shape = superjson.deserialize(JSON.parse(data.join('\n'))) as { message?: string } | null;
        throw new Error(shape?.message ?? 'the server ended the stream with an error');
      }
      if (event === 'message' && data.length) yield superjson.deserialize(JSON.parse(data.join('\n'))) as T;
    }
  }
}
