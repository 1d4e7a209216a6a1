/**
 * Every tRPC procedure, the terminal WebSocket, the image upload and /metrics, called without a
 * session, as a member of another tenant and as a viewer: refused, and nothing changed. The
 * table below must name every procedure of the router, so a new one cannot ship unchecked.
 */
import { readdir } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../auth/secrets';
import type { ContainerRecord } from '../runtime';
import { callProcedure, type CallAuth } from '../testing/http';
import { removeAllContainers } from '../runtime/testing';
import { startTestApiServer, type TestApiServer } from '../testing/apiServer';
import { appRouter } from './root';

type Kind = 'query' | 'mutation' | 'subscription';

/**
 * How a tenant member of another tenant is answered:
 *  'denied'   403 or 404 (another tenant's things are "not found");
 *  'own'      allowed, but only their own things come back (checked: nothing of tenant A);
 *  'allowed'  their own account, or a harmless action in their own slice.
 */
type MemberRule = 'denied' | 'own' | 'allowed';

interface Case {
  input: (f: Fixture) => unknown;
  member: MemberRule;
  /** A viewer may do this although it is a mutation (their own account). */
  viewerMay?: boolean;
}

interface Fixture {
  containerA: ContainerRecord;
  userAId: number;
  tokenAId: number;
}

const A = 'sec-a';
const B = 'sec-b';
const imageA = 'sec-a-image:1';

const cases: Record<string, Case> = {
  'auth.me': { input: () => undefined, member: 'allowed' },
  'auth.login': { input: () => ({ name: 'nobody', password: 'x' }), member: 'allowed' },
  'auth.loginWithLink': { input: () => ({ token: 'l_not-a-real-link' }), member: 'allowed' },
  'auth.logout': { input: () => undefined, member: 'allowed', viewerMay: true },
  'auth.setPassword': { input: () => ({ password: 'a-new-password-0', currentPassword: 'wrong' }), member: 'allowed', viewerMay: true },
  'auth.tokens.list': { input: () => undefined, member: 'own' },
  'auth.tokens.create': { input: () => ({ name: 'probe' }), member: 'allowed', viewerMay: true },
  'auth.tokens.revoke': { input: (f) => ({ id: f.tokenAId }), member: 'denied', viewerMay: true },
  'cgroups.list': { input: () => undefined, member: 'denied' },
  'cgroups.get': { input: () => ({ path: `tenants/${A}` }), member: 'denied' },
  'cgroups.create': { input: () => ({ path: 'sec-probe' }), member: 'denied' },
  'cgroups.remove': { input: () => ({ path: `tenants/${A}`, kill: true }), member: 'denied' },
  'cgroups.setLimits': { input: () => ({ path: `tenants/${A}`, limits: { pidsMax: 5 } }), member: 'denied' },
  'cgroups.move': { input: (f) => ({ pid: f.containerA.pid, path: `tenants/${B}` }), member: 'denied' },
  'monitor.status': { input: () => undefined, member: 'denied' },
  'monitor.history': { input: () => ({ refs: [`tenants/${A}`], window: '1m' }), member: 'denied' },
  'monitor.live': { input: () => ({ refs: [`tenants/${A}`] }), member: 'denied' },
  'monitor.top': { input: () => undefined, member: 'denied' },
  'monitor.limits': { input: () => ({ refs: [`tenants/${A}`] }), member: 'denied' },
  'monitor.diagnose': { input: () => ({ ref: `tenants/${A}` }), member: 'denied' },
  'monitor.events': { input: () => ({ ref: `tenants/${A}/` }), member: 'denied' },
  'monitor.eventsLive': { input: () => ({ ref: `tenants/${A}/` }), member: 'denied' },
  'namespaces.list': { input: () => undefined, member: 'denied' },
  'namespaces.get': { input: (f) => ({ inode: f.containerA.pid ?? 1 }), member: 'denied' },
  'namespaces.netns.list': { input: () => undefined, member: 'denied' },
  'namespaces.netns.add': { input: () => ({ name: 'cgdash-test-secprobe' }), member: 'denied' },
  'namespaces.netns.remove': { input: () => ({ name: 'cgdash-test-secprobe' }), member: 'denied' },
  'namespaces.interfaces': { input: () => ({ host: true }), member: 'denied' },
  'processes.list': { input: () => undefined, member: 'denied' },
  'processes.get': { input: (f) => ({ pid: f.containerA.pid }), member: 'denied' },
  'system.info': { input: () => undefined, member: 'denied' },
  'tenants.list': { input: () => undefined, member: 'own' },
  'tenants.get': { input: () => ({ name: A }), member: 'denied' },
  'tenants.preview': { input: () => ({ name: A, limits: { pidsMax: 5 } }), member: 'denied' },
  'tenants.create': { input: () => ({ name: 'sec-c' }), member: 'denied' },
  'tenants.update': { input: () => ({ name: A, limits: { pidsMax: 5 } }), member: 'denied' },
  'tenants.remove': { input: () => ({ name: A, force: true }), member: 'denied' },
  'tenants.adopt': { input: (f) => ({ name: B, pids: [f.containerA.pid] }), member: 'denied' },
  'users.list': { input: () => undefined, member: 'denied' },
  'users.create': { input: () => ({ name: 'mallory', role: 'admin', password: 'mallory-password-1' }), member: 'denied' },
  'users.disable': { input: (f) => ({ id: f.userAId }), member: 'denied' },
  'users.enable': { input: (f) => ({ id: f.userAId }), member: 'denied' },
  'users.setPassword': { input: (f) => ({ id: f.userAId, password: 'taken-over-1234' }), member: 'denied' },
  'users.remove': { input: (f) => ({ id: f.userAId }), member: 'denied' },
  'audit.list': { input: () => ({}), member: 'denied' },
  'audit.export': { input: () => ({}), member: 'denied' },
  'containers.list': { input: () => ({ all: true }), member: 'own' },
  'containers.get': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.inspect': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.create': { input: () => ({ spec: { image: 'busybox', tenant: A, command: ['true'] }, start: false }), member: 'denied' },
  'containers.start': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.stop': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.restart': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.kill': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.pause': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.unpause': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.remove': { input: (f) => ({ ref: f.containerA.id, force: true }), member: 'denied' },
  'containers.wait': { input: (f) => ({ ref: f.containerA.id, timeoutMs: 100 }), member: 'denied' },
  'containers.update': { input: (f) => ({ ref: f.containerA.id, limits: { pidsLimit: 5 } }), member: 'denied' },
  'containers.move': { input: (f) => ({ ref: f.containerA.id, tenant: B }), member: 'denied' },
  'containers.commit': { input: (f) => ({ ref: f.containerA.id, target: 'stolen:1' }), member: 'denied' },
  'containers.top': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.logs': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.followLogs': { input: (f) => ({ ref: f.containerA.id }), member: 'denied' },
  'containers.attach': { input: (f) => ({ ref: f.containerA.id, start: true }), member: 'denied' },
  'containers.run': { input: () => ({ spec: { image: 'busybox', tenant: A, command: ['true'] } }), member: 'denied' },
  'containers.exec': { input: (f) => ({ ref: f.containerA.id, cmd: ['true'] }), member: 'denied' },
  'images.list': { input: () => undefined, member: 'own' },
  'images.inspect': { input: () => ({ ref: imageA }), member: 'denied' },
  'images.tag': { input: () => ({ source: imageA, target: 'stolen:1' }), member: 'denied' },
  'images.remove': { input: () => ({ ref: imageA }), member: 'denied' },
  // Image names are one namespace on the host: pulling over another tenant's tag is a conflict.
  'images.pull': { input: () => ({ ref: imageA }), member: 'denied' },
  'networks.list': { input: () => undefined, member: 'own' },
  'networks.create': { input: () => ({ name: 'secprobe' }), member: 'denied' },
  'networks.remove': { input: () => ({ name: 'cgdash0' }), member: 'denied' },
};

const publicProcedures = new Set(['auth.me', 'auth.login', 'auth.loginWithLink']);
/** Subscriptions that change things (attach with start). */
const mutatingSubscriptions = new Set(['containers.attach', 'containers.run']);

const procedures = Object.entries((appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: Kind } }> } })._def.procedures).map(
  ([path, p]) => ({ path, type: p._def.type }),
);

describe('security: every procedure, WebSocket and /metrics', () => {
  let server: TestApiServer;
  let fixture: Fixture;
  const tokens: Record<'member' | 'viewer' | 'memberA', string> = { member: '', viewer: '', memberA: '' };
  let adminCookie = '';

  beforeAll(async () => {
    server = await startTestApiServer();
    const { auth, tenants, containers, engine } = server.services;
    await tenants.create({ name: A, limits: { pidsMax: 200 } });
    await tenants.create({ name: B, limits: { pidsMax: 200 } });
    const userA = auth.users.create({ name: 'sally', role: 'member', tenant: A, passwordHash: await hashPassword('sally-password-1') });
    const userB = auth.users.create({ name: 'joe', role: 'member', tenant: B, passwordHash: await hashPassword('joe-password-12') });
    const viewer = auth.users.create({ name: 'vic', role: 'viewer', passwordHash: await hashPassword('vic-password-12') });
    const tokenA = auth.tokens.create(userA.id, 'a');
    tokens.memberA = tokenA.secret;
    tokens.member = auth.tokens.create(userB.id, 'b').secret;
    tokens.viewer = auth.tokens.create(viewer.id, 'v').secret;
    const admin = auth.users.firstAdmin()!;
    await auth.setPassword(admin.id, 'admin-password-1');
    adminCookie = `cgdash_session=${(await auth.login(admin.name, 'admin-password-1', { ip: '127.0.0.1' })).secret}`;
    const sally = { name: 'sally', role: 'member' as const, tenant: A };
    const containerA = await containers.create(sally, { image: 'busybox', name: 'sally-web', command: ['sleep', '3600'] }, { start: true });
    await engine.images.ensureBusybox();
    await containers.tagImage(sally, 'busybox', imageA);
    fixture = { containerA: engine.get(containerA.id), userAId: userA.id, tokenAId: tokenA.token.id };
  }, 120_000);

  afterAll(async () => {
    if (server) await removeAllContainers(server.services.engine); // before their image
    await server?.services.engine.images.remove(imageA).catch(() => {});
    await server?.close();
  }, 120_000);

  /** Whatever the probes did, tenant A is exactly as it was. */
  async function expectAUntouched() {
    const { engine, tenants, auth } = server.services;
    const c = engine.get(fixture.containerA.id);
    expect(c.state).toBe('running');
    expect(c.pid).toBe(fixture.containerA.pid);
    expect(c.spec.limits.pidsLimit).toBeUndefined();
    expect(tenants.get(A).limits.pidsMax).toBe(200);
    expect(auth.users.byId(fixture.userAId)).toMatchObject({ disabled: false, role: 'member' });
    expect(auth.authenticate({ bearer: tokens.memberA })?.name).toBe('sally');
    expect(auth.users.list().map((u) => u.name)).not.toContain('mallory');
    expect(tenants.list().map((t) => t.name)).toEqual([A, B]);
    expect((await engine.images.list()).flatMap((i) => i.repoTags)).not.toContain('stolen:1');
    expect((await readdir('/run/netns').catch((): string[] => [])).includes('cgdash-test-secprobe')).toBe(false);
    await expect(server.services.cgroups.get('sec-probe')).rejects.toMatchObject({ kind: 'not_found' });
  }

  it('the table names every procedure of the router, and nothing else', () => {
    expect(Object.keys(cases).sort()).toEqual(procedures.map((p) => p.path).sort());
  });

  it('without a session or token: 401 for everything but the login procedures', async () => {
    for (const { path, type } of procedures) {
      if (publicProcedures.has(path)) continue;
      const r = await callProcedure(server.url, type, path, cases[path]!.input(fixture));
      expect({ path, status: r.status }).toEqual({ path, status: 401 });
    }
    await expectAUntouched();
  }, 300_000);

  it('as a member of another tenant: refused or not found, or only their own things', async () => {
    for (const { path, type } of procedures) {
      const rule = cases[path]!.member;
      const r = await callProcedure(server.url, type, path, cases[path]!.input(fixture), { token: tokens.member });
      if (rule === 'denied') {
        const denied = [403, 404].includes(r.status) || (path === 'images.pull' && r.status === 409);
        expect({ path, status: r.status, denied }).toMatchObject({ path, denied: true });
      } else if (rule === 'own') {
        expect({ path, status: r.status }).toEqual({ path, status: 200 });
        const text = JSON.stringify(r.data, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        expect({ path, leaks: [fixture.containerA.id, 'sally-web', A, imageA].filter((s) => text.includes(s)) }).toEqual({ path, leaks: [] });
      } else {
        expect({ path, unauthenticated: r.status === 401 }).toEqual({ path, unauthenticated: false });
      }
    }
    await expectAUntouched();
  }, 300_000);

  it('as a viewer: every mutation refused with 403 (their own account aside)', async () => {
    for (const { path, type } of procedures) {
      const mutating = type === 'mutation' || mutatingSubscriptions.has(path);
      if (!mutating || publicProcedures.has(path) || cases[path]!.viewerMay) continue;
      const r = await callProcedure(server.url, type, path, cases[path]!.input(fixture), { token: tokens.viewer });
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
    }
    await expectAUntouched();
  }, 300_000);

  it('a cross-origin mutation with a valid admin session is refused and changes nothing', async () => {
    const evil: CallAuth = { cookie: adminCookie, origin: 'http://evil.example' };
    for (const [path, input] of [
      ['tenants.update', { name: A, limits: { pidsMax: 5 } }],
      ['containers.remove', { ref: fixture.containerA.id, force: true }],
      ['users.disable', { id: fixture.userAId }],
    ] as const) {
      expect((await callProcedure(server.url, 'mutation', path, input, evil)).status).toBe(403);
    }
    // No Origin at all on a cookie-authenticated change: refused too (a browser always sends one).
    expect((await callProcedure(server.url, 'mutation', 'tenants.update', { name: A, limits: { pidsMax: 5 } }, { cookie: adminCookie })).status).toBe(403);
    await expectAUntouched();
  });

  function openTerminal(query: string, headers: Record<string, string>): Promise<{ status: number | 'open' }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/exec?${query}`, { headers });
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.on('open', () => {
        ws.close();
        resolve({ status: 'open' });
      });
      ws.on('error', () => resolve({ status: 0 }));
    });
  }

  it('the terminal WebSocket: no session 401, another tenant 404, a foreign origin 403, a viewer 403', async () => {
    const q = `container=${fixture.containerA.id}&cmd=sh`;
    expect((await openTerminal(q, {})).status).toBe(401);
    expect((await openTerminal(q, { authorization: `Bearer ${tokens.member}` })).status).toBe(404);
    expect((await openTerminal(q, { authorization: `Bearer ${tokens.viewer}` })).status).toBe(403);
    expect((await openTerminal(q, { cookie: adminCookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await openTerminal(q, { cookie: adminCookie })).status).toBe(403);
    expect((await openTerminal(q, { cookie: adminCookie, origin: server.url })).status).toBe('open');
    expect((await openTerminal(q, { authorization: `Bearer ${tokens.memberA}` })).status).toBe('open');
  });

  it('/metrics and the image upload: refused without the right credentials', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect([401, 403]).toContain((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${tokens.member}` } })).status);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } })).status).toBe(200);
    const upload = (headers: Record<string, string>, query = 'format=docker-archive&tag=upload-probe:1') =>
      fetch(`${server.url}/api/images/import?${query}`, { method: 'POST', headers: { 'content-type': 'application/x-tar', ...headers }, body: 'not a tarball' });
    expect((await upload({})).status).toBe(401);
    expect((await upload({ authorization: `Bearer ${tokens.viewer}` })).status).toBe(403);
    expect((await upload({ authorization: `Bearer ${tokens.member}` }, `format=docker-archive&tag=${encodeURIComponent(imageA)}`)).status).toBe(409);
    expect((await upload({ cookie: adminCookie, origin: 'http://evil.example' })).status).toBe(403);
    await expectAUntouched();
  });

  it('path traversal, shell metacharacters and oversized input are refused and change nothing', async () => {
    const admin = { token: server.adminToken };
    const member = { token: tokens.memberA };
    const refused = async (path: string, input: unknown, auth: CallAuth = admin) => {
      const r = await callProcedure(server.url, 'mutation', path, input, auth);
      expect({ path, input: JSON.stringify(input).slice(0, 80), status: r.status }).toMatchObject({ path, status: expect.toSatisfy((s: number) => s >= 400 && s < 500) });
    };
    for (const path of ['../../etc', 'a/../../b', '/../../x', 'ok/../../..', 'cgroup.procs', 'x/memory.max', '.hidden', 'a\0b']) {
      await refused('cgroups.create', { path });
    }
    await refused('containers.create', { spec: { image: 'busybox', volumes: ['/etc/../etc:/host-etc'] } }, member);
    await refused('containers.create', { spec: { image: 'busybox', volumes: ['relative/../x:/data'] } });
    await refused('containers.create', { spec: { image: 'busybox', volumes: ['/tmp:/../etc'] } });
    await refused('containers.create', { spec: { image: '../../etc/passwd' } });
    await refused('images.tag', { source: 'busybox', target: '../../escape' });
    for (const name of ['x; rm -rf /', '$(id)', '`id`', 'a|b', 'a&&b', "a'b", 'a b', '-rf']) {
      await refused('containers.create', { spec: { image: 'busybox', name, command: ['true'] }, start: false });
      await refused('tenants.create', { name });
      await refused('namespaces.netns.add', { name });
      await refused('networks.create', { name });
      await refused('users.create', { name, role: 'viewer', password: 'long-enough-password' });
    }
    await refused('containers.create', { spec: { image: 'busybox', name: 'x'.repeat(1_000_000) } });
    await refused('cgroups.create', { path: 'y'.repeat(5000) });
    await refused('tenants.create', { name: 'z'.repeat(100) });
    expect(server.services.engine.list({ all: true }).map((c) => c.name)).toEqual(['sally-web']);
    expect(server.services.network.list).toBeDefined();
    expect((await server.services.network.list()).map((n) => n.name)).not.toContain('secprobe');
    await expectAUntouched();
  }, 120_000);
});
