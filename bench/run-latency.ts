/**
 * Wall time of `run --rm busybox true` through the engine (network none: conmon, runc create,
 * runc start, exit seen, runc delete, rootfs removed) next to `runc run` of a bundle prepared
 * once (runc alone: create + start + wait + delete). Ten runs each, in one process, on one
 * cgroup test root.  Run: npx tsx bench/run-latency.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execOk } from '@/server/lib/exec';
import type { StateChange } from '@/server/runtime/engine';
import { buildOciConfig } from '@/server/runtime/oci';
import { parseContainerSpec } from '@/server/runtime/spec';
import { hostCapabilities, hostNofileLimit } from '@/server/runtime/host-refs';
import { unmountAllUnder } from '@/server/runtime/images/rootfs';
import { createTestEngine, removeSharedImages } from '@/server/runtime/testing';

const runs = 10;

function stats(ms: number[]): string {
  const avg = ms.reduce((a, b) => a + b, 0) / ms.length;
  const sorted = [...ms].sort((a, b) => a - b);
  return `avg ${avg.toFixed(0)} ms  (min ${sorted[0]?.toFixed(0)}, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)}, max ${sorted.at(-1)?.toFixed(0)})`;
}

async function main(): Promise<void> {
  const t = await createTestEngine();
  const engine = t.engine;
  try {
    // warm-up: the unpacked-image cache and the page cache, for both paths alike
    const warm = await engine.run({ image: 'busybox', command: ['true'] });
    await engine.wait(warm.id);
    await engine.remove(warm.id);

    const engineMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const removed = new Promise<void>((resolve) => {
        const on = (c: StateChange) => {
          if (c.to === 'removed') {
            engine.events.off('state', on);
            resolve();
          }
        };
        engine.events.on('state', on);
      });
      const rec = await engine.run({ image: 'busybox', command: ['true'], autoRemove: true, network: 'none' });
      await removed;
      engineMs.push(performance.now() - t0);
      if (engine.list({ all: true }).some((r) => r.id === rec.id)) throw new Error('--rm container still listed');
    }

    // runc alone on a bundle prepared once (same config builder, same defaults)
    const bundle = path.join(t.dataDir, 'bench-bundle');
    await engine.images.unpack('busybox', bundle);
    const spec = parseContainerSpec({ image: 'busybox', command: ['true'] });
    const image = (await engine.images.get('busybox')).config.config ?? {};
    const runcRoot = path.join(t.runDir, 'bench-runc');
    await mkdir(runcRoot, { recursive: true });
    const runcMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const id = `bench-${randomBytes(6).toString('hex')}`;
      const config = buildOciConfig(spec, image, {
        cgroupsPath: `${t.root.name}/bench/${id}`,
        hostname: id.slice(0, 12),
        namespacePaths: {},
        cgroupVersion: 1,
        nofile: await hostNofileLimit(),
        availableCaps: await hostCapabilities(),
      });
      await writeFile(path.join(bundle, 'config.json'), JSON.stringify(config));
      const t0 = performance.now();
      await execOk('runc', ['--root', runcRoot, 'run', '--bundle', bundle, id]);
      runcMs.push(performance.now() - t0);
    }

    const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
    console.log(`run --rm busybox true, ${runs} runs each, ${os.cpus().length} CPUs, load average ${load}`);
    console.log(`  engine (conmon + runc, --rm):  ${stats(engineMs)}`);
    console.log(`  runc run (prepared bundle):    ${stats(runcMs)}`);
    console.log(`  engine overhead per run:       ${(engineMs.reduce((a, b) => a + b, 0) / runs - runcMs.reduce((a, b) => a + b, 0) / runs).toFixed(0)} ms`);
    // The bundle's rootfs is an overlay over the unpacked image: unmount it before removing.
    await unmountAllUnder(bundle);
    await rm(bundle, { recursive: true, force: true });
  } finally {
    await t.cleanup();
    await removeSharedImages();
  }
}

await main();
