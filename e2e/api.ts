/** A tiny tRPC-over-HTTP caller for specs that set things up or check them without the UI. */
import superjson from 'superjson';

export async function trpcCall<T = unknown>(
  baseUrl: string,
  type: 'query' | 'mutation',
  procedure: string,
  input: unknown,
  auth: { token?: string; cookie?: string },
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) {
    headers.cookie = auth.cookie;
    headers.origin = baseUrl;
  }
  const body = JSON.stringify(superjson.serialize(input));
  const res =
    type === 'query'
      ? await fetch(`${baseUrl}/api/trpc/${procedure}?input=${encodeURIComponent(body)}`, { headers })
      : await fetch(`${baseUrl}/api/trpc/${procedure}`, { method: 'POST', headers, body });
  const json = (await res.json()) as { result?: { data: { json: unknown; meta?: unknown } }; error?: { json: { message: string } } };
  if (!res.ok || json.error) throw new Error(`${procedure}: ${json.error?.json.message ?? res.status}`);
  return superjson.deserialize(json.result!.data as Parameters<typeof superjson.deserialize>[0]) as T;
}
