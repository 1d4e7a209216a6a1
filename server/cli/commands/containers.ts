import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { formatBytes } from '../../lib/units';
import type { LogLine } from '../../runtime/logs';
import { runArgsToInput } from '../../runtime/run-args';
import { bool, int, parseArgs, str, UsageError, type FlagSpec } from '../args';
import type { Command, CommandContext } from '../command';
import { group } from '../command';
import { print, table, toJson } from '../output';
import { subscribe } from '../subscribe';
import { runTerminal } from '../terminal';

const json: FlagSpec = { name: 'json', type: 'boolean' };

function one(args: { positionals: string[] }, usage: string): string {
  const [x, extra] = args.positionals;
  if (!x || extra) throw new UsageError(`usage: ${usage}`);
  return x;
}

function ago(ms: number | null): string {
  if (!ms) return '';
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  if (s < 86400) return `${Math.round(s / 3600)} hours ago`;
  return `${Math.round(s / 86400)} days ago`;
}

function printLogLine(l: LogLine, timestamps: boolean): void {
  const out = l.stream === 'stderr' ? process.stderr : process.stdout;
  out.write(`${timestamps ? `${l.time} ` : ''}${l.text}\n`);
}

type RunEvent = { type: 'created'; id: string } | { type: 'line'; line: LogLine } | { type: 'exit'; exitCode: number | null; oomKilled: boolean };

/** Create, start and print the output of a container until it exits; returns its exit code. */
async function runAttached(ctx: CommandContext, spec: unknown): Promise<number> {
  for await (const event of subscribe<RunEvent>(ctx.env, 'containers.run', { spec })) {
    if (event.type === 'line') printLogLine(event.line, false);
    else if (event.type === 'exit') {
      if (event.oomKilled) process.stderr.write('cgdash: the container was killed: out of memory\n');
      return event.exitCode ?? 1;
    }
  }
  return 1;
}

/** create takes run's flags and spec: one parser (server/runtime/run-args.ts). */
async function createFromArgs(ctx: CommandContext, argv: string[], start: boolean) {
  const { input } = runArgsToInput(argv);
  return ctx.client.containers.create.mutate({ spec: input as never, start });
}

const runCommand: Command = {
  name: 'run',
  summary: 'Create and start a container (as docker run)',
  usage: [
    'cgdash run [-d] [--rm] [-it] [--name N] [-e K=V] [-v H:C[:ro]] [--tmpfs C] [-p [IP:]H:C[/udp]] [-u U[:G]] [-w DIR]',
    '           [--hostname H] [--network none|host|NAME|container:N|ns:NAME] [--pid host] [--ipc container:N] [--uts host]',
    '           [--userns map=0:100000:65536] [--tenant T] [--cpus N] [--cpu-weight N] [--cpuset-cpus L] [--cpuset-mems L]',
    '           [-m SIZE] [--memory-swap SIZE] [--memory-reservation SIZE] [--pids-limit N]',
    '           [--device-read-bps DEV:RATE] [--device-write-bps ..] [--device-read-iops ..] [--device-write-iops ..]',
    '           [--cap-add C] [--cap-drop C] [--privileged] [--security-opt seccomp=unconfined] [--read-only]',
    '           [--restart no|on-failure[:N]|always] [--ingress-rate R] [--egress-rate R] [--entrypoint E] IMAGE [CMD...]',
  ].join('\n'),
  async run(ctx, argv) {
    const { input, detach } = runArgsToInput(argv);
    // In the foreground: one request creates, starts and streams (the reader is attached
    // before the start, so nothing is missed even if it exits and is removed at once).
    if (!detach && !(input.interactive && input.tty)) return runAttached(ctx, input);
    const rec = await ctx.client.containers.create.mutate({ spec: input as never, start: true });
    // -it: the command runs on this terminal; the container ends with it (see isSession).
    if (!detach) return runTerminal(ctx.env, { container: rec.id, attach: '1' }, { tty: true });
    return print(rec.id);
  },
};

const createCommand: Command = {
  name: 'create',
  summary: 'Create a container without starting it',
  usage: 'cgdash create [OPTIONS as run] IMAGE [CMD...]',
  async run(ctx, argv) {
    print((await createFromArgs(ctx, argv, false)).id);
  },
};

/** start, stop, restart, pause, unpause, rm, kill: one or more containers each. */
function lifecycle(name: 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'rm' | 'kill', summary: string, flags: FlagSpec[], usage: string): Command {
  return {
    name,
    summary,
    usage,
    async run({ client }, argv) {
      const args = parseArgs(argv, flags);
      if (!args.positionals.length) throw new UsageError(`usage: ${usage}`);
      const timeoutSec = int(args, 'time');
      let failed = 0;
      for (const ref of args.positionals) {
        try {
          if (name === 'start') await client.containers.start.mutate({ ref });
          else if (name === 'stop') await client.containers.stop.mutate({ ref, timeoutSec });
          else if (name === 'restart') await client.containers.restart.mutate({ ref, timeoutSec });
          else if (name === 'pause') await client.containers.pause.mutate({ ref });
          else if (name === 'unpause') await client.containers.unpause.mutate({ ref });
          else if (name === 'rm') await client.containers.remove.mutate({ ref, force: bool(args, 'force') });
          else await client.containers.kill.mutate({ ref, signal: str(args, 'signal') ?? 'SIGKILL' });
          print(ref);
        } catch (err) {
          failed++;
          process.stderr.write(`cgdash: ${ref}: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
      return failed ? 1 : 0;
    },
  };
}

const psCommand: Command = {
  name: 'ps',
  summary: 'List containers (-a: stopped ones too; --host: host processes)',
  usage: 'cgdash ps [-a] [-q] [--json]   |   cgdash ps --host [--json]',
  async run(ctx, argv) {
    const args = parseArgs(argv, [json, { name: 'all', short: 'a', type: 'boolean' }, { name: 'quiet', short: 'q', type: 'boolean' }, { name: 'host', type: 'boolean' }]);
    if (bool(args, 'host')) return hostPs(ctx, bool(args, 'json'));
    const all = await ctx.client.containers.list.query({ all: true });
    const rows = bool(args, 'all') ? all : all.filter((c) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting');
    if (bool(args, 'json')) return print(toJson(rows));
    if (bool(args, 'quiet')) return print(rows.map((c) => c.id.slice(0, 12)).join('\n'));
    print(
      table(
        ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'TENANT', 'NAMES'],
        rows.map((c) => [
          c.id.slice(0, 12),
          c.imageRef,
          JSON.stringify([...(c.spec.entrypoint ?? []), ...(c.spec.command ?? [])].join(' ')).slice(0, 30),
          ago(c.createdAt),
          c.state === 'exited' ? `Exited (${c.exitCode ?? '?'})${c.oomKilled ? ' OOMKilled' : ''} ${ago(c.finishedAt)}` : `${c.state[0]!.toUpperCase()}${c.state.slice(1)} ${ago(c.startedAt)}`,
          (c.network?.ports ?? []).map((p) => `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', '),
          c.tenant ?? '',
          c.name,
        ]),
      ),
    );
  },
};

async function hostPs(ctx: CommandContext, asJson: boolean) {
  const procs = await ctx.client.processes.list.query();
  if (asJson) return print(toJson(procs));
  print(
    table(
      ['PID', 'PPID', 'USER', 'S', 'RSS', 'CGROUP', 'COMMAND'],
      procs.map((p) => [p.pid, p.ppid, p.user, p.state, p.rssBytes ? formatBytes(p.rssBytes) : '-', (p.cgroups.find((c) => c.hierarchyId === 0) ?? p.cgroups[0])?.path ?? '-', p.command]),
    ),
  );
}

const logsCommand: Command = {
  name: 'logs',
  summary: 'A container\'s output (stderr to stderr)',
  usage: 'cgdash logs [-f] [--tail N] [--since UNIX_MS|ISO] [-t] CONTAINER',
  async run(ctx, argv) {
    const args = parseArgs(argv, [{ name: 'follow', short: 'f', type: 'boolean' }, { name: 'tail', type: 'string' }, { name: 'since', type: 'string' }, { name: 'timestamps', short: 't', type: 'boolean' }]);
    const ref = one(args, 'cgdash logs [-f] CONTAINER');
    const tail = int(args, 'tail');
    const sinceText = str(args, 'since');
    const since = sinceText === undefined ? undefined : /^\d+$/.test(sinceText) ? Number(sinceText) : Date.parse(sinceText);
    if (since !== undefined && Number.isNaN(since)) throw new UsageError('--since: a time in ms since the epoch or ISO 8601');
    const timestamps = bool(args, 'timestamps');
    if (bool(args, 'follow')) {
      for await (const line of subscribe<LogLine>(ctx.env, 'containers.followLogs', { ref, tail, since })) printLogLine(line, timestamps);
      return;
    }
    for (const line of await ctx.client.containers.logs.query({ ref, tail, since })) printLogLine(line, timestamps);
  },
};

const execCommand: Command = {
  name: 'exec',
  summary: 'Run a command in a running container (-it: on this terminal)',
  usage: 'cgdash exec [-it] CONTAINER CMD [ARG...]',
  async run(ctx, argv) {
    const args = parseArgs(argv, [{ name: 'interactive', short: 'i', type: 'boolean' }, { name: 'tty', short: 't', type: 'boolean' }], { stopAtFirstPositional: true });
    const [ref, ...cmd] = args.positionals;
    if (!ref || !cmd.length) throw new UsageError('usage: cgdash exec [-it] CONTAINER CMD [ARG...]');
    if (bool(args, 'tty') || bool(args, 'interactive')) return runTerminal(ctx.env, { container: ref, cmd }, { tty: bool(args, 'tty') });
    const r = await ctx.client.containers.exec.mutate({ ref, cmd });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
  },
};

const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Everything about a container, as JSON',
  usage: 'cgdash inspect CONTAINER',
  async run({ client }, argv) {
    print(toJson(await client.containers.inspect.query({ ref: one(parseArgs(argv, [json]), 'cgdash inspect CONTAINER') })));
  },
};

const topCommand: Command = {
  name: 'top',
  summary: 'The processes of a container',
  usage: 'cgdash top [--json] CONTAINER',
  async run({ client }, argv) {
    const args = parseArgs(argv, [json]);
    const procs = await client.containers.top.query({ ref: one(args, 'cgdash top CONTAINER') });
    if (bool(args, 'json')) return print(toJson(procs));
    print(table(Object.keys(procs[0] ?? { pid: 0 }).map((k) => k.toUpperCase()), procs.map((p) => Object.values(p).map((v) => (Array.isArray(v) ? v.join(' ') : String(v ?? ''))))));
  },
};

const updateCommand: Command = {
  name: 'update',
  summary: 'Change a container\'s limits, live',
  usage: 'cgdash update [--cpus N] [--cpu-weight N] [--cpuset-cpus L] [--cpuset-mems L] [-m SIZE] [--memory-swap SIZE] [--memory-reservation SIZE] [--pids-limit N] CONTAINER   ("max" removes a limit)',
  async run({ client }, argv) {
    const flags: FlagSpec[] = ['cpus', 'cpu-weight', 'cpuset-cpus', 'cpuset-mems', 'memory', 'memory-swap', 'memory-reservation', 'pids-limit'].map((name) => ({ name, type: 'string' as const, short: name === 'memory' ? 'm' : undefined }));
    const args = parseArgs(argv, [...flags, json]);
    const ref = one(args, 'cgdash update [flags] CONTAINER');
    const keys: Record<string, string> = { cpus: 'cpus', 'cpu-weight': 'cpuWeight', 'cpuset-cpus': 'cpusetCpus', 'cpuset-mems': 'cpusetMems', memory: 'memory', 'memory-swap': 'memorySwap', 'memory-reservation': 'memoryReservation', 'pids-limit': 'pidsLimit' };
    const numeric = new Set(['cpus', 'cpuWeight', 'pidsLimit']);
    const limits: Record<string, unknown> = {};
    for (const [flag, key] of Object.entries(keys)) {
      const v = str(args, flag);
      if (v === undefined) continue;
      limits[key] = v === 'max' || v === 'none' ? null : numeric.has(key) ? Number(v) : v;
    }
    if (!Object.keys(limits).length) throw new UsageError('nothing to update: give at least one limit flag');
    const r = await client.containers.update.mutate({ ref, limits: limits as never });
    print(bool(args, 'json') ? toJson(r) : ref);
  },
};

const waitCommand: Command = {
  name: 'wait',
  summary: 'Block until a container stops; print its exit code',
  usage: 'cgdash wait CONTAINER',
  async run({ client }, argv) {
    const r = await client.containers.wait.query({ ref: one(parseArgs(argv, []), 'cgdash wait CONTAINER') });
    print(String(r.exitCode ?? ''));
  },
};

const moveCommand: Command = {
  name: 'move',
  summary: 'Move a container into a tenant\'s slice (or out of any), while it runs',
  usage: 'cgdash move (--tenant T | --no-tenant) CONTAINER',
  async run({ client }, argv) {
    const args = parseArgs(argv, [{ name: 'tenant', type: 'string' }, { name: 'no-tenant', type: 'boolean' }]);
    const ref = one(args, 'cgdash move --tenant T CONTAINER');
    const tenant = str(args, 'tenant');
    if ((tenant === undefined) === !bool(args, 'no-tenant')) throw new UsageError('give exactly one of --tenant T and --no-tenant');
    const rec = await client.containers.move.mutate({ ref, tenant: tenant ?? null });
    print(`${rec.name} -> ${rec.cgroupRef}`);
  },
};

const commitCommand: Command = {
  name: 'commit',
  summary: 'Make an image of a container\'s changes',
  usage: 'cgdash commit [-m MESSAGE] [-a AUTHOR] CONTAINER IMAGE[:TAG]',
  async run({ client }, argv) {
    const args = parseArgs(argv, [{ name: 'message', short: 'm', type: 'string' }, { name: 'author', short: 'a', type: 'string' }]);
    const [ref, target, extra] = args.positionals;
    if (!ref || !target || extra) throw new UsageError('usage: cgdash commit CONTAINER IMAGE[:TAG]');
    const r = await client.containers.commit.mutate({ ref, target, message: str(args, 'message'), author: str(args, 'author') });
    print(r.image);
  },
};

const imagesCommand: Command = {
  name: 'images',
  summary: 'List images',
  usage: 'cgdash images [--json] [-q]',
  async run({ client }, argv) {
    const args = parseArgs(argv, [json, { name: 'quiet', short: 'q', type: 'boolean' }]);
    const images = await client.images.list.query();
    if (bool(args, 'json')) return print(toJson(images));
    if (bool(args, 'quiet')) return print(images.map((i) => i.id).join('\n'));
    const rows = images.flatMap((img) => (img.repoTags.length ? img.repoTags : ['<none>:<none>']).map((tag) => {
      const colon = tag.lastIndexOf(':');
      return [tag.slice(0, colon), tag.slice(colon + 1), img.id, img.created ? ago(Date.parse(img.created)) : '', formatBytes(img.sizeBytes)];
    }));
    print(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows));
  },
};

const loadCommand: Command = {
  name: 'load',
  summary: 'Import a docker-archive (docker save) or oci-archive tarball',
  usage: 'cgdash load -i FILE [--format docker-archive|oci-archive] [--tag NAME:TAG]',
  async run({ env }, argv) {
    const args = parseArgs(argv, [{ name: 'input', short: 'i', type: 'string' }, { name: 'format', type: 'string' }, { name: 'tag', type: 'string' }]);
    const file = str(args, 'input');
    if (!file) throw new UsageError('usage: cgdash load -i FILE');
    const size = (await stat(file)).size;
    const url = new URL('/api/images/import', env.url);
    url.searchParams.set('format', str(args, 'format') ?? 'docker-archive');
    const tag = str(args, 'tag');
    if (tag) url.searchParams.set('tag', tag);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-tar', 'content-length': String(size), ...(env.token ? { authorization: `Bearer ${env.token}` } : {}) },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const body = (await res.json().catch(() => ({}))) as { image?: string; error?: string };
    if (!res.ok) throw new Error(body.error ?? `import failed (${res.status})`);
    print(`Loaded image: ${body.image}`);
  },
};

const pullCommand: Command = {
  name: 'pull',
  summary: 'Pull an image from a registry',
  usage: 'cgdash pull IMAGE[:TAG]',
  async run({ client }, argv) {
    print((await client.images.pull.mutate({ ref: one(parseArgs(argv, []), 'cgdash pull IMAGE') })).image);
  },
};

const rmiCommand: Command = {
  name: 'rmi',
  summary: 'Remove images (refused while a container uses one)',
  usage: 'cgdash rmi IMAGE [IMAGE...]',
  async run({ client }, argv) {
    const args = parseArgs(argv, []);
    if (!args.positionals.length) throw new UsageError('usage: cgdash rmi IMAGE');
    for (const ref of args.positionals) for (const r of (await client.images.remove.mutate({ ref })).removed) print(`Untagged: ${r}`);
  },
};

const tagCommand: Command = {
  name: 'tag',
  summary: 'Give an image another name',
  usage: 'cgdash tag SOURCE TARGET',
  async run({ client }, argv) {
    const [source, target, extra] = parseArgs(argv, []).positionals;
    if (!source || !target || extra) throw new UsageError('usage: cgdash tag SOURCE TARGET');
    await client.images.tag.mutate({ source, target });
  },
};

const networkCommand = group('network', 'Container networks (CNI bridges)', [
  {
    name: 'ls',
    summary: 'List networks',
    usage: 'cgdash network ls [--json]',
    async run({ client }, argv) {
      const args = parseArgs(argv, [json]);
      const nets = await client.networks.list.query();
      if (bool(args, 'json')) return print(toJson(nets));
      print(table(['NAME', 'BRIDGE', 'SUBNET', 'GATEWAY', 'CONTAINERS'], nets.map((n) => [n.name, n.bridge, n.subnet, n.gateway, n.containers.map((c) => c.containerName).join(',')])));
    },
  },
  {
    name: 'create',
    summary: 'Create a bridge network',
    usage: 'cgdash network create [--subnet CIDR] [--gateway IP] NAME',
    async run({ client }, argv) {
      const args = parseArgs(argv, [{ name: 'subnet', type: 'string' }, { name: 'gateway', type: 'string' }]);
      const n = await client.networks.create.mutate({ name: one(args, 'cgdash network create NAME'), subnet: str(args, 'subnet'), gateway: str(args, 'gateway') });
      print(n.name);
    },
  },
  {
    name: 'rm',
    summary: 'Remove a network (refused while containers use it)',
    usage: 'cgdash network rm NAME',
    async run({ client }, argv) {
      const name = one(parseArgs(argv, []), 'cgdash network rm NAME');
      await client.networks.remove.mutate({ name });
      print(name);
    },
  },
]);

export const containerCommands: Command[] = [
  runCommand,
  createCommand,
  lifecycle('start', 'Start stopped containers', [], 'cgdash start CONTAINER...'),
  lifecycle('stop', 'Stop containers (SIGTERM, then SIGKILL after -t seconds)', [{ name: 'time', short: 't', type: 'string' }], 'cgdash stop [-t SECONDS] CONTAINER...'),
  lifecycle('kill', 'Send a signal (default SIGKILL)', [{ name: 'signal', short: 's', type: 'string' }], 'cgdash kill [-s SIGNAL] CONTAINER...'),
  lifecycle('restart', 'Restart containers', [{ name: 'time', short: 't', type: 'string' }], 'cgdash restart [-t SECONDS] CONTAINER...'),
  lifecycle('pause', 'Freeze containers', [], 'cgdash pause CONTAINER...'),
  lifecycle('unpause', 'Thaw containers', [], 'cgdash unpause CONTAINER...'),
  lifecycle('rm', 'Remove containers (-f: running ones too)', [{ name: 'force', short: 'f', type: 'boolean' }], 'cgdash rm [-f] CONTAINER...'),
  psCommand,
  logsCommand,
  execCommand,
  inspectCommand,
  topCommand,
  updateCommand,
  waitCommand,
  commitCommand,
  moveCommand,
  imagesCommand,
  loadCommand,
  pullCommand,
  rmiCommand,
  tagCommand,
  networkCommand,
];
