import { trpcCall } from './api';
import { startServer } from './server';

/**
 * Starts the server, and gives the admin a password through the real first-start path: the
 * one-time link the server printed, then auth.setPassword with that session.
 */
export default async function globalSetup() {
  const { state, loginUrl } = await startServer();
  const link = new URL(loginUrl).searchParams.get('token')!;
  const res = await fetch(`${state.url}/api/trpc/auth.loginWithLink`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: state.url },
    body: JSON.stringify({ json: { token: link } }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!res.ok || !cookie) throw new Error(`one-time link login failed: ${res.status} ${await res.text()}`);
  await trpcCall(state.url, 'mutation', 'auth.setPassword', { password: state.adminPassword }, { cookie });
  process.env.CGDASH_E2E_URL = state.url;
}
