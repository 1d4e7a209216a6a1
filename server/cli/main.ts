import { UsageError } from './args';
import { cliEnv, createClient, describeError } from './client';
import type { Command } from './command';
import { cgroupCommand, cgroupsCommand } from './commands/cgroup';
import { containerCommands } from './commands/containers';
import { infoCommand, netnsCommand, nsCommand } from './commands/host';
import { auditCommand, tenantCommand, userCommand } from './commands/tenants';

const commands: Command[] = [infoCommand, cgroupsCommand, cgroupCommand, nsCommand, netnsCommand, ...containerCommands, tenantCommand, userCommand, auditCommand];

function usage(): string {
  return [
    'Usage: cgdash COMMAND [OPTIONS]',
    '',
    'A console for cgroups, namespaces and containers. Talks to the cgdash server at',
    'CGDASH_URL (default http://127.0.0.1:3000) with the API token in CGDASH_TOKEN.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run "cgdash COMMAND --help" for a command\'s options. Listings take --json.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`cgdash: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  if (rest[0] === '--help' || rest[0] === '-h') {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  const env = cliEnv();
  try {
    return (await command.run({ client: createClient(env), env }, rest)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`cgdash ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`cgdash: ${describeError(err, env)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cgdash: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
