/**
 * A stand-in for the cgdash server in tree.int.test.ts: a process the test has placed in a
 * cgroup of its own, which then opens the cgroups itself (detection reads /proc/self/cgroup, so
 * it must run after the move) and delegates its managed root. Run with `node --import tsx`.
 *
 * Protocol: one JSON request per stdin line, `{"n": 1, "op": "ensure", "managedRoot": "cgdash"}`;
 * one reply per request on stdout, `#1 {...}`. `ready` once it reads requests.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { openCgroups, type CgroupManager } from '@/server/cgroup';
import { isCgdashError } from '@/server/lib/errors';

interface Request {
  n: number;
  op: 'ensure' | 'probe' | 'reopen' | 'release';
  managedRoot?: string;
}

const MiB = 1n << 20n;
let cgroups: CgroupManager | null = null;

async function selfCgroup(): Promise<string> {
  return (await readFile('/proc/self/cgroup', 'utf8')).trim();
}

function opened(): CgroupManager {
  if (!cgroups) throw new Error('ensure first');
  return cgroups;
}

function unifiedManagedRoot(m: CgroupManager): string | null {
  return m.hierarchies.find((h) => h.version === 2)?.managedRoot ?? null;
}

async function handle(req: Request): Promise<Record<string, unknown>> {
  switch (req.op) {
    case 'ensure': {
      cgroups = await openCgroups({ managedRoot: req.managedRoot ?? 'cgdash' });
      const steps = await cgroups.ensureManagedRoot();
      return { steps: steps.map((s) => s.step), managedRoot: unifiedManagedRoot(cgroups) };
    }
    case 'probe': {
      // A cgroup below the managed root with limits of two delegated controllers.
      await opened().create('probe', { limits: { memoryMax: 64n * MiB, pidsMax: 16 } });
      const { limits } = await opened().get('probe');
      return { memoryMax: limits.memory?.max?.toString() ?? null, pidsMax: limits.pids?.max ?? null };
    }
    case 'reopen': {
      // A server restart: opened from inside its leaf, the managed root is still beside it.
      const again = await openCgroups({ managedRoot: req.managedRoot ?? 'cgdash' });
      return { steps: (await again.planManagedRoot()).map((s) => s.step), managedRoot: unifiedManagedRoot(again) };
    }
    case 'release': {
      await opened().remove('probe', { kill: true });
      return { failures: await opened().releaseManagedRoot() };
    }
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const req = JSON.parse(line) as Request;
  void handle(req)
    .then((reply) => ({ ok: true, ...reply }))
    .catch((err: unknown) => ({ ok: false, kind: isCgdashError(err) ? err.kind : 'error', message: err instanceof Error ? err.message : String(err) }))
    .then(async (reply) => process.stdout.write(`#${req.n} ${JSON.stringify({ ...reply, selfCgroup: await selfCgroup() })}\n`));
});
lines.on('close', () => process.exit(0));
process.stdout.write('ready\n');
