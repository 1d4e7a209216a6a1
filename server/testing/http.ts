import superjson from 'superjson';

export interface CallAuth {
  token?: string;
  cookie?: string;
  /** The Origin header to send; a browser sends its page's origin with every POST. */
  origin?: string;
}

export interface CallResult {
  status: number;
  /** The deserialized result, or the error's message. */
  data: unknown;
  error: { message: string; code: string } | null;
}

/** Call a tRPC procedure over real HTTP, as the browser or the CLI does, and keep the status. */
export async function callProcedure(baseUrl: string, type: 'query' | 'mutation' | 'subscription', path: string, input: unknown, auth: CallAuth = {}): Promise<CallResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.origin) headers.origin = auth.origin;
  const body = JSON.stringify(superjson.serialize(input));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    const res =
      type === 'mutation'
        ? await fetch(`${baseUrl}/api/trpc/${path}`, { method: 'POST', headers, body, signal: controller.signal })
        : await fetch(`${baseUrl}/api/trpc/${path}?input=${encodeURIComponent(body)}`, { headers: type === 'subscription' ? { ...headers, accept: 'text/event-stream' } : headers, signal: controller.signal });
    if (type === 'subscription' && res.ok) {
      // An allowed subscription streams: read until its first real event (or a quiet moment).
      const text = await readFirstEvents(res.body!, 3000);
      controller.abort();
      const err = /event: serialized-error\ndata: (.*)\n/.exec(text);
      if (err) {
        const shape = superjson.deserialize(JSON.parse(err[1]!)) as { message: string; data?: { code?: string; httpStatus?: number } };
        return { status: shape.data?.httpStatus ?? 500, data: null, error: { message: shape.message, code: shape.data?.code ?? '' } };
      }
      return { status: 200, data: text, error: null };
    }
    const json = (await res.json().catch(() => null)) as { result?: { data: unknown }; error?: { json: { message: string; data?: { code?: string } } } } | null;
    if (json?.error) return { status: res.status, data: null, error: { message: json.error.json.message, code: json.error.json.data?.code ?? '' } };
    return { status: res.status, data: json?.result ? superjson.deserialize(json.result.data as never) : null, error: null };
  } catch (err) {
    if ((err as Error).name === 'AbortError') return { status: 200, data: 'stream', error: null };
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function readFirstEvents(body: ReadableStream<Uint8Array>, quietMs: number): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const complete = () => text.split('\n\n').slice(0, -1).filter((b) => b.trim() && !b.startsWith('event: connected') && !b.startsWith(':'));
  while (complete().length === 0) {
    const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), quietMs))]);
    if (next === null || next.done) break;
    text += decoder.decode(next.value, { stream: true });
  }
  void reader.cancel().catch(() => undefined);
  return text;
}
