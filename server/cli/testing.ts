import { spawn } from 'node:child_process';
import path from 'node:path';

export const cliEntry = path.join(__dirname, 'main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real CLI (from source, through tsx) against a server, as a user would. */
export function cgdash(server: { url: string; adminToken?: string }, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
      env: { ...process.env, CGDASH_URL: server.url, CGDASH_TOKEN: server.adminToken ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
