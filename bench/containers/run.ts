/**
 * Container start-up and density, end to end, in one run on one machine:
 *   1. `cgdash run --rm --network none busybox true` through the CLI and the server, next to a
 *      bare `runc run` of the same bundle (the config.json cgdash wrote) and next to
 *      `podman run --rm --network none` of the same image (podman from Debian, installed here
 *      for the bench only, with its own storage root under a temp dir). Runs interleave.
 *   2. 200 idle containers at once: server RSS, per-container memory overhead, `cgdash ps` time.
 * Run: node scripts/build-server.mjs && npx tsx bench/containers/run.ts   (as root)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeTestTree } from '@/server/cgroup/testing';
import { detectHierarchies, dirOf } from '@/server/cgroup/mounts';
import { hostNofileLimit } from '@/server/runtime/host-refs';
import { exec, execOk } from '@/server/lib/exec';
import { removeTestInstance, testInstance } from '@/server/testing/instance';
import { trpcCall } from '@/e2e/api';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const idleCount = Number(process.env.BENCH_IDLE ?? 200);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (mean ${mean(xs).toFixed(0)}, min ${Math.min(...xs).toFixed(0)})`;

async function timed(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  const r = await exec(file, args, { env: env ?? process.env, timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
  return ms;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function ensurePodman(): Promise<boolean> {
  if ((await exec('sh', ['-c', 'command -v podman']).catch(() => ({ code: 1 }))).code === 0) return true;
  const r = await exec('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'podman'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 600_000 });
  return r.code === 0;
}

async function main() {
  const instance = await testInstance();
  const adminToken = `cgd_bench_${randomBytes(24).toString('base64url')}`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn(process.execPath, [path.join(root, 'dist/server/main.mjs')], {
    env: { ...process.env, ...instance.env, PORT: String(port), CGDASH_ADMIN_TOKEN: adminToken, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  const cliEnv = { ...process.env, CGDASH_URL: url, CGDASH_TOKEN: adminToken };
  const cli = (args: string[]) => timed(process.execPath, [path.join(root, 'dist/cli.mjs'), ...args], cliEnv);
  const api = <T>(type: 'query' | 'mutation', proc: string, input: unknown) => trpcCall<T>(url, type, proc, input, { token: adminToken });
  const work = await mkdtemp(path.join(os.tmpdir(), 'cgdash-bench-'));
  const runcRoot = path.join(work, 'runc');
  const podmanArgs = ['--root', path.join(work, 'podman-storage'), '--runroot', path.join(work, 'podman-run'), '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  let managedRootDirs: string[] = [];
  const lines: string[] = [];
  try {
    for (let i = 0; i < 300 && !(await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)); i++) await new Promise((r) => setTimeout(r, 200));
    const info = await api<{ cgroupMode: string; hierarchies: { managedRootDir: string }[] }>('query', 'system.info', undefined);
    managedRootDirs = info.hierarchies.map((h) => h.managedRootDir);

    // The bundle cgdash writes for busybox true, run by runc alone.
    const probe = await api<{ id: string }>('mutation', 'containers.create', { spec: { image: 'busybox', command: ['true'], network: 'none' }, start: false });
    const bundle = path.join(work, 'bundle');
    // cp -a keeps the image's relative symlinks as they are (fs.cp would resolve them).
    await execOk('cp', ['-a', path.join(instance.dataDir, 'containers', probe.id), bundle]);
    await api('mutation', 'containers.remove', { ref: probe.id, force: true });
    const config = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as { linux: { cgroupsPath: string }; mounts: { destination: string; source: string }[] };
    // Same config, minus the per-container files cgdash bind-mounts (etc files in its bundle dir).
    config.mounts = config.mounts.filter((m) => !m.source.startsWith(instance.dataDir));
    await mkdir(runcRoot, { recursive: true });

    const havePodman = await ensurePodman();
    // Without CAP_SYS_RESOURCE a runtime cannot raise RLIMIT_NOFILE past the caller's own limit;
    // cgdash already gives containers that; podman needs telling.
    const nofile = await hostNofileLimit();
    const nproc = /^Max processes\s+\S+\s+(\d+|unlimited)/m.exec(await readFile('/proc/self/limits', 'utf8'))?.[1] ?? 'unlimited';
    // podman 4.3 gives containers 32768 processes by default; it cannot raise that here either.
    const nprocArg = String(Math.min(32768, nproc === 'unlimited' ? 32768 : Number(nproc)));
    if (havePodman) {
      const archive = path.join(work, 'busybox.tar');
      await execOk('skopeo', ['copy', `oci:${path.join(instance.dataDir, 'images')}:busybox:latest`, `docker-archive:${archive}:localhost/busybox:latest`]);
      await execOk('podman', [...podmanArgs, 'load', '-i', archive]);
    }

    const cgdashMs: number[] = [];
    const runcMs: number[] = [];
    const podmanMs: number[] = [];
    await cli(['run', '--rm', '--network', 'none', 'busybox', 'true']); // warm-up of every path
    for (let i = 0; i < runs; i++) {
      cgdashMs.push(await cli(['run', '--rm', '--network', 'none', 'busybox', 'true']));
      const id = `bench-${randomBytes(4).toString('hex')}`;
      config.linux.cgroupsPath = `${instance.cgroupRoot}/bench/${id}`;
      await writeFile(path.join(bundle, 'config.json'), JSON.stringify(config));
      runcMs.push(await timed('runc', ['--root', runcRoot, 'run', '--bundle', bundle, id]));
      if (havePodman) podmanMs.push(await timed('podman', [...podmanArgs, 'run', '--rm', '--network', 'none', '--runtime', 'runc', '--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nprocArg}:${nprocArg}`, `--cgroup-parent=/${instance.cgroupRoot}/podman`, 'localhost/busybox', 'true']));
    }
    const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    lines.push(
      `# Containers: start-up and density`,
      ``,
      `Command: \`node scripts/build-server.mjs && npx tsx bench/containers/run.ts\`. Machine: ${os.cpus().length} × ${cpu}, kernel ${os.release()}, cgroup ${info.cgroupMode}, load average ${load} (shared machine). ${runs} runs each, interleaved.`,
      ``,
      `| run --rm busybox true, --network none | median | ratio to runc |`,
      `| --- | --- | --- |`,
      `| bare \`runc run\` of the same bundle | ${fmt(runcMs)} | 1.00 |`,
      `| \`cgdash run --rm\` (CLI → server → conmon → runc) | ${fmt(cgdashMs)} | ${(median(cgdashMs) / median(runcMs)).toFixed(2)} |`,
      havePodman ? `| \`podman run --rm\` (Debian's podman 4.3, cgroupfs) | ${fmt(podmanMs)} | ${(median(podmanMs) / median(runcMs)).toFixed(2)} |` : `| podman | not installed | |`,
      ``,
    );
    console.log(lines.join('\n'));

    // Density: many idle containers.
    const serverBefore = await rssKiB(server.pid!);
    const ids: string[] = [];
    for (let i = 0; i < idleCount; i++) {
      const rec = await api<{ id: string; conmonPid: number | null; pid: number | null }>('mutation', 'containers.create', { spec: { image: 'busybox', command: ['sleep', '3600'], network: 'none' }, start: true });
      ids.push(rec.id);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const recs = await api<{ pid: number | null; conmonPid: number | null; state: string }[]>('query', 'containers.list', { all: true });
    const running = recs.filter((r) => r.state === 'running');
    const conmonKiB = (await Promise.all(running.map((r) => (r.conmonPid ? rssKiB(r.conmonPid).catch(() => 0) : 0)))).reduce((a, b) => a + b, 0);
    const initKiB = (await Promise.all(running.map((r) => (r.pid ? rssKiB(r.pid).catch(() => 0) : 0)))).reduce((a, b) => a + b, 0);
    const serverAfter = await rssKiB(server.pid!);
    const psMs: number[] = [];
    for (let i = 0; i < 5; i++) psMs.push(await cli(['ps']));
    const perContainer = (conmonKiB + initKiB + (serverAfter - serverBefore)) / running.length;
    const density = [
      `| ${idleCount} idle containers (busybox sleep) | figure |`,
      `| --- | --- |`,
      `| running | ${running.length} |`,
      `| server RSS before → after | ${(serverBefore / 1024).toFixed(0)} MiB → ${(serverAfter / 1024).toFixed(0)} MiB |`,
      `| conmon RSS, per container | ${(conmonKiB / running.length).toFixed(0)} KiB |`,
      `| container process RSS, per container | ${(initKiB / running.length).toFixed(0)} KiB |`,
      `| overhead per container (conmon + process + server growth / n) | ${perContainer.toFixed(0)} KiB |`,
      `| \`cgdash ps\` with ${running.length} running | ${fmt(psMs)} |`,
      ``,
    ];
    console.log(density.join('\n'));
    lines.push(...density);
    for (const id of ids) await api('mutation', 'containers.remove', { ref: id, force: true }).catch(() => undefined);
    await mkdir(path.join(root, 'bench/out'), { recursive: true });
    const out = path.join(root, 'bench/out', `containers-${new Date().toISOString().slice(0, 16).replace(/[:]/g, '')}.md`);
    await writeFile(out, lines.join('\n'));
    console.log(`written to ${path.relative(root, out)}`);
  } finally {
    for (const c of await api<{ id: string }[]>('query', 'containers.list', { all: true }).catch(() => [])) await api('mutation', 'containers.remove', { ref: c.id, force: true }).catch(() => undefined);
    await exec('podman', [...podmanArgs, 'system', 'reset', '--force']).catch(() => undefined);
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    const detection = await detectHierarchies({ managedRoot: instance.cgroupRoot });
    await removeTestTree(managedRootDirs.length ? managedRootDirs : detection.hierarchies.map((h) => dirOf(h, h.managedRoot)));
    // podman's cgroupfs manager takes the absolute cgroup-parent in every hierarchy, which on a
    // hybrid host is not where our (relative) managed root is: remove that one too.
    await removeTestTree(detection.hierarchies.map((h) => path.join(h.mountPoint, instance.cgroupRoot))).catch(() => undefined);
    await removeTestInstance(instance);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
