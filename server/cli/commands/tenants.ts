import { formatBytes } from '../../lib/units';
import { bool, list, parseArgs, str, UsageError, type FlagSpec } from '../args';
import { group, type Command } from '../command';
import { print, table, toJson } from '../output';
import { limitsFromFlags } from './cgroup';

const json: FlagSpec = { name: 'json', type: 'boolean' };

const tenantFlags: FlagSpec[] = [
  { name: 'display-name', type: 'string' },
  { name: 'memory', short: 'm', type: 'string' },
  { name: 'memory-high', type: 'string' },
  { name: 'memory-swap', type: 'string' },
  { name: 'cpus', type: 'string' },
  { name: 'cpu-weight', type: 'string' },
  { name: 'cpuset-cpus', type: 'string' },
  { name: 'cpuset-mems', type: 'string' },
  { name: 'exclusive', type: 'boolean' },
  { name: 'pids-limit', type: 'string' },
  { name: 'io-weight', type: 'string' },
  { name: 'io-max', type: 'list' },
  { name: 'network-ingress-rate', type: 'string' },
  { name: 'network-egress-rate', type: 'string' },
];

const tenantUsage = [
  '[--display-name NAME] [--cpuset-cpus 0] [--cpuset-mems 0] [--exclusive] [--cpus 1.5] [--cpu-weight N]',
  '[--memory 512M] [--memory-high SIZE] [--memory-swap SIZE] [--pids-limit N] [--io-weight N] [--io-max MAJ:MIN=rbps=N,...]',
  '[--network-ingress-rate 10M] [--network-egress-rate 10M]   (rates in bytes per second, per container)',
].join('\n    ');

function tenantInput(name: string, args: ReturnType<typeof parseArgs>) {
  const limits = limitsFromFlags(args);
  const orNull = (v: string | undefined) => (v === undefined ? undefined : ['max', 'none', ''].includes(v) ? null : v);
  return {
    name,
    displayName: str(args, 'display-name'),
    limits: Object.keys(limits).length ? limits : undefined,
    cpusetExclusive: args.flags.exclusive === true ? true : undefined,
    networkIngressBps: orNull(str(args, 'network-ingress-rate')),
    networkEgressBps: orNull(str(args, 'network-egress-rate')),
  };
}

function oneName(args: { positionals: string[] }, usage: string): string {
  const [name, extra] = args.positionals;
  if (!name || extra) throw new UsageError(`usage: ${usage}`);
  return name;
}

export const tenantCommand = group('tenant', 'Tenants: slices of the host', [
  {
    name: 'ls',
    summary: 'List tenants with their limits and usage',
    usage: 'cgdash tenant ls [--json]',
    async run({ client }, argv) {
      const args = parseArgs(argv, [json]);
      const rows = await client.tenants.list.query();
      if (bool(args, 'json')) return print(toJson(rows));
      print(
        table(
          ['NAME', 'CPUS', 'QUOTA', 'MEMORY', 'USED', 'PIDS', 'CONTAINERS', 'MEMBERS'],
          rows.map((r) => {
            const l = r.tenant.limits;
            return [
              r.tenant.name,
              `${l.cpusetCpus ?? 'any'}${r.tenant.cpusetExclusive ? ' (excl)' : ''}`,
              l.cpuMaxQuotaUs === null ? 'max' : String(l.cpuMaxQuotaUs / l.cpuMaxPeriodUs),
              l.memoryMax === null ? 'max' : formatBytes(l.memoryMax),
              r.usage?.memory ? formatBytes(r.usage.memory.current) : '-',
              l.pidsMax ?? 'max',
              r.containers,
              r.members.map((m) => m.name).join(',') || '-',
            ];
          }),
        ),
      );
    },
  },
  {
    name: 'create',
    summary: 'Create a tenant',
    usage: `cgdash tenant create NAME ${tenantUsage}`,
    async run({ client }, argv) {
      const args = parseArgs(argv, tenantFlags);
      const { warnings } = await client.tenants.create.mutate(tenantInput(oneName(args, 'cgdash tenant create NAME [flags]'), args));
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      print(args.positionals[0]!);
    },
  },
  {
    name: 'update',
    summary: 'Change a tenant\'s slice (live)',
    usage: `cgdash tenant update NAME ${tenantUsage}`,
    async run({ client }, argv) {
      const args = parseArgs(argv, tenantFlags);
      const { warnings } = await client.tenants.update.mutate(tenantInput(oneName(args, 'cgdash tenant update NAME [flags]'), args));
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      print(args.positionals[0]!);
    },
  },
  {
    name: 'adopt',
    summary: 'Bring existing processes (or all of a cgroup\'s) into a tenant\'s slice',
    usage: 'cgdash tenant adopt NAME (--pid PID ... | --cgroup PATH) [--force]   (--force: a cgroup cgdash did not create)',
    async run({ client }, argv) {
      const args = parseArgs(argv, [{ name: 'pid', type: 'list' }, { name: 'cgroup', type: 'string' }, { name: 'force', short: 'f', type: 'boolean' }]);
      const name = oneName(args, 'cgdash tenant adopt NAME --pid PID');
      const pids = list(args, 'pid').map((p) => {
        if (!/^\d+$/.test(p)) throw new UsageError(`--pid: "${p}" is not a process id`);
        return Number(p);
      });
      const cgroup = str(args, 'cgroup');
      if (!pids.length && !cgroup) throw new UsageError('give --pid PID (repeatable) or --cgroup PATH');
      const { moved } = await client.tenants.adopt.mutate({ name, pids: pids.length ? pids : undefined, cgroup, allowUnmanaged: bool(args, 'force') });
      print(moved.join('\n'));
    },
  },
  {
    name: 'rm',
    summary: 'Delete a tenant (--force removes its containers and disables its members)',
    usage: 'cgdash tenant rm [--force] NAME',
    async run({ client }, argv) {
      const args = parseArgs(argv, [{ name: 'force', short: 'f', type: 'boolean' }]);
      const name = oneName(args, 'cgdash tenant rm NAME');
      await client.tenants.remove.mutate({ name, force: bool(args, 'force') });
      print(name);
    },
  },
]);

export const userCommand = group('user', 'Users and their roles', [
  {
    name: 'ls',
    summary: 'List users',
    usage: 'cgdash user ls [--json]',
    async run({ client }, argv) {
      const args = parseArgs(argv, [json]);
      const users = await client.users.list.query();
      if (bool(args, 'json')) return print(toJson(users));
      print(table(['ID', 'NAME', 'ROLE', 'TENANT', 'STATUS'], users.map((u) => [u.id, u.name, u.role, u.tenant ?? '-', u.disabled ? 'disabled' : u.hasPassword ? 'active' : 'no password'])));
    },
  },
  {
    name: 'create',
    summary: 'Create a user (password from --password or CGDASH_NEW_PASSWORD)',
    usage: 'cgdash user create NAME --role admin|member|viewer [--tenant T] [--password PW]',
    async run({ client }, argv) {
      const args = parseArgs(argv, [
        { name: 'role', type: 'string' },
        { name: 'tenant', type: 'string' },
        { name: 'password', type: 'string' },
      ]);
      const name = oneName(args, 'cgdash user create NAME --role ROLE');
      const role = str(args, 'role');
      if (role !== 'admin' && role !== 'member' && role !== 'viewer') throw new UsageError('--role must be admin, member or viewer');
      const password = str(args, 'password') ?? process.env.CGDASH_NEW_PASSWORD;
      if (!password) throw new UsageError('give --password or set CGDASH_NEW_PASSWORD');
      const user = await client.users.create.mutate({ name, role, tenant: str(args, 'tenant') ?? null, password });
      print(String(user.id));
    },
  },
  ...(['disable', 'rm'] as const).map(
    (verb): Command => ({
      name: verb,
      summary: verb === 'disable' ? 'Disable a user: ends their sessions, revokes their tokens' : 'Remove a user',
      usage: `cgdash user ${verb} NAME`,
      async run({ client }, argv) {
        const args = parseArgs(argv, []);
        const name = oneName(args, `cgdash user ${verb} NAME`);
        const user = (await client.users.list.query()).find((u) => u.name === name);
        if (!user) throw new UsageError(`no user named "${name}"`);
        if (verb === 'disable') await client.users.disable.mutate({ id: user.id });
        else await client.users.remove.mutate({ id: user.id });
        print(name);
      },
    }),
  ),
]);

export const auditCommand: Command = {
  name: 'audit',
  summary: 'The audit log (--json for JSON lines)',
  usage: 'cgdash audit [--json] [--user NAME] [--action PREFIX] [--result ok|error|denied] [--limit N]',
  async run({ client }, argv) {
    const args = parseArgs(argv, [json, { name: 'user', type: 'string' }, { name: 'action', type: 'string' }, { name: 'result', type: 'string' }, { name: 'limit', type: 'string' }]);
    const result = str(args, 'result');
    if (result !== undefined && !['ok', 'error', 'denied'].includes(result)) throw new UsageError('--result must be ok, error or denied');
    const filter = { user: str(args, 'user'), action: str(args, 'action'), result: result as 'ok' | 'error' | 'denied' | undefined, limit: Number(str(args, 'limit') ?? 200) };
    if (bool(args, 'json')) return print((await client.audit.export.query(filter)) || '');
    const entries = (await client.audit.list.query(filter)).reverse();
    print(table(['TIME', 'USER', 'ACTION', 'TARGET', 'RESULT', 'FROM'], entries.map((e) => [new Date(e.at).toISOString().replace('T', ' ').slice(0, 19), e.userName ?? '-', e.action, e.target ?? '', e.result, e.ip ?? ''])));
  },
};
