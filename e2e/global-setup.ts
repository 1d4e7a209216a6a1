import { trpcCall } from './api';
import { startServer, stateFile, writeState } from './server';

/**
 * Starts the server, and gives the admin a password through the real first-start path: the
 * one-time link the server printed, then auth.setPassword with that session.
 */
export default async function globalSetup() {
  process.env.CGDASH_E2E_STATE = stateFile();
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
  // Where the server put its managed root: teardown removes exactly that.
  const info = await trpcCall<{ hierarchies: { managedRootDir: string }[] }>(state.url, 'query', 'system.info', undefined, { token: state.adminToken });
  state.managedRootDirs = info.hierarchies.map((h) => h.managedRootDir);
  writeState(state);
  process.env.CGDASH_E2E_URL = state.url;
}
