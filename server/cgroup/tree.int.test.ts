/**
 * ensureManagedRoot against a real cgroup v2 hierarchy with resource controllers (the v2 VM, or
 * any pure v2 host). The "server" is a child process (__fixtures__/server-child.ts) that the test
 * places in a cgroup of its own below the test root, the way systemd places a service in its
 * unit's cgroup: a non-root cgroup, where the no-internal-processes rule applies. There it must
 * move itself into `<managed root>-server` before handing the controllers down, and refuse when
 * a process it does not own shares its cgroup. tree.test.ts plans the same on fixture trees.
 *
 * Skipped where the unified hierarchy offers no controllers (hybrid hosts: nothing to delegate).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedV2Controllers, openCgroups, type CgroupManager, type CgroupPlacement } from './index';
import { detectHierarchies } from './mounts';
import type { TreeStep } from './tree';
import { createTestRoot, kernelTimeoutMs, spawnTestProcess, type TestProcess, type TestRoot } from './testing';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'server-child.ts');

interface Reply {
  ok: boolean;
  kind?: string;
  message?: string;
  selfCgroup: string;
  steps?: TreeStep[];
  managedRoot?: string | null;
  memoryMax?: string | null;
  pidsMax?: number | null;
  failures?: string[];
}

interface ServerChild {
  process: TestProcess;
  ask(op: 'ensure' | 'probe' | 'reopen' | 'release'): Promise<Reply>;
}

function startServerChild(): ServerChild {
  const p = spawnTestProcess(process.execPath, ['--import', 'tsx', childScript]);
  let out = '';
  let n = 0;
  const pending = new Map<number, (r: Reply) => void>();
  p.child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      const m = /^#(\d+) (.*)$/.exec(line);
      if (m) pending.get(Number(m[1]))?.(JSON.parse(m[2] ?? '{}') as Reply);
    }
  });
  return {
    process: p,
    ask: (op) =>
      new Promise<Reply>((resolve, reject) => {
        n += 1;
        pending.set(n, resolve);
        void p.exited.then((how) => reject(new Error(`the server child ended (${how}) before answering ${op}`)));
        p.send(JSON.stringify({ n, op, managedRoot: 'cgdash' }));
      }),
  };
}

let delegable: string[] = [];
let root: TestRoot | undefined;
let m: CgroupManager | undefined;
const children: ServerChild[] = [];
const sleepers: TestProcess[] = [];

async function text(file: string): Promise<string> {
  return (await readFile(file, 'utf8')).trim();
}

function words(s: string): string[] {
  return s.split(/\s+/).filter(Boolean).sort();
}

function unifiedPlacement(ref: string): CgroupPlacement {
  const p = m?.resolve(ref).find((x) => x.version === 2);
  if (!p) throw new Error(`no v2 placement of ${ref}`);
  return p;
}

async function subdirNames(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
}

beforeAll(async () => {
  const { hierarchies } = await detectHierarchies({ managedRoot: 'cgdash' });
  const unified = hierarchies.find((h) => h.version === 2);
  delegable = managedV2Controllers.filter((c) => unified?.controllers.includes(c));
  if (delegable.length === 0) return;
  // The test root hangs below the root cgroup with every controller handed down to its children,
  // as systemd's Delegate=yes hands them to a service's cgroup.
  root = await createTestRoot({ absolute: true });
  m = await openCgroups({ managedRoot: root.name });
  await m.ensureManagedRoot();
  // Two server children start at once: tsx start-up is most of their cost under emulation.
  children.push(startServerChild(), startServerChild());
  await Promise.all(children.map((c) => c.process.waitForOutput('ready')));
}, kernelTimeoutMs(60_000));

afterAll(async () => {
  for (const p of [...children.map((c) => c.process), ...sleepers]) p.kill();
  try {
    await root?.cleanup(); // kills only what is inside the test root: the children and sleepers
  } finally {
    await m?.releaseManagedRoot();
  }
});

const noControllers = 'the unified hierarchy of this host offers no resource controllers (cgroup v1 or hybrid): nothing to delegate';

describe('ensureManagedRoot in a non-root cgroup on cgroup v2', () => {
  it('moves the server into <root>-server, enables the controllers, and undoes it on release', async (ctx) => {
    if (delegable.length === 0 || !m) return ctx.skip(noControllers);
    const child = children[0] as ServerChild;
    await m.create('svc');
    await m.moveProcess(child.process.pid, 'svc');
    const svc = unifiedPlacement('svc');
    const leaf = `${svc.path}/cgdash-server`;
    const managed = `${svc.path}/cgdash`;

    const ensured = await child.ask('ensure');
    expect(ensured).toMatchObject({ ok: true, managedRoot: managed, selfCgroup: `0::${leaf}` });
    expect(ensured.steps).toEqual([
      { kind: 'mkdir', path: leaf },
      { kind: 'move-server', pid: child.process.pid, from: svc.path, to: leaf },
      { kind: 'enable', path: svc.path, controllers: delegable },
      { kind: 'mkdir', path: managed },
      { kind: 'enable', path: managed, controllers: delegable },
    ]);
    // What the kernel holds, read past the module.
    expect(await text(`/proc/${child.process.pid}/cgroup`)).toBe(`0::${leaf}`);
    expect(await text(path.join(svc.dir, 'cgroup.procs'))).toBe('');
    expect(await text(path.join(svc.dir, 'cgdash-server', 'cgroup.procs'))).toBe(String(child.process.pid));
    expect(words(await text(path.join(svc.dir, 'cgroup.subtree_control')))).toEqual([...delegable].sort());
    expect(words(await text(path.join(svc.dir, 'cgdash', 'cgroup.subtree_control')))).toEqual([...delegable].sort());

    // The controllers work below the managed root.
    const probe = await child.ask('probe');
    expect(probe).toMatchObject({ ok: true, memoryMax: String(64 * 1024 * 1024), pidsMax: 16 });
    expect(await text(path.join(svc.dir, 'cgdash', 'probe', 'memory.max'))).toBe(String(64 * 1024 * 1024));
    expect(await text(path.join(svc.dir, 'cgdash', 'probe', 'pids.max'))).toBe('16');

    // A restart opens the cgroups from inside the leaf: same managed root, nothing left to do.
    expect(await child.ask('reopen')).toMatchObject({ ok: true, steps: [], managedRoot: managed });

    const released = await child.ask('release');
    expect(released).toMatchObject({ ok: true, failures: [], selfCgroup: `0::${svc.path}` });
    expect(await text(path.join(svc.dir, 'cgroup.procs'))).toBe(String(child.process.pid));
    expect(await text(path.join(svc.dir, 'cgroup.subtree_control'))).toBe('');
    expect(await subdirNames(svc.dir)).toEqual([]);
  });

  it('refuses, changing nothing, when a process it does not own shares its cgroup', async (ctx) => {
    if (delegable.length === 0 || !m) return ctx.skip(noControllers);
    const child = children[1] as ServerChild;
    const foreign = spawnTestProcess('sleep', ['1000']);
    sleepers.push(foreign);
    await m.create('shared');
    await m.moveProcess(child.process.pid, 'shared');
    await m.moveProcess(foreign.pid, 'shared');
    const shared = unifiedPlacement('shared');

    const refused = await child.ask('ensure');
    expect(refused).toMatchObject({ ok: false, kind: 'busy', selfCgroup: `0::${shared.path}` });
    expect(refused.message).toMatch(new RegExp(`besides cgdash itself \\(pids ${foreign.pid}\\), and cgdash moves only itself`));
    expect(words(await text(path.join(shared.dir, 'cgroup.procs')))).toEqual([String(child.process.pid), String(foreign.pid)].sort());
    expect(await text(path.join(shared.dir, 'cgroup.subtree_control'))).toBe('');
    expect(await subdirNames(shared.dir)).toEqual([]);
    expect(foreign.child.exitCode).toBeNull();
  });
});
