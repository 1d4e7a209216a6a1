import { bool, parseArgs, UsageError } from '../args';
import { group, type Command } from '../command';
import { print, table, toJson } from '../output';
import { formatBytes } from '../../lib/units';

const json = { name: 'json', type: 'boolean' } as const;

export const infoCommand: Command = {
  name: 'info',
  summary: 'Host, cgroup mode and where the managed root lives in each hierarchy',
  usage: 'cgdash info [--json]',
  async run({ client }, argv) {
    const args = parseArgs(argv, [json]);
    const info = await client.system.info.query();
    if (bool(args, 'json')) return print(toJson(info));
    const h = info.host;
    print(
      [
        `cgdash      ${info.version}`,
        `host        ${h.os.hostname} (${h.os.distro} ${h.os.release}, kernel ${h.os.kernel})`,
        `cpu         ${h.cpu.cores} × ${h.cpu.brand}`,
        `memory      ${formatBytes(h.memory.totalBytes)} (${formatBytes(h.memory.availableBytes)} available)`,
        `cgroup mode ${info.cgroupMode}`,
        `cgroups     ${info.counts.cgroups} (${info.counts.managedCgroups} managed)`,
        info.readOnlyReason ? `read-only   ${info.readOnlyReason}` : '',
        '',
        table(
          ['ID', 'VER', 'CONTROLLERS', 'MANAGED ROOT'],
          info.hierarchies.map((x) => [x.id, `v${x.version}`, x.controllers.join(',') || '-', x.managedRootDir]),
        ),
      ]
        .filter((l) => l !== '')
        .join('\n'),
    );
  },
};

export const nsCommand: Command = {
  name: 'ns',
  summary: 'Namespaces on the host (as lsns)',
  usage: 'cgdash ns [--json] [--type mnt|uts|ipc|pid|net|user|cgroup|time]',
  async run({ client }, argv) {
    const args = parseArgs(argv, [json, { name: 'type', short: 't', type: 'string' }]);
    const type = args.flags.type as string | undefined;
    const scan = await client.namespaces.list.query();
    const rows = scan.namespaces.filter((n) => !type || n.type === type);
    if (bool(args, 'json')) return print(toJson(rows));
    print(table(['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'COMMAND'], rows.map((n) => [n.inode, n.type, n.nprocs, n.pid, n.user, n.command.replace(/[\x00-\x1f\x7f]/g, '?')])));
  },
};

const nameArg = (argv: string[], what: string) => {
  const args = parseArgs(argv, [{ name: 'force', short: 'f', type: 'boolean' }]);
  const [name, extra] = args.positionals;
  if (!name || extra) throw new UsageError(`usage: cgdash netns ${what} NAME`);
  return { name, force: bool(args, 'force') };
};

export const netnsCommand = group('netns', 'Named network namespaces (ip netns)', [
  {
    name: 'ls',
    summary: 'List named network namespaces',
    usage: 'cgdash netns ls [--json]',
    async run({ client }, argv) {
      const args = parseArgs(argv, [json]);
      const list = await client.namespaces.netns.list.query();
      if (bool(args, 'json')) return print(toJson(list));
      print(table(['NAME', 'INODE', 'PIDS', 'OWNER'], list.map((n) => [n.name, n.inode ?? '-', n.pids.length, n.owned ? 'cgdash' : 'external'])));
    },
  },
  {
    name: 'add',
    summary: 'Create a named network namespace',
    usage: 'cgdash netns add NAME',
    async run({ client }, argv) {
      const { name } = nameArg(argv, 'add');
      await client.namespaces.netns.add.mutate({ name });
      print(name);
    },
  },
  {
    name: 'rm',
    summary: 'Delete a named network namespace (--force for one cgdash did not create)',
    usage: 'cgdash netns rm [--force] NAME',
    async run({ client }, argv) {
      const { name, force } = nameArg(argv, 'rm');
      await client.namespaces.netns.remove.mutate({ name, allowUnmanaged: force });
      print(name);
    },
  },
]);
