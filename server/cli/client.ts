import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../api/root';
import { httpFetch } from './http';

export type ApiClient = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface CliEnv {
  url: string;
  token: string | undefined;
}

export function cliEnv(env: Record<string, string | undefined> = process.env): CliEnv {
  return { url: (env.CGDASH_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''), token: env.CGDASH_TOKEN || undefined };
}

export function createClient({ url, token }: CliEnv): ApiClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/api/trpc`,
        transformer: superjson,
        fetch: httpFetch as unknown as typeof fetch,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

/** One clear line for any failure: what went wrong and, where obvious, what to do. */
export function describeError(err: unknown, env: CliEnv): string {
  if (err instanceof TRPCClientError) {
    const code = (err.data as { code?: string } | undefined)?.code;
    const cause = (err.cause as { code?: string; cause?: { code?: string } } | undefined);
    const netCode = cause?.code ?? cause?.cause?.code;
    if (netCode === 'ECONNREFUSED' || /fetch failed/.test(err.message)) {
      return `cannot reach the cgdash server at ${env.url} (is it running? set CGDASH_URL)`;
    }
    if (code === 'UNAUTHORIZED') {
      return env.token
        ? 'the server refused CGDASH_TOKEN (revoked or wrong?): create a new one under Settings → API tokens'
        : 'not logged in: set CGDASH_TOKEN to an API token (Settings → API tokens in the console)';
    }
    const fieldErrors = (err.data as { fieldErrors?: Record<string, string[] | undefined> } | undefined)?.fieldErrors;
    const first = fieldErrors && Object.entries(fieldErrors).find(([, v]) => v?.length);
    if (first) return `${first[0]}: ${first[1]![0]}`;
    return err.message;
  }
  const code = (err as { code?: string } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return `cannot reach the cgdash server at ${env.url} (is it running? set CGDASH_URL)`;
  }
  return err instanceof Error ? err.message : String(err);
}
