import type { ApiClient, CliEnv } from './client';

export interface CommandContext {
  client: ApiClient;
  env: CliEnv;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(ctx: CommandContext, argv: string[]): Promise<number | void>;
}

/** `cgdash cgroup show|create|...`: a command made of subcommands. */
export function group(name: string, summary: string, subcommands: Command[]): Command {
  const usage = [`cgdash ${name} COMMAND`, '', ...subcommands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`)].join('\n');
  return {
    name,
    summary,
    usage,
    async run(ctx, argv) {
      const [sub, ...rest] = argv;
      const command = subcommands.find((c) => c.name === sub);
      if (!command) {
        process.stderr.write(`${sub ? `cgdash ${name}: unknown command "${sub}"\n\n` : ''}${usage}\n`);
        return 2;
      }
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`${command.usage}\n`);
        return 0;
      }
      return command.run(ctx, rest);
    },
  };
}
