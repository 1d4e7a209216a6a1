import { createServices } from './app';
import { bootstrapAdmin } from './auth/bootstrap';
import { startHttpServer } from './http/server';
import { loadSettings } from './settings';

async function main(): Promise<void> {
  const settings = loadSettings();
  const services = await createServices(settings);
  const mode = services.cgroups.mode;
  // The admin (and CGDASH_ADMIN_TOKEN) exist before the first request can arrive.
  const host = settings.HOST.includes(':') ? `[${settings.HOST}]` : settings.HOST;
  const { loginUrl, adminName } = bootstrapAdmin(services.auth, { adminToken: settings.CGDASH_ADMIN_TOKEN, baseUrl: `http://${host}:${settings.PORT}` });
  const http = await startHttpServer({ ...services, cgroupMode: mode });
  await services.monitor.start().catch((err: unknown) => console.error(`monitoring unavailable: ${err instanceof Error ? err.message : String(err)}`));

  console.log(`cgdash ${settings.version} listening on ${http.url} (cgroup ${mode})`);
  if (settings.readOnlyReason) console.warn(`read-only: ${settings.readOnlyReason}`);
  if (loginUrl) {
    console.log(`\nAdmin "${adminName}" has no password yet. Log in once with this link and set one:\n\n    ${loginUrl}\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    const timer = setTimeout(() => {
      console.error('shutdown took over 10 s, exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    await services.monitor.stop();
    await http.close();
    await services.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
