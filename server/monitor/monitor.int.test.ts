/**
 * The monitor on the real kernel through the real API: an API server (startTestApiServer) with a
 * fresh managed cgroup root, cgroups and processes the test makes, the native sampler (or the
 * TypeScript one where the addon is not built), tRPC subscriptions read over SSE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import superjson from 'superjson';
import { readKernelFile, spawnMemoryHog, spawnTestProcess, type TestProcess } from '@/server/cgroup/testing';
import { exec } from '@/server/lib/exec';
import { startTestApiServer, type TestApiServer } from '@/server/testing/apiServer';
import type { MonitorEvent } from './events';
import type { HistoryResult, LiveFrame, MonitorStatus } from './monitor';
import { S } from './series';
import { cpuUsageUsec, trpcSubscription } from './testing';
import { decodeTopFrame } from './wire';

async function trpc<T>(server: TestApiServer, type: 'query' | 'mutation', procedure: string, input?: unknown): Promise<T> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` };
  const body = JSON.stringify(superjson.serialize(input));
  const res =
    type === 'query'
      ? await fetch(`${server.url}/api/trpc/${procedure}?input=${encodeURIComponent(body)}`, { headers })
      : await fetch(`${server.url}/api/trpc/${procedure}`, { method: 'POST', headers, body });
  const json = (await res.json()) as { result?: { data: Parameters<typeof superjson.deserialize>[0] }; error?: { json: { message: string } } };
  if (!res.ok || json.error) throw new Error(`${procedure}: ${json.error?.json.message ?? res.status}`);
  return superjson.deserialize(json.result!.data) as T;
}

/** Read a subscription until `pred` holds for a message (or the stream ends). */
async function until<T>(stream: AsyncGenerator<{ id: string | null; data: T }>, pred: (m: { id: string | null; data: T }) => boolean, maxMessages = 600) {
  for (let i = 0; i < maxMessages; i++) {
    const r = await stream.next();
    if (r.done) throw new Error('stream ended');
    if (pred(r.value)) return r.value;
  }
  throw new Error(`no matching message in ${maxMessages}`);
}

const cpuOf = (f: LiveFrame, ref: string) => f.values[ref]?.[S.cpuCores] ?? null;

describe('monitor on the real kernel, through the API', () => {
  let server: TestApiServer;
  const procs: TestProcess[] = [];
  const ac = new AbortController();

  beforeAll(async () => {
    server = await startTestApiServer();
    await server.services.monitor.start();
  });

  afterAll(async () => {
    ac.abort();
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    await server?.close();
  });

  /** The CPU usage counter of `ref` in the kernel, seconds (v1: the cpuacct hierarchy, mounted apart from cpu on some hosts; v2: cpu.stat). */
  async function kernelCpuSeconds(ref: string): Promise<number> {
    const k = await readKernelFile(server.services.cgroups, ref, 'cpuacct', 'cpuacct.usage', 'cpu.stat').catch(() =>
      readKernelFile(server.services.cgroups, ref, 'cpu', 'cpuacct.usage', 'cpu.stat'),
    );
    return cpuUsageUsec(k.version, k.text) / 1e6;
  }

  /** `ref`'s container_cpu_usage_seconds_total in a /metrics body. */
  function metricCpuSeconds(body: string, ref: string): number {
    return Number(new RegExp(`^container_cpu_usage_seconds_total\\{id="/${server.cgroupRoot}/${ref}"[^}]*\\} (\\S+)$`, 'm').exec(body)?.[1]);
  }

  async function metricsBody(): Promise<string> {
    return (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } })).text();
  }

  /** Some CPU in `ref` (a busy loop until a live `stream` of it shows it), then none. */
  async function spendCpuThenStop(stream: AsyncGenerator<{ id: string | null; data: LiveFrame }>, ref: string): Promise<void> {
    const p = spawnTestProcess('sh', ['-c', 'while :; do :; done']);
    procs.push(p);
    await trpc(server, 'mutation', 'cgroups.move', { pid: p.pid, path: ref });
    await until(stream, (m) => (cpuOf(m.data, ref) ?? 0) > 0.1);
    p.kill();
    await p.exited;
  }

  it('says which sampler runs and how the sweeps go', async () => {
    await until(trpcSubscription<LiveFrame>(server.url, 'monitor.live', { refs: ['/'] }, { token: server.adminToken, signal: ac.signal }), () => true);
    const s = await trpc<MonitorStatus>(server, 'query', 'monitor.status');
    expect(s.running).toBe(true);
    expect(['native', 'ts']).toContain(s.sampler?.kind);
    expect(s.sampler?.reason).toBeTruthy();
    expect(s.targets).toBeGreaterThan(1);
    expect(s.lastSweep).not.toBeNull();
    expect(s.eventLoop.current.p99Ms).toBeGreaterThanOrEqual(0);
  });

  it('shows a busy loop in a test cgroup at about one CPU, as one logical cgroup on every hierarchy', async () => {
    // A high weight (on the test root too: weights compete among siblings) so the loop gets its
    // CPU on a busy shared machine.
    await trpc(server, 'mutation', 'cgroups.setLimits', { path: '', limits: { cpuWeight: 10000 } });
    await trpc(server, 'mutation', 'cgroups.create', { path: 'busy', limits: { cpuWeight: 10000 } });
    const stream = trpcSubscription<LiveFrame>(server.url, 'monitor.live', { refs: ['busy'] }, { token: server.adminToken, signal: ac.signal });
    await until(stream, (m) => m.data.values.busy !== null);
    const p = spawnTestProcess('sh', ['-c', 'while :; do :; done']);
    procs.push(p);
    await trpc(server, 'mutation', 'cgroups.move', { pid: p.pid, path: 'busy' });
    const hit = await until(stream, (m) => (cpuOf(m.data, 'busy') ?? 0) >= 0.8);
    expect(cpuOf(hit.data, 'busy')).toBeLessThanOrEqual(1.2);

    const topStream = trpcSubscription<string>(server.url, 'monitor.top', undefined, { token: server.adminToken, signal: ac.signal });
    const top = decodeTopFrame((await until(topStream, () => true)).data);
    const rows = top.rows.filter((r) => r.ref === 'busy');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.path).toBe(`/${server.cgroupRoot}/busy`);
    expect(rows[0]!.pids).toBe(1);
    await topStream.return(undefined);
  });

  it('resumes a live stream after its last event id without gap or duplicate', async () => {
    const first = trpcSubscription<LiveFrame>(server.url, 'monitor.live', { refs: ['busy', '/'] }, { token: server.adminToken, signal: ac.signal });
    const a = (await first.next()).value!;
    const b = (await first.next()).value!;
    await first.return(undefined); // the connection drops
    const seq = (id: string | null) => Number(id?.split(':')[1]);
    expect(seq(b.id)).toBe(seq(a.id) + 1);
    await new Promise((r) => setTimeout(r, 2500)); // sweeps go on while the client is away
    const again = trpcSubscription<LiveFrame>(server.url, 'monitor.live', { refs: ['busy', '/'] }, { token: server.adminToken, lastEventId: b.id!, signal: ac.signal });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(seq((await again.next()).value!.id));
    expect(ids).toEqual([seq(b.id) + 1, seq(b.id) + 2, seq(b.id) + 3]);
    await again.return(undefined);

    // A history hands its last sweep to the live stream the same way.
    const h = await trpc<HistoryResult>(server, 'query', 'monitor.history', { refs: ['busy'], window: '1m' });
    expect(h.refs[0]!.t.length).toBeGreaterThan(1);
    expect(h.refs[0]!.t.length).toBeLessThanOrEqual(61);
    const cont = trpcSubscription<LiveFrame>(server.url, 'monitor.live', { refs: ['busy'] }, { token: server.adminToken, lastEventId: h.lastEventId!, signal: ac.signal });
    expect(seq((await cont.next()).value!.id)).toBe(seq(h.lastEventId) + 1);
    await cont.return(undefined);
  });

  it('flattens the CPU line at a quota set through the API, records who set it and the throttling', async () => {
    await trpc(server, 'mutation', 'cgroups.setLimits', { path: 'busy', limits: { cpus: 0.2 } });
    const { events } = await trpc<{ events: MonitorEvent[] }>(server, 'query', 'monitor.events', { types: ['limits_changed'], ref: 'busy' });
    expect(events[0]).toMatchObject({ type: 'limits_changed', ref: 'busy', actor: 'admin' });
    expect(events[0]!.message).toMatch(/cpuMaxQuotaUs=20000/);
    const stream = trpcSubscription<LiveFrame>(server.url, 'monitor.live', { refs: ['busy'] }, { token: server.adminToken, signal: ac.signal });
    // Three sweeps in a row at the quota (the first may straddle the change).
    let inRow = 0;
    await until(stream, (m) => {
      const cpu = cpuOf(m.data, 'busy');
      inRow = cpu !== null && cpu <= 0.26 && cpu >= 0.1 ? inRow + 1 : 0;
      return inRow >= 3;
    });
    await stream.return(undefined);
    const h = await trpc<HistoryResult>(server, 'query', 'monitor.history', { refs: ['busy'], window: '15m' });
    expect(h.refs[0]!.limits?.cpuQuotaCores).toBeCloseTo(0.2);
    const throttled = trpcSubscription<MonitorEvent>(server.url, 'monitor.eventsLive', { types: ['cpu_throttled'], ref: 'busy', lastEventId: '0' }, { token: server.adminToken, signal: ac.signal });
    const ev = await until(throttled, () => true);
    expect(ev.data).toMatchObject({ type: 'cpu_throttled', ref: 'busy' });
    await throttled.return(undefined);
    const diag = await trpc<{ findings: { title: string }[] }>(server, 'query', 'monitor.diagnose', { ref: 'busy' });
    expect(diag.findings.map((f) => f.title)).toContain('CPU quota throttling');
  });

  it('streams an OOM kill in a cgroup with a small memory max as an event', async () => {
    await trpc(server, 'mutation', 'cgroups.create', { path: 'oom', limits: { memoryMax: '48M' } });
    const events = trpcSubscription<MonitorEvent>(server.url, 'monitor.eventsLive', { types: ['oom_kill'] }, { token: server.adminToken, signal: ac.signal });
    const first = events.next(); // subscribed before the kill
    const hog = spawnMemoryHog(256);
    procs.push(hog);
    await hog.waitForOutput('ready');
    await trpc(server, 'mutation', 'cgroups.move', { pid: hog.pid, path: 'oom' });
    hog.send('alloc');
    expect(await hog.exited).toBe('SIGKILL');
    const ev = (await first).value!;
    expect(ev.data).toMatchObject({ type: 'oom_kill', ref: 'oom', severity: 'critical' });
    expect(ev.id).toBe(String(ev.data.id));
    await events.return(undefined);
    const listed = await trpc<{ events: MonitorEvent[] }>(server, 'query', 'monitor.events', { ref: 'oom' });
    expect(listed.events.map((e) => e.type)).toContain('oom_kill');
  });

  it('reads an idle subtree through its parent, and still gives each cgroup in it the kernel\'s own CPU counter', async () => {
    for (const path of ['quiet', 'quiet/a', 'quiet/b']) await trpc(server, 'mutation', 'cgroups.create', { path });
    const stream = trpcSubscription<LiveFrame>(server.url, 'monitor.live', { refs: ['quiet/a'] }, { token: server.adminToken, signal: ac.signal });
    await until(stream, (m) => m.data.values['quiet/a'] !== null);
    // Some CPU in quiet/a, then nothing: from then on no counter in quiet moves.
    await spendCpuThenStop(stream, 'quiet/a');
    await until(stream, (m) => cpuOf(m.data, 'quiet/a') === 0);
    await until(stream, () => true);
    await until(stream, () => true);
    await stream.return(undefined);
    const status = await trpc<MonitorStatus>(server, 'query', 'monitor.status');
    expect(status.cpuGates.gates).toBeGreaterThan(0);
    expect(status.cpuGates.skippedReads).toBeGreaterThan(0);

    const body = await metricsBody();
    for (const ref of ['quiet', 'quiet/a', 'quiet/b']) {
      expect({ ref, seconds: metricCpuSeconds(body, ref) }).toEqual({ ref, seconds: await kernelCpuSeconds(ref) });
    }
  });

  it('leaves out an idle cgroup beside a busy one through the busy one, and still gives it the kernel\'s own CPU counter', async () => {
    for (const path of ['lively', 'lively/busy', 'lively/idle']) await trpc(server, 'mutation', 'cgroups.create', { path });
    const stream = trpcSubscription<LiveFrame>(server.url, 'monitor.live', { refs: ['lively/busy', 'lively/idle'] }, { token: server.adminToken, signal: ac.signal });
    await until(stream, (m) => m.data.values['lively/idle'] !== null);
    // Some CPU in lively/idle, then none; lively/busy forks a short-lived process 20 times a second.
    await spendCpuThenStop(stream, 'lively/idle');
    const busy = spawnTestProcess('sh', ['-c', 'while :; do sleep 0.05; done']);
    procs.push(busy);
    await trpc(server, 'mutation', 'cgroups.move', { pid: busy.pid, path: 'lively/busy' });
    await until(stream, (m) => cpuOf(m.data, 'lively/idle') === 0 && (cpuOf(m.data, 'lively/busy') ?? 0) > 0);
    for (let i = 0; i < 3; i++) await until(stream, () => true);
    await stream.return(undefined);
    const status = await trpc<MonitorStatus>(server, 'query', 'monitor.status');
    expect(status.cpuGates.witnesses).toBeGreaterThan(0);

    const body = await metricsBody();
    expect({ ref: 'lively/idle', seconds: metricCpuSeconds(body, 'lively/idle') }).toEqual({ ref: 'lively/idle', seconds: await kernelCpuSeconds('lively/idle') });
    expect(metricCpuSeconds(body, 'lively/busy')).toBeGreaterThan(0);
    expect(metricCpuSeconds(body, 'lively/busy')).toBeLessThanOrEqual(await kernelCpuSeconds('lively/busy'));
    busy.kill();
    await busy.exited;
  });

  it('serves /metrics to an admin token only, in a format promtool accepts', async () => {
    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const body = await res.text();
    expect(body).toMatch(new RegExp(`container_cpu_usage_seconds_total\\{id="/${server.cgroupRoot}/busy",name="",image="",tenant="",cpu="total"\\} \\d`));
    expect(body).toMatch(new RegExp(`container_spec_cpu_quota\\{id="/${server.cgroupRoot}/busy"[^}]*\\} 20000`));
    expect(body).toMatch(/container_oom_events_total\{id="[^"]+\/oom"[^}]*\} [1-9]/);
    const check = await exec('promtool', ['check', 'metrics'], { input: body, timeoutMs: 60_000 });
    expect({ code: check.code, out: check.stdout + check.stderr }).toEqual({ code: 0, out: '' });
  });
});
