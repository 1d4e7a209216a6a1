import WebSocket from 'ws';
import type { CliEnv } from './client';

/**
 * A terminal session over the server's /ws/exec WebSocket, in this terminal: raw mode,
 * keystrokes out, output in, window size followed. Resolves with the remote exit code.
 */
export function runTerminal(env: CliEnv, params: Record<string, string | string[]>, options: { tty: boolean }): Promise<number> {
  const url = new URL('/ws/exec', env.url.replace(/^http/, 'ws'));
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
  if (process.stdout.columns) url.searchParams.set('cols', String(process.stdout.columns));
  if (process.stdout.rows) url.searchParams.set('rows', String(process.stdout.rows));
  const ws = new WebSocket(url, { headers: env.token ? { authorization: `Bearer ${env.token}` } : {} });
  const stdin = process.stdin;
  let exitCode = 0;
  return new Promise((resolve, reject) => {
    const restore = () => {
      if (options.tty && stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      process.stdout.off('resize', onResize);
    };
    const onResize = () => ws.send(JSON.stringify({ type: 'resize', cols: process.stdout.columns, rows: process.stdout.rows }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => reject(new Error(body.trim() || `the server refused the terminal (${res.statusCode})`)));
    });
    ws.on('error', (err) => {
      restore();
      reject(err);
    });
    ws.on('open', () => {
      if (options.tty && stdin.isTTY) stdin.setRawMode(true);
      stdin.resume();
      stdin.on('data', (b: Buffer) => ws.send(b, { binary: true }));
      process.stdout.on('resize', onResize);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        process.stdout.write(data);
        return;
      }
      const msg = JSON.parse(data.toString()) as { type: string; exitCode?: number; message?: string };
      if (msg.type === 'exit') exitCode = msg.exitCode ?? 0;
      if (msg.type === 'error') process.stderr.write(`cgdash: ${msg.message}\n`);
    });
    ws.on('close', () => {
      restore();
      resolve(exitCode);
    });
  });
}
