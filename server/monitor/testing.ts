/**
 * Test and benchmark support: a minimal client for tRPC subscriptions over SSE (Node 20 has no
 * EventSource), reading the stream the way a browser's EventSource would; and the CPU usage
 * counters read straight from their files, to check the monitor's values against.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import superjson from 'superjson';

/**
 * A cgroup's CPU usage in µs from the text of its counter file, parsed apart from the samplers:
 * v1 cpuacct.usage (ns, cut to whole µs as the samplers do), v2 cpu.stat usage_usec.
 */
export function cpuUsageUsec(version: 1 | 2, text: string): number {
  return version === 1 ? Math.floor(Number(text.trim()) / 1000) : Number(/^usage_usec (\d+)$/m.exec(text)?.[1]);
}

/** The CPU usage counter in the cgroup directory `dir`, µs: its cpuacct.usage where there is one, else cpu.stat. */
export async function cpuUsageUsecIn(dir: string): Promise<number> {
  const v1 = await readFile(path.join(dir, 'cpuacct.usage'), 'utf8').catch(() => null);
  return v1 !== null ? cpuUsageUsec(1, v1) : cpuUsageUsec(2, await readFile(path.join(dir, 'cpu.stat'), 'utf8'));
}

export interface SseMessage {
  event: string;
  id: string | null;
  data: string;
}

export function subscriptionUrl(baseUrl: string, procedure: string, input: unknown, lastEventId?: string): string {
  const q = new URLSearchParams({ input: JSON.stringify(superjson.serialize(input)) });
  if (lastEventId) q.set('lastEventId', lastEventId);
  return `${baseUrl}/api/trpc/${procedure}?${q.toString()}`;
}

/** The messages of one SSE response, until the server ends it or `signal` aborts. */
export async function* readSse(url: string, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): AsyncGenerator<SseMessage, void, undefined> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...init.headers }, signal: init.signal });
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${await res.text().catch(() => '')}`);
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const msg: SseMessage = { event: 'message', id: null, data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') msg.event = v;
          else if (field === 'id') msg.id = v;
          else if (field === 'data') data.push(v);
        }
        msg.data = data.join('\n');
        if (msg.event === 'message' || msg.data !== '' || msg.id !== null) yield msg;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The data messages of a tRPC subscription, decoded with superjson. */
export async function* trpcSubscription<T>(
  baseUrl: string,
  procedure: string,
  input: unknown,
  init: { token?: string; lastEventId?: string; signal?: AbortSignal } = {},
): AsyncGenerator<{ id: string | null; data: T }, void, undefined> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  for await (const m of readSse(subscriptionUrl(baseUrl, procedure, input, init.lastEventId), { headers, signal: init.signal })) {
    if (m.event === 'serialized-error') throw new Error(`${procedure}: ${m.data}`);
    if (m.event !== 'message' || m.data === '') continue;
    yield { id: m.id, data: superjson.deserialize(JSON.parse(m.data) as Parameters<typeof superjson.deserialize>[0]) as T };
  }
}
