/**
 * The monitor end to end on the fixture hosts (cgroup v1 with per-hierarchy managed roots, and
 * v2), with the TypeScript sampler reading the fixture files and clocks the test drives: the
 * test writes kernel counters between sweeps and checks what the API gives.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCgroups, type CgroupManager } from '@/server/cgroup';
import { dirOf } from '@/server/cgroup/mounts';
import { copyFixture, fixtureRoots, type FixtureCopy } from '@/server/cgroup/testing';
import { openDatabase, type Db } from '@/server/db';
import { renderMetrics } from './metrics';
import { Monitor, type LiveFrame } from './monitor';
import { monitorMigrations } from './schema';
import { S } from './series';
import { decodeTopFrame, TopFrameDecoder } from './wire';

const MINUTE = 60_000;

for (const version of ['v1', 'v2'] as const) {
  describe(`Monitor on the ${version} fixture host`, () => {
    let copy: FixtureCopy;
    let cgroups: CgroupManager;
    let db: Db;
    let monitor: Monitor;
    let now = Math.floor(Date.UTC(2026, 5, 1, 12, 0, 0) / MINUTE) * MINUTE + 5_000;
    let mono = 1_000_000;
    let cpuUsec = 1_000_000;

    /** Where web's files are, per controller. */
    const webDir = (controller: string) => {
      const h = cgroups.hierarchies.find((x) => (version === 'v2' ? x.version === 2 : x.controllers.includes(controller)));
      if (!h) throw new Error(`no ${controller}`);
      return dirOf(h, path.posix.join(h.managedRoot, 'web'));
    };

    /** The CPU usage counter of a fixture cgroup directory, µs (v2 cpu.stat, v1 cpuacct.usage in ns). */
    async function addCpu(dir: string, usec: number, set?: number): Promise<void> {
      if (version === 'v2') {
        const file = path.join(dir, 'cpu.stat');
        const text = await readFile(file, 'utf8');
        const was = Number(/^usage_usec (\d+)$/m.exec(text)?.[1] ?? 0);
        await writeFile(file, text.replace(/^usage_usec \d+$/m, `usage_usec ${set ?? was + usec}`));
      } else {
        const file = path.join(dir, 'cpuacct.usage');
        const text = await readFile(file, 'utf8').catch(() => null);
        if (text === null) return; // a v1 hierarchy root without the file
        const was = Number(text.trim()) / 1000;
        await writeFile(file, `${(set ?? was + usec) * 1000}\n`);
      }
    }

    /**
     * Sets web's CPU usage as the kernel counts it: a parent's counter includes its children's,
     * so what web used is added to every ancestor's too. `remade`: web was removed and made
     * again, its counter starts from 0 (the ancestors keep what the old one used).
     */
    async function setCpu(usec: number, remade = false): Promise<void> {
      const used = remade ? usec : usec - cpuUsec;
      cpuUsec = usec;
      const web = webDir(version === 'v2' ? 'cpu' : 'cpuacct');
      await addCpu(web, 0, usec);
      const h = cgroups.hierarchies.find((x) => (version === 'v2' ? x.version === 2 : x.controllers.includes('cpuacct')))!;
      for (let dir = path.dirname(web); dir.startsWith(h.mountPoint); dir = path.dirname(dir)) await addCpu(dir, used);
    }

    /** An OOM kill in web, as the kernel counts it: on v2 in its own (.local) and its subtree's file. */
    async function setOomKills(n: number): Promise<void> {
      const files = version === 'v2' ? ['memory.events.local', 'memory.events'] : ['memory.oom_control'];
      for (const name of files) {
        const file = path.join(webDir('memory'), name);
        const text = await readFile(file, 'utf8');
        await writeFile(file, text.replace(/^oom_kill \d+$/m, `oom_kill ${n}`));
      }
    }

    async function sweep(): Promise<void> {
      now += 1000;
      mono += 1000;
      await monitor.sweepNow();
    }

    function makeMonitor(): Monitor {
      return new Monitor(
        { cgroups, db },
        { intervalMs: 1000, sampler: 'ts', autoSweep: false, watch: false, idleBackoff: false, targetsEveryMs: 0, clock: { nowMs: () => now, monoMs: () => mono } },
      );
    }

    beforeAll(async () => {
      copy = await copyFixture(version);
      cgroups = await openCgroups({ managedRoot: 'cgdash', ...fixtureRoots(copy.root) });
      db = openDatabase(':memory:', monitorMigrations);
      monitor = makeMonitor();
      await setCpu(cpuUsec);
      await monitor.start();
    });

    afterAll(async () => {
      await monitor?.stop();
      db?.close();
      await copy?.cleanup();
    });

    it('makes one logical cgroup of a managed cgroup spread over hierarchies, keyed by its managed path', async () => {
      await sweep();
      const status = monitor.status();
      expect(status.sampler?.kind).toBe('ts');
      const rows = decodeTopFrame(monitor.topJson()).rows;
      const web = rows.filter((r) => r.ref === 'web');
      expect(web).toHaveLength(1);
      expect(rows.some((r) => r.ref === '/')).toBe(true);
      expect(rows.some((r) => r.ref === '/system.slice')).toBe(true);
      // no absolute-path twin of a managed cgroup
      expect(rows.filter((r) => r.path.endsWith('/cgdash/web'))).toHaveLength(1);
    });

    it('turns cpu usage growth into cores, and restarts after a counter reset without a negative rate', async () => {
      await setCpu(cpuUsec + 500_000);
      await sweep();
      const a = monitor.history(['web'], '1m');
      const cpu = a.refs[0]!.series.cpuCores;
      expect(cpu.at(-1)).toBeCloseTo(0.5, 5);
      await setCpu(1000, true); // the cgroup was made again
      await sweep();
      expect(monitor.history(['web'], '1m').refs[0]!.series.cpuCores.at(-1)).toBeNull();
      await setCpu(1000 + 250_000);
      await sweep();
      const after = monitor.history(['web'], '1m').refs[0]!.series.cpuCores;
      expect(after.at(-1)).toBeCloseTo(0.25, 5);
      expect(after.every((v) => v === null || v >= 0)).toBe(true);
    });

    it('keeps memory and pids as gauges', () => {
      const h = monitor.history(['web'], '1m').refs[0]!;
      expect(h.series.memoryBytes.at(-1)).toBeGreaterThan(0);
      expect(h.series.pids.at(-1)).not.toBeNull();
    });

    it('records an OOM kill as an event of the cgroup', async () => {
      const before = await readFile(path.join(webDir('memory'), version === 'v2' ? 'memory.events.local' : 'memory.oom_control'), 'utf8');
      const kills = Number(/^oom_kill (\d+)$/m.exec(before)?.[1]);
      await setOomKills(kills + 1);
      await sweep();
      const { events } = monitor.listEvents({ types: ['oom_kill'] }, 10, null);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ ref: 'web', type: 'oom_kill', details: { count: 1 } });
      expect(monitor.listEvents({ ref: 'web' }, 10, null).events.map((e) => e.type)).toContain('oom_kill');
      expect(monitor.diagnose('web').findings[0]).toMatchObject({ severity: 'critical', title: 'Processes were OOM-killed' });
    });

    it('continues a history with live frames from its lastEventId, without gap or duplicate', async () => {
      const h = monitor.history(['web', '/'], '1m');
      const seqOf = (id: string) => Number(id.split(':')[1]);
      const start = seqOf(h.lastEventId!);
      await sweep();
      await sweep();
      const ac = new AbortController();
      const live = monitor.live(['web', '/'], h.lastEventId, ac.signal);
      const frames: { id: string; frame: LiveFrame }[] = [];
      frames.push((await live.next()).value!, (await live.next()).value!);
      const pending = live.next();
      await sweep();
      frames.push((await pending).value!);
      expect(frames.map((f) => seqOf(f.id))).toEqual([start + 1, start + 2, start + 3]);
      expect(frames[2]!.frame.values.web).toHaveLength(9);
      expect(frames[2]!.frame.values['/']?.[S.cpuCores]).not.toBeUndefined();
      // A reconnect with the id of the first frame gets the other two again, once.
      const again = monitor.live(['web'], frames[0]!.id, ac.signal);
      expect([seqOf((await again.next()).value!.id), seqOf((await again.next()).value!.id)]).toEqual([start + 2, start + 3]);
      // An id from another server run resumes nothing: it starts with the next sweep.
      const other = monitor.live(['web'], `ffffffff:${start + 1}`, ac.signal);
      const next = other.next();
      await sweep();
      expect(seqOf((await next).value!.id)).toBe(start + 4);
      ac.abort();
      for (const g of [live, again, other]) expect((await g.next()).done).toBe(true);
      expect(monitor.status().subscribers.live).toBe(0);
    });

    it('notices cgroups appearing and vanishing', async () => {
      const dirs = cgroups.hierarchies.map((h) => dirOf(h, path.posix.join(h.managedRoot, 'fresh')));
      for (const d of dirs) await mkdir(d);
      await monitor.rescan();
      await sweep();
      expect(monitor.listEvents({ types: ['cgroup_appeared'] }, 10, null).events.map((e) => e.ref)).toEqual(['fresh']);
      for (const d of dirs) await rm(d, { recursive: true });
      await monitor.rescan();
      await sweep();
      expect(monitor.listEvents({ types: ['cgroup_vanished'] }, 10, null).events.map((e) => e.ref)).toEqual(['fresh']);
      expect(decodeTopFrame(monitor.topJson()).rows.some((r) => r.ref === 'fresh')).toBe(false);
    });

    it('streams top as one full frame, then only the rows that changed', async () => {
      const ac = new AbortController();
      const top = monitor.top(ac.signal);
      const decoder = new TopFrameDecoder();
      const firstJson = (await top.next()).value!;
      const first = JSON.parse(firstJson) as { full: boolean; rows: unknown[][] };
      expect(first.full).toBe(true);
      expect(decoder.apply(firstJson)?.rows.length).toBe(first.rows.length);
      const next = top.next();
      await setCpu(cpuUsec + 100_000);
      await sweep();
      const deltaJson = (await next).value!;
      const delta = JSON.parse(deltaJson) as { full: boolean; rows: unknown[][] };
      expect(delta.full).toBe(false);
      expect(delta.rows.map((r) => r[0])).toContain('web');
      expect(delta.rows.length).toBeLessThan(first.rows.length);
      const frame = decoder.apply(deltaJson)!;
      expect(frame.rows).toHaveLength(first.rows.length);
      expect(frame.rows.find((r) => r.ref === 'web')?.cpuCores).toBeCloseTo(0.1, 3);
      ac.abort();
      expect((await top.next()).done).toBe(true);
    });

    it('serves the cgroups to Prometheus', async () => {
      const { body } = await renderMetrics(monitor.metricsSnapshot());
      expect(body).toMatch(/container_cpu_usage_seconds_total\{id="[^"]*\/cgdash\/web",name="",image="",tenant="",cpu="total"\} 0\.351/);
      expect(body).toMatch(/container_memory_usage_bytes\{id="[^"]*\/cgdash\/web"/);
    });

    it('leaves out the CPU reads under a parent whose counter did not move, and still sees a counter set back by hand', async () => {
      const webCpu = () => monitor.history(['web'], '1m').refs[0]!.series.cpuCores.at(-1);
      // Idle long enough that web is no witness (those are read every sweep).
      for (let i = 0; i < 6; i++) await sweep();
      expect(monitor.status().cpuGates.witnesses).toBe(0);
      expect(monitor.status().cpuGates.gates).toBeGreaterThan(0);
      expect(monitor.status().cpuGates.skippedReads).toBeGreaterThan(0);
      expect(webCpu()).toBe(0);
      // web's counter set back (v1: written by hand); no ancestor's counter moves with it.
      await addCpu(webDir(version === 'v2' ? 'cpu' : 'cpuacct'), 0, 2000);
      cpuUsec = 2000;
      await sweep();
      expect(webCpu()).toBe(0); // not read: its parent did not move
      // Every 60th sweep leaves nothing out, so it is read within a minute.
      for (let i = 0; i < 60; i++) await sweep();
      await setCpu(cpuUsec + 250_000);
      await sweep();
      expect(webCpu()).toBeCloseTo(0.25, 5);
    });

    it('leaves out the CPU reads of idle siblings while a busy one accounts for its parent, and sees another start at once', async () => {
      const cpuOf = (ref: string) => monitor.history([ref], '1m').refs[0]!.series.cpuCores.at(-1);
      /** `usec` more CPU in the managed cgroup `name`, and in every ancestor, as the kernel counts it. */
      const spend = async (name: string, usec: number) => {
        const h = cgroups.hierarchies.find((x) => (version === 'v2' ? x.version === 2 : x.controllers.includes('cpuacct')))!;
        for (let dir = dirOf(h, path.posix.join(h.managedRoot, name)); dir.startsWith(h.mountPoint); dir = path.dirname(dir)) await addCpu(dir, usec);
        if (name === 'web') cpuUsec += usec;
      };
      // Long enough for every cgroup to count as idle: no witnesses.
      for (let i = 0; i < 6; i++) await sweep();
      expect(monitor.status().cpuGates.witnesses).toBe(0);
      const idleSkips = monitor.status().cpuGates.skippedReads;
      await spend('web', 100_000);
      await sweep(); // web moved its parent: every child of it is read, web becomes a witness
      expect(cpuOf('web')).toBeCloseTo(0.1, 5);
      const movedSkips = monitor.status().cpuGates.skippedReads;
      expect(movedSkips).toBeLessThan(idleSkips);
      for (let i = 0; i < 3; i++) {
        await spend('web', 200_000);
        await sweep(); // web's rise is all its parent's: idle is left out, web is read
        expect(monitor.status().cpuGates.witnesses).toBeGreaterThan(0);
        expect(monitor.status().cpuGates.skippedReads).toBeGreaterThan(movedSkips);
        expect(cpuOf('web')).toBeCloseTo(0.2, 5);
        expect(cpuOf('idle')).toBe(0);
      }
      // idle starts too: its parent rose by more than the witness did, so idle is read now.
      await spend('web', 200_000);
      await spend('idle', 50_000);
      await sweep();
      expect(cpuOf('web')).toBeCloseTo(0.2, 5);
      expect(cpuOf('idle')).toBeCloseTo(0.05, 5);
    });

    it('keeps at most maxWitnesses witnesses, the most recently active, when a burst of new cgroups would all be', async () => {
      const witnessesWith = async (maxWitnesses?: number) => {
        const ownDb = openDatabase(':memory:', monitorMigrations);
        const m = new Monitor({ cgroups, db: ownDb }, { intervalMs: 1000, sampler: 'ts', autoSweep: false, watch: false, targetsEveryMs: 0, maxWitnesses });
        try {
          await m.start();
          await m.sweepNow();
          await m.sweepNow(); // every cgroup is new: read once, none idle for long yet
          return m.status().cpuGates.witnesses;
        } finally {
          await m.stop();
          ownDb.close();
        }
      };
      const all = await witnessesWith();
      expect(all).toBeGreaterThan(2);
      expect(await witnessesWith(2)).toBe(2);
    });

    it('writes minute rollups that charts past 15 minutes read, also after a restart', async () => {
      const minuteStart = Math.floor(now / MINUTE) * MINUTE;
      now = minuteStart + MINUTE - 1000; // the last second of this minute
      await setCpu(cpuUsec + 1_000_000);
      await sweep(); // crosses into the next minute: the previous one is written
      await monitor.stop();
      monitor = makeMonitor();
      await monitor.start();
      const h = monitor.history(['web'], '1h');
      expect(h.source).toBe('rollups');
      expect(h.bucketMs).toBe(MINUTE);
      expect(h.refs[0]!.known).toBe(true);
      const cpu = h.refs[0]!.series.cpuCores.filter((v): v is number => v !== null);
      expect(cpu.length).toBeGreaterThan(0);
      expect(Math.max(...(h.refs[0]!.max?.cpuCores.filter((v): v is number => v !== null) ?? []))).toBeGreaterThanOrEqual(0.5);
      expect(monitor.history(['web'], '7d').refs[0]!.t.length).toBeLessThanOrEqual(300);
    });
  });
}
