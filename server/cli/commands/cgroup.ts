import type { CgroupDetail } from '../../cgroup/model';
import { formatBytes } from '../../lib/units';
import type { LimitsInput } from '../../api/schemas/limits';
import { bool, list, parseArgs, str, UsageError, type FlagSpec } from '../args';
import { group, type Command } from '../command';
import { print, table, toJson } from '../output';

const json: FlagSpec = { name: 'json', type: 'boolean' };
const force: FlagSpec = { name: 'force', short: 'f', type: 'boolean', description: 'allow a cgroup cgdash did not create' };

export const cgroupsCommand: Command = {
  name: 'cgroups',
  summary: 'Every cgroup on the host',
  usage: 'cgdash cgroups [--json] [--managed]',
  async run({ client }, argv) {
    const args = parseArgs(argv, [json, { name: 'managed', type: 'boolean' }]);
    const nodes = (await client.cgroups.list.query()).filter((n) => !bool(args, 'managed') || n.managedPath !== null);
    if (bool(args, 'json')) return print(toJson(nodes));
    print(table(['PATH', 'PROCS', 'CONTROLLERS', 'MANAGED'], nodes.map((n) => [n.path, n.processCount, n.controllers.join(','), n.managedPath === null ? '' : n.managedPath || '(root)'])));
  },
};

function onePath(args: { positionals: string[] }, usage: string): string {
  const [path, extra] = args.positionals;
  if (path === undefined || extra !== undefined) throw new UsageError(`usage: ${usage}`);
  return path;
}

function showDetail(d: CgroupDetail): string {
  const l = d.limits;
  const u = d.usage;
  const lim = (v: bigint | number | null | undefined, bytes = false) => (v === null || v === undefined ? 'max' : bytes ? formatBytes(v) : String(v));
  return [
    `path       ${d.ref}`,
    ...d.placements.map((p) => `  ${(p.version === 2 ? 'v2' : p.controllers.join(',')).padEnd(10)} ${p.dir}`),
    `cpu max    ${l.cpu?.maxQuotaUs != null ? `${l.cpu.maxQuotaUs} ${l.cpu.maxPeriodUs}` : 'max'}    weight ${l.cpu?.weight ?? '-'}`,
    `cpuset     cpus ${l.cpuset?.cpus || '-'} (effective ${l.cpuset?.effectiveCpus ?? '-'})  mems ${l.cpuset?.mems || '-'}`,
    `memory     max ${lim(l.memory?.max, true)}  high ${lim(l.memory?.high, true)}  low ${lim(l.memory?.low, true)}  swap ${lim(l.memory?.swapMax, true)}`,
    `pids       max ${lim(l.pids?.max)}`,
    `io         weight ${l.io?.weight ?? '-'}${l.io?.max.length ? `  max ${l.io.max.map((e) => `${e.device} rbps=${e.rbps ?? 'max'} wbps=${e.wbps ?? 'max'} riops=${e.riops ?? 'max'} wiops=${e.wiops ?? 'max'}`).join('; ')}` : ''}`,
    `usage      cpu ${u.cpu ? `${Number(u.cpu.usageUsec) / 1e6} s` : '-'}  memory ${u.memory ? formatBytes(u.memory.current) : '-'}  pids ${u.pids?.current ?? '-'}`,
    `processes  ${d.pids.length ? d.pids.join(' ') : 'none'}`,
  ].join('\n');
}

/** `--io-max 8:0=rbps=1048576,wbps=max` → one io.max entry. */
export function parseIoMax(text: string): NonNullable<LimitsInput['ioMax']>[number] {
  const m = /^(\d+:\d+)=(.+)$/.exec(text);
  if (!m) throw new UsageError(`--io-max: "${text}" is not MAJ:MIN=rbps=N,wbps=N,riops=N,wiops=N`);
  const entry = { device: m[1]!, rbps: null, wbps: null, riops: null, wiops: null } as Record<string, unknown>;
  for (const part of m[2]!.split(',')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined || !['rbps', 'wbps', 'riops', 'wiops'].includes(k)) throw new UsageError(`--io-max: unknown key "${part}" (rbps, wbps, riops, wiops)`);
    entry[k] = v;
  }
  return entry as NonNullable<LimitsInput['ioMax']>[number];
}

const limitFlags: FlagSpec[] = [
  { name: 'memory', short: 'm', type: 'string' },
  { name: 'memory-high', type: 'string' },
  { name: 'memory-low', type: 'string' },
  { name: 'memory-swap', type: 'string' },
  { name: 'cpus', type: 'string' },
  { name: 'cpu-weight', type: 'string' },
  { name: 'cpuset-cpus', type: 'string' },
  { name: 'cpuset-mems', type: 'string' },
  { name: 'pids-limit', type: 'string' },
  { name: 'io-weight', type: 'string' },
  { name: 'io-max', type: 'list' },
];

const orNull = (v: string) => (['max', 'none', '-1', ''].includes(v.trim().toLowerCase()) ? null : v);
const numberOrNull = (v: string, flag: string) => {
  const x = orNull(v);
  if (x === null) return null;
  const n = Number(x);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag}: "${v}" is not a number`);
  return n;
};

/** CLI flags → the API's limits input; sizes stay strings so the server parses and names errors. */
export function limitsFromFlags(args: ReturnType<typeof parseArgs>): LimitsInput {
  const out: Record<string, unknown> = {};
  const s = (flag: string) => str(args, flag);
  if (s('memory') !== undefined) out.memoryMax = orNull(s('memory')!);
  if (s('memory-high') !== undefined) out.memoryHigh = orNull(s('memory-high')!);
  if (s('memory-low') !== undefined) out.memoryLow = orNull(s('memory-low')!);
  if (s('memory-swap') !== undefined) out.memorySwapMax = orNull(s('memory-swap')!);
  if (s('cpus') !== undefined) out.cpus = numberOrNull(s('cpus')!, 'cpus');
  if (s('cpu-weight') !== undefined) out.cpuWeight = numberOrNull(s('cpu-weight')!, 'cpu-weight');
  if (s('cpuset-cpus') !== undefined) out.cpusetCpus = orNull(s('cpuset-cpus')!);
  if (s('cpuset-mems') !== undefined) out.cpusetMems = orNull(s('cpuset-mems')!);
  if (s('pids-limit') !== undefined) out.pidsMax = numberOrNull(s('pids-limit')!, 'pids-limit');
  if (s('io-weight') !== undefined) out.ioWeight = numberOrNull(s('io-weight')!, 'io-weight');
  if (list(args, 'io-max').length) out.ioMax = list(args, 'io-max').map(parseIoMax);
  return out as LimitsInput;
}

export const cgroupCommand = group('cgroup', 'Show, create, remove, limit a cgroup; move a process into it', [
  {
    name: 'show',
    summary: 'Limits, usage and processes of a cgroup',
    usage: 'cgdash cgroup show [--json] PATH   (PATH as in /proc/PID/cgroup; without a leading / it is under the managed root)',
    async run({ client }, argv) {
      const args = parseArgs(argv, [json]);
      const d = await client.cgroups.get.query({ path: onePath(args, 'cgdash cgroup show PATH') });
      print(bool(args, 'json') ? toJson(d) : showDetail(d));
    },
  },
  {
    name: 'create',
    summary: 'Create a cgroup (in every hierarchy), optionally with limits',
    usage: 'cgdash cgroup create [--force] [limit flags] PATH',
    async run({ client }, argv) {
      const args = parseArgs(argv, [force, ...limitFlags]);
      const path = onePath(args, 'cgdash cgroup create PATH');
      const limits = limitsFromFlags(args);
      await client.cgroups.create.mutate({ path, limits: Object.keys(limits).length ? limits : undefined, allowUnmanaged: bool(args, 'force') });
      print(path);
    },
  },
  {
    name: 'rm',
    summary: 'Remove a cgroup (--kill to kill its processes first)',
    usage: 'cgdash cgroup rm [--kill] [--force] PATH',
    async run({ client }, argv) {
      const args = parseArgs(argv, [force, { name: 'kill', type: 'boolean' }]);
      const path = onePath(args, 'cgdash cgroup rm PATH');
      await client.cgroups.remove.mutate({ path, kill: bool(args, 'kill'), allowUnmanaged: bool(args, 'force') });
      print(path);
    },
  },
  {
    name: 'set',
    summary: 'Set limits',
    usage: [
      'cgdash cgroup set PATH [--memory 256M] [--memory-high SIZE] [--memory-low SIZE] [--memory-swap SIZE] [--cpus 0.5]',
      '                       [--cpu-weight N] [--cpuset-cpus 0-1] [--cpuset-mems 0] [--pids-limit N] [--io-weight N]',
      '                       [--io-max MAJ:MIN=rbps=N,wbps=N,riops=N,wiops=N] [--force] [--json]',
      'A value of "max" removes a limit. --force allows a cgroup cgdash did not create.',
    ].join('\n'),
    async run({ client }, argv) {
      const args = parseArgs(argv, [force, json, ...limitFlags]);
      const path = onePath(args, 'cgdash cgroup set PATH --memory 256M ...');
      const limits = limitsFromFlags(args);
      if (!Object.keys(limits).length) throw new UsageError('nothing to set: give at least one limit flag (cgdash cgroup set --help)');
      const result = await client.cgroups.setLimits.mutate({ path, limits, allowUnmanaged: bool(args, 'force') });
      print(bool(args, 'json') ? toJson(result) : path);
    },
  },
  {
    name: 'move',
    summary: 'Move a process into a cgroup',
    usage: 'cgdash cgroup move [--force] PID PATH',
    async run({ client }, argv) {
      const args = parseArgs(argv, [force]);
      const [pid, path, extra] = args.positionals;
      if (!pid || !path || extra || !/^\d+$/.test(pid)) throw new UsageError('usage: cgdash cgroup move PID PATH');
      await client.cgroups.move.mutate({ pid: Number(pid), path, allowUnmanaged: bool(args, 'force') });
      print(`${pid} → ${path}`);
    },
  },
]);
