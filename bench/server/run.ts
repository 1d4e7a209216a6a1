/**
 * Server benchmark: the whole built server (dist/server/main.mjs with the Next.js pages), a
 * throw-away data dir and a fresh test cgroup root holding 1000 cgroups (in every hierarchy), at
 * 1 Hz, with 5 SSE clients over real HTTP (3 × monitor.live, 2 × monitor.top). Measured over two
 * minutes of the server's own event-loop window, one right after a 45 s warm-up and one once the
 * server has been up 5 minutes (CGDASH_BENCH_STEADY_AFTER_S) and has read every cgroup's limits
 * once: V8 compiles the once-a-second code paths only after minutes, the first limits read runs
 * in the background for minutes, and that one-off work is not what a long-running server costs:
 *  - CPU of the server process (all threads), from /proc/PID/stat;
 *  - event-loop delay p99 (monitor.status: perf_hooks.monitorEventLoopDelay);
 *  - RSS (/proc/PID/status, the highest seen);
 *  - latency from a kernel counter change to a client: a busy process is moved into a fresh
 *    cgroup at a known time; the time until a live client sees CPU > 0 there.
 * Goals: CPU < 3 % of a core (steady state), lag p99 < 20 ms, RSS < 250 MB, latency < interval + 300 ms.
 *
 *   node scripts/build-server.mjs && npx next build     (once)
 *   npx tsx bench/server/run.ts                          (as root; writes bench/out/server-<date>.md)
 *
 * CGDASH_BENCH_COMPARE=dist/server/other.mjs runs a second build beside this one, on the same
 * cgroups with the same clients, and reports both CPU figures from the same minute: on a shared
 * machine the ratio of two builds is far steadier than either figure run by run.
 * CGDASH_BENCH_COMPARE_NATIVE=path/to/cgdash_sampler.node gives that build its own addon.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import superjson from 'superjson';
import { createTestRoot, spawnTestProcess, type TestProcess, type TestRoot } from '@/server/cgroup/testing';
import type { LiveFrame, MonitorStatus } from '@/server/monitor/monitor';
import { S } from '@/server/monitor/series';
import { trpcSubscription } from '@/server/monitor/testing';
import { waitForReady } from '@/server/testing/serverProcess';
import { decodeTopFrame } from '@/server/monitor/wire';
import { machineFacts } from '../sampler/machine';

const CGROUPS = 1000;
/** Test cgroups with a light steady activity (CGDASH_BENCH_ACTIVE_CGROUPS; 0: all idle). */
const ACTIVE_CGROUPS = Number(process.env.CGDASH_BENCH_ACTIVE_CGROUPS ?? 0);
const INTERVAL_MS = 1000;
const LIVE_CLIENTS = 3;
const TOP_CLIENTS = 2;
const LATENCY_ROUNDS = 5;
const WARMUP_MS = 45_000;
/** The steady-state minute starts after this much server uptime. */
const STEADY_AFTER_MS = Number(process.env.CGDASH_BENCH_STEADY_AFTER_S ?? 300) * 1000;
/** The steady minute waits this long at most for every cgroup's limits to be known. */
const LIMITS_FILL_MAX_MS = 20 * 60_000;
const GOALS = { cpuPct: 3, lagP99Ms: 20, rssMb: 250, latencyMs: INTERVAL_MS + 300 };
/** Controllers a process can join without setup (cpuset would need cpus and mems first). */
const JOIN = ['cpu', 'cpuacct', 'memory', 'blkio', 'pids'];

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');
const outDir = path.join(here, '..', 'out');
const CLK_TCK = 100; // USER_HZ on every Linux port we run on

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
}

/** CPU ticks of the whole process, and of its main (JavaScript) thread alone. */
async function cpuTicks(pid: number): Promise<{ all: number; main: number }> {
  return {
    all: ticksOf(await readFile(`/proc/${pid}/stat`, 'utf8')),
    main: ticksOf(await readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8')),
  };
}

/** CPU ticks of each thread alive now, by "main" or "<comm>#<tid>" (Node names every other thread "node"). */
async function ticksByThread(pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    try {
      const [stat, comm] = await Promise.all([readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8'), readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8')]);
      out.set(Number(tid) === pid ? 'main' : `${comm.trim()}#${tid}`, ticksOf(stat));
    } catch {
      // the thread ended between readdir and read
    }
  }
  return out;
}

/** % of a core per thread between two ticksByThread readings (a thread gone by the end is not counted). */
function threadShares(before: Map<string, number>, after: Map<string, number>, seconds: number): string {
  return [...after]
    .map(([thread, ticks]): [string, number] => [thread, ((ticks - (before.get(thread) ?? 0)) / CLK_TCK / seconds) * 100])
    .filter(([, pct]) => pct >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([thread, pct]) => `${thread} ${pct.toFixed(2)}`)
    .join(', ');
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) / 1024;
}

async function trpcQuery<T>(url: string, token: string, procedure: string, input?: unknown): Promise<T> {
  const q = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
  const res = await fetch(`${url}/api/trpc/${procedure}?input=${q}`, { headers: { authorization: `Bearer ${token}` } });
  const json = (await res.json()) as { result?: { data: Parameters<typeof superjson.deserialize>[0] }; error?: unknown };
  if (!res.ok || !json.result) throw new Error(`${procedure}: ${res.status} ${JSON.stringify(json.error)}`);
  return superjson.deserialize(json.result.data) as T;
}

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function startServer(env: Record<string, string>, entry = 'dist/server/main.mjs'): Promise<Server> {
  // CGDASH_BENCH_PROFILE=DIR: a V8 CPU profile of the server, written when it stops.
  const profile = process.env.CGDASH_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CGDASH_BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, entry], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const { match, output } = await waitForReady(child, /listening on (http:\/\/\S+)/, 120_000);
  return { child, url: match[1]!, output };
}

/** The bench's SSE clients on one server: `LIVE_CLIENTS` live views and `TOP_CLIENTS` top views. */
function attachClients(url: string, token: string, signal: AbortSignal): { counts: { n: number }[]; drains: Promise<void>[] } {
  const counts = Array.from({ length: LIVE_CLIENTS + TOP_CLIENTS }, () => ({ n: 0 }));
  const drains: Promise<void>[] = [];
  for (let i = 0; i < LIVE_CLIENTS; i++) {
    drains.push(drain(trpcSubscription<LiveFrame>(url, 'monitor.live', { refs: ['/', `c${i}`, `c${i + 10}`] }, { token, signal }), counts[i]!));
  }
  for (let i = 0; i < TOP_CLIENTS; i++) drains.push(drain(trpcSubscription<string>(url, 'monitor.top', undefined, { token, signal }), counts[LIVE_CLIENTS + i]!));
  return { counts, drains };
}

interface Measured {
  label: string;
  uptimeS: number;
  seconds: number;
  cpuPct: number;
  mainPct: number;
  /** The CGDASH_BENCH_COMPARE build's CPU over the same minute. */
  otherPct: number | null;
  byThread: string;
  lag: { p50Ms: number; p99Ms: number; maxMs: number };
  msgs: number;
  /** cpuGates at the end of the minute: parents read first, witnesses read around them, CPU reads the last sweep left out. */
  cpuGates: MonitorStatus['cpuGates'];
}

/** Drain a subscription in the background, counting messages. */
function drain<T>(gen: AsyncGenerator<T>, count: { n: number }): Promise<void> {
  return (async () => {
    try {
      for await (const _m of gen) count.n++;
    } catch {
      /* aborted at the end */
    }
  })();
}

async function main(): Promise<void> {
  if (!existsSync(path.join(projectRoot, 'dist/server/main.mjs')) || !existsSync(path.join(projectRoot, '.next/BUILD_ID'))) {
    throw new Error('build first: node scripts/build-server.mjs && npx next build');
  }
  const suffix = randomBytes(4).toString('hex');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-bench-server-'));
  const runDir = `/run/cgdash-test-bench-${suffix}`;
  const token = `cgd_bench_${randomBytes(24).toString('base64url')}`;
  const ac = new AbortController();
  const procs: TestProcess[] = [];
  let root: TestRoot | null = null;
  let server: Server | null = null;
  let other: Server | null = null;
  const compareEntry = process.env.CGDASH_BENCH_COMPARE;
  try {
    root = await createTestRoot();
    const hierarchyDirs = root.dirs();
    /** Moves a process into the test cgroup `name` in every hierarchy it can join without setup. */
    const joinTestCgroup = async (name: string, pid: number) => {
      for (const [j, h] of root!.detection.hierarchies.entries()) {
        if (h.version === 2 || h.controllers.some((c) => JOIN.includes(c))) await writeFile(path.join(hierarchyDirs[j]!, name, 'cgroup.procs'), String(pid));
      }
    };
    for (const d of hierarchyDirs) for (let i = 0; i < CGROUPS; i++) await mkdir(path.join(d, `c${i}`));

    const envFor = async (data: string, run: string) => ({
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      CGDASH_DATA_DIR: data,
      CGDASH_RUN_DIR: run,
      CGDASH_CGROUP_ROOT: root!.name,
      CGDASH_ADMIN_TOKEN: token,
      CGDASH_SAMPLE_INTERVAL_MS: String(INTERVAL_MS),
      NEXT_TELEMETRY_DISABLED: '1',
    });
    const startedAt = Date.now();
    server = await startServer(await envFor(dataDir, runDir));
    if (compareEntry) {
      // CGDASH_BENCH_COMPARE_NATIVE: that build's own sampler addon, when the addon's ABI changed since.
      const native: Record<string, string> = process.env.CGDASH_BENCH_COMPARE_NATIVE ? { CGDASH_NATIVE_SAMPLER: process.env.CGDASH_BENCH_COMPARE_NATIVE } : {};
      other = await startServer({ ...(await envFor(`${dataDir}-other`, `${runDir}-other`)), ...native }, compareEntry);
    }
    const pid = server.child.pid!;
    const url = server.url;
    const status = () => trpcQuery<MonitorStatus>(url, token, 'monitor.status');
    for (let i = 0; (await status()).targets < CGROUPS; i++) {
      if (i > 600) throw new Error('the monitor never saw the test cgroups');
      await sleep(200);
    }

    const { counts, drains } = attachClients(url, token, ac.signal);
    if (other) drains.push(...attachClients(other.url, token, ac.signal).drains);

    // A light, steady activity in the first test cgroups (a shell forking `sleep` 5 times a
    // second): their parent's CPU counter moves every sweep, so cpuGates can leave out the idle
    // siblings only through the busy ones read around the parent (its witnesses).
    for (let i = 0; i < ACTIVE_CGROUPS; i++) {
      const p = spawnTestProcess('sh', ['-c', 'while :; do sleep 0.2; done']);
      procs.push(p);
      await joinTestCgroup(`c${i}`, p.pid);
    }
    process.stdout.write(`server pid ${pid} at ${url}; ${CGROUPS} cgroups (${ACTIVE_CGROUPS} active); warming up ${WARMUP_MS / 1000} s\n`);
    await sleep(WARMUP_MS);

    // One minute: from one end of the server's lag window to the next.
    // Polls sparingly: each request costs the server CPU (an API token is hashed per request).
    const windowEnd = async (after: number) => {
      const s0 = await status();
      await sleep(Math.max(0, s0.eventLoop.current.fromMs + 60_000 - Date.now() - 300));
      for (;;) {
        const s = await status();
        if (s.eventLoop.lastWindow && s.eventLoop.lastWindow.toMs > after) return s;
        await sleep(100);
      }
    };
    let maxRss = await rssMb(pid);
    const rssTimer = setInterval(() => void rssMb(pid).then((r) => (maxRss = Math.max(maxRss, r))), 2000);
    const measureWindow = async (label: string): Promise<Measured> => {
      const first = await windowEnd(Date.now());
      const threads0 = await ticksByThread(pid);
      const ticks0 = await cpuTicks(pid);
      const otherTicks0 = other ? await cpuTicks(other.child.pid!) : null;
      const t0 = performance.now();
      const msgs0 = counts.reduce((a, c) => a + c.n, 0);
      const second = await windowEnd(first.eventLoop.lastWindow!.toMs);
      const ticks1 = await cpuTicks(pid);
      const otherTicks1 = other ? await cpuTicks(other.child.pid!) : null;
      const threads1 = await ticksByThread(pid);
      const seconds = (performance.now() - t0) / 1000;
      const pct = (a: number, b: number) => ((b - a) / CLK_TCK / seconds) * 100;
      const m: Measured = {
        label,
        uptimeS: Math.round((Date.now() - startedAt) / 1000),
        seconds,
        cpuPct: pct(ticks0.all, ticks1.all),
        mainPct: pct(ticks0.main, ticks1.main),
        otherPct: otherTicks0 && otherTicks1 ? pct(otherTicks0.all, otherTicks1.all) : null,
        byThread: threadShares(threads0, threads1, seconds),
        lag: second.eventLoop.lastWindow!,
        msgs: counts.reduce((a, c) => a + c.n, 0) - msgs0,
        cpuGates: second.cpuGates,
      };
      process.stdout.write(
        `${label} (server up ${m.uptimeS} s), ${seconds.toFixed(1)} s: CPU ${m.cpuPct.toFixed(2)} % (main thread ${m.mainPct.toFixed(2)} %)` +
          `${m.otherPct === null ? '' : `, ${compareEntry} ${m.otherPct.toFixed(2)} % (ratio ${(m.cpuPct / m.otherPct).toFixed(2)})`}` +
          `, lag p99 ${m.lag.p99Ms} ms, ${m.msgs} SSE messages\n  by thread: ${m.byThread}\n`,
      );
      return m;
    };
    // The first minutes include V8 compiling the 1 Hz paths (they take minutes to get hot) and
    // the background read of every cgroup's limits (at 0.25 % of wall time until all are known);
    // the steady minute, after STEADY_AFTER_MS of uptime and that first read, is what a
    // long-running server costs.
    const early = await measureWindow('first minutes');
    await sleep(Math.max(0, startedAt + STEADY_AFTER_MS - Date.now()));
    let limitsKnownAtS: number | null = null;
    // The build beside this one too, so that both minutes hold the same kind of work.
    const limitsKnown = async (at: string) => {
      const s = await trpcQuery<MonitorStatus>(at, token, 'monitor.status');
      return s.limits.known >= s.targets;
    };
    while (Date.now() - startedAt < LIMITS_FILL_MAX_MS) {
      if ((await limitsKnown(url)) && (!other || (await limitsKnown(other.url)))) {
        limitsKnownAtS = Math.round((Date.now() - startedAt) / 1000);
        break;
      }
      await sleep(10_000); // sparingly: each status request costs the server CPU
    }
    const steady = await measureWindow('steady state');
    clearInterval(rssTimer);

    // Latency from a kernel counter change to a client.
    const latencies: number[] = [];
    for (let r = 0; r < LATENCY_ROUNDS; r++) {
      const name = `lat${r}`;
      for (const d of hierarchyDirs) await mkdir(path.join(d, name));
      const live = trpcSubscription<LiveFrame>(url, 'monitor.live', { refs: [name] }, { token, signal: ac.signal });
      for (;;) {
        const m = await live.next();
        if (m.done) throw new Error('live stream ended');
        if (m.value.data.values[name]) break; // the monitor knows the cgroup and we are subscribed
      }
      const busy = spawnTestProcess('sh', ['-c', 'while :; do :; done']);
      procs.push(busy);
      await sleep(300 + Math.random() * INTERVAL_MS); // a random phase against the sweep grid
      const moveAt = performance.now();
      await joinTestCgroup(name, busy.pid);
      for (;;) {
        const m = await live.next();
        if (m.done) throw new Error('live stream ended');
        if ((m.value.data.values[name]?.[S.cpuCores] ?? 0) > 0) break;
      }
      latencies.push(performance.now() - moveAt);
      await live.return(undefined);
      busy.kill();
      await busy.exited;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    const worst = sorted.at(-1) ?? NaN;

    const top = decodeTopFrame((await trpcSubscription<string>(url, 'monitor.top', undefined, { token, signal: ac.signal }).next()).value!.data);
    const final = await status();
    const facts = await machineFacts(root.detection.mode, root.detection.hierarchies);
    const date = new Date().toISOString().replace(/:\d\d\.\d+Z$/, '').replace(':', '');
    const ok = (v: number, goal: number) => (v < goal ? 'yes' : '**no**');
    const report = [
      `# Server benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `- command: \`npx tsx bench/server/run.ts\` (after \`node scripts/build-server.mjs && npx next build\`)`,
      `- machine: ${facts.cpuModel}, ${facts.cores} cores; ${facts.kernel}; Node ${facts.node}; load average ${facts.loadAverage} (shared machine)`,
      `- cgroups: ${facts.cgroupMode} — ${facts.hierarchies}`,
      `- server: dist/server/main.mjs with Next.js, ${final.sampler?.kind} sampler (${final.sampler?.reason}), every ${INTERVAL_MS} ms; ${final.targets} cgroups monitored (${CGROUPS} test cgroups in every hierarchy + the host's), ${final.hot} read in full, ${top.rows.length} in a top frame`,
      `- activity: ${ACTIVE_CGROUPS === 0 ? 'the test cgroups are idle' : `${ACTIVE_CGROUPS} test cgroup(s) with a shell forking sleep 5 times a second (CGDASH_BENCH_ACTIVE_CGROUPS), the rest idle`}`,
      `- clients: ${LIVE_CLIENTS} × monitor.live (3 cgroups each), ${TOP_CLIENTS} × monitor.top, SSE over HTTP on loopback; ${steady.msgs} messages in the steady minute`,
      `- method: ${WARMUP_MS / 1000} s warm-up, then one event-loop window of the server (the first minutes: up ${early.uptimeS} s at its end), and another once the server has been up ${STEADY_AFTER_MS / 1000} s and knows every cgroup's limits (steady state: up ${steady.uptimeS} s); CPU = Δ(utime+stime) of /proc/PID/stat (all threads, the sampler's included); lag = monitorEventLoopDelay over the same window; RSS = highest VmRSS sampled every 2 s over both. Latency: a busy process moved into a fresh cgroup at a random phase of the sweep grid, until a live client sees CPU > 0 there (${LATENCY_ROUNDS} rounds).`,
      `- sweep: ${final.avgSweepMs.toFixed(1)} ms on average, of it main-thread work ${final.avgPlanMs.toFixed(1)} ms before and ${final.avgProcessMs.toFixed(1)} ms after sampling (the rest is waiting for the sampler threads); discovery: ${final.discovery?.watching ? `${final.discovery.watches} inotify watches` : `polling (${final.discovery?.watchProblem})`}, list() ${final.discovery?.lastListMs} ms, reconciled every ${Math.round((final.discovery?.reconcileEveryMs ?? 0) / 1000)} s; limits of every cgroup known ${limitsKnownAtS === null ? `not yet after ${LIMITS_FILL_MAX_MS / 60_000} min (${final.limits.known} so far)` : `by ${limitsKnownAtS} s of uptime`}`,
      ...[early, steady].map((m) => `- ${m.label}: CPU by thread (% of one core; the main thread, then the others by thread id): ${m.byThread}`),
      `- CPU reads left out because the parent's counter did not move, or only by its witnesses' (server/monitor/cpuGates.ts), in the last sweep of each minute: ${[early, steady].map((m) => `${m.cpuGates.skippedReads} of ${final.targets} (${m.cpuGates.gates} parents read first, ${m.cpuGates.witnesses} witnesses read around them)`).join('; ')}`,
      ...(steady.otherPct !== null && early.otherPct !== null
        ? [`- compared with ${compareEntry} beside it (same cgroups, clients and minutes): it took ${early.otherPct.toFixed(2)} % and ${steady.otherPct.toFixed(2)} %; this build / that build = ${(early.cpuPct / early.otherPct).toFixed(2)} (first minutes), ${(steady.cpuPct / steady.otherPct).toFixed(2)} (steady)`]
        : []),
      '',
      '| figure | value | goal | met |',
      '| --- | ---: | ---: | :---: |',
      ...[early, steady].map(
        (m) =>
          `| CPU (% of one core), all threads, ${m.label} | ${m.cpuPct.toFixed(2)} (main thread ${m.mainPct.toFixed(2)}, sampler, libuv and V8 threads ${(m.cpuPct - m.mainPct).toFixed(2)}) | < ${GOALS.cpuPct} | ${m === steady ? ok(m.cpuPct, GOALS.cpuPct) : '(warm-up)'} |`,
      ),
      ...[early, steady].map((m) => `| event-loop delay p99 (ms), ${m.label} | ${m.lag.p99Ms} (p50 ${m.lag.p50Ms}, max ${m.lag.maxMs}) | < ${GOALS.lagP99Ms} | ${ok(m.lag.p99Ms, GOALS.lagP99Ms)} |`),
      `| RSS (MB) | ${maxRss.toFixed(0)} | < ${GOALS.rssMb} | ${ok(maxRss, GOALS.rssMb)} |`,
      `| counter change → client (ms), median / worst | ${median.toFixed(0)} / ${worst.toFixed(0)} (${sorted.map((v) => v.toFixed(0)).join(', ')}) | < ${GOALS.latencyMs} | ${ok(worst, GOALS.latencyMs)} |`,
      '',
    ].join('\n');
    process.stdout.write(`\n${report}\n`);
    await mkdir(outDir, { recursive: true });
    const file = path.join(outDir, `server-${date}.md`);
    await writeFile(file, report);
    process.stdout.write(`written to ${path.relative(projectRoot, file)}\n`);
    ac.abort();
    await Promise.race([Promise.all(drains), sleep(3000)]);
  } finally {
    ac.abort();
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    for (const s of [server, other]) {
      if (!s) continue;
      s.child.kill('SIGTERM');
      await Promise.race([new Promise((r) => s.child.once('exit', r)), sleep(15_000)]);
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    }
    await root?.cleanup();
    for (const dir of [dataDir, runDir, `${dataDir}-other`, `${runDir}-other`]) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
