/**
 * The API server as `server/main.ts` starts it, without the Next.js pages: for the test that
 * runs it as an unprivileged user (server/readonly.int.test.ts). Prints its URL, then serves
 * until killed.
 */
import { createServices } from '../app';
import { bootstrapAdmin } from '../auth/bootstrap';
import { startHttpServer } from '../http/server';
import { loadSettings } from '../settings';

const settings = loadSettings();
const services = await createServices(settings);
const http = await startHttpServer({ ...services, settings: { ...settings, PORT: 0 }, cgroupMode: services.cgroups.mode }, { web: false });
bootstrapAdmin(services.auth, { adminToken: settings.CGDASH_ADMIN_TOKEN, baseUrl: http.url });
console.log(JSON.stringify({ url: http.url, readOnlyReason: settings.readOnlyReason }));
