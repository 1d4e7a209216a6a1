/**
 * An API-only cgdash server for integration tests: real services against the real kernel,
 * a throw-away data dir, a fresh managed cgroup root, an admin API token; no Next.js build
 * needed. `close()` removes everything it made, whatever the test did.
 */
import { randomBytes } from 'node:crypto';
import { createServices, type Services } from '../app';
import { bootstrapAdmin } from '../auth/bootstrap';
import { removeTestTree } from '../cgroup/testing';
import { dirOf } from '../cgroup/mounts';
import { startHttpServer } from '../http/server';
import { removeAllContainers } from '../runtime/testing';
import { loadSettings } from '../settings';
import { removeTestInstance, testInstance } from './instance';

export interface TestApiServer {
  url: string;
  adminToken: string;
  services: Services;
  cgroupRoot: string;
  close(): Promise<void>;
}

export async function startTestApiServer(): Promise<TestApiServer> {
  const instance = await testInstance();
  const cgroupRoot = instance.cgroupRoot;
  const adminToken = `cgd_test_${randomBytes(24).toString('base64url')}`;
  const settings = loadSettings({ HOST: '127.0.0.1', PORT: '1', ...instance.env });
  const services = await createServices(settings);
  const http = await startHttpServer({ ...services, settings: { ...settings, PORT: 0 }, cgroupMode: services.cgroups.mode }, { web: false });
  bootstrapAdmin(services.auth, { adminToken, baseUrl: http.url });
  return {
    url: http.url,
    adminToken,
    services,
    cgroupRoot,
    async close() {
      await http.close();
      await removeAllContainers(services.engine);
      await services.close();
      await removeTestTree(services.cgroups.hierarchies.map((h) => dirOf(h, h.managedRoot)));
      await removeTestInstance(instance);
    },
  };
}
