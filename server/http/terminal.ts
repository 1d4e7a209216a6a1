import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Services } from '../app';
import { authenticateRequest } from './authenticate';

/**
 * Terminal protocol on /ws/exec?container=REF&cmd=sh&cols=80&rows=24 (or &attach=1 for the
 * session command of a `run -it` container):
 *   client → server: binary frames are keystrokes; text frames are JSON control messages
 *                    ({"type":"resize","cols":N,"rows":N}).
 *   server → client: binary frames are terminal output; a final text frame
 *                    {"type":"exit","exitCode":N} before the close.
 */
export interface ResizeMessage {
  type: 'resize';
  cols: number;
  rows: number;
}

const clampSize = (n: number, fallback: number) => (Number.isInteger(n) && n >= 1 && n <= 1000 ? n : fallback);

/** Commands run with `runc exec -t` under node-pty, argument arrays only. */
function parseCommand(url: URL): string[] {
  const cmd = url.searchParams.getAll('cmd');
  return cmd.length ? cmd.slice(0, 64).map((c) => c.slice(0, 4096)) : ['sh'];
}

export function terminalUpgradeHandler(services: Services) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  return (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws/exec') return false;
    // A WebSocket carries cookies from any page that opens it: treat it as a mutation.
    const auth = authenticateRequest(services, req, { mutation: true });
    const refuse = (status: number, message: string) => {
      socket.write(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Bad Request'}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${message}\n`);
      socket.destroy();
      return true;
    };
    if (!auth.ok) return refuse(auth.status, auth.message);
    if (auth.principal.role === 'viewer') return refuse(403, 'viewers cannot open a terminal');
    if (services.settings.readOnlyReason) return refuse(403, services.settings.readOnlyReason);
    let containerId: string;
    try {
      const rec = services.containers.get(auth.principal, url.searchParams.get('container') ?? '');
      if (rec.state !== 'running') return refuse(400, `container ${rec.name} is ${rec.state}, not running`);
      containerId = rec.id;
    } catch (err) {
      return refuse(404, err instanceof Error ? err.message : 'no such container');
    }
    const attach = url.searchParams.get('attach') === '1';
    const cmd = parseCommand(url);
    const cols = clampSize(Number(url.searchParams.get('cols')), 80);
    const rows = clampSize(Number(url.searchParams.get('rows')), 24);
    wss.handleUpgrade(req, socket, head, (ws) => {
      services.auth.audit.record({ userId: auth.principal.userId, userName: auth.principal.name, action: attach ? 'containers.attach' : 'containers.terminal', target: containerId, params: attach ? {} : { cmd }, ip: req.socket.remoteAddress ?? null, result: 'ok', message: null });
      // attach: the session command of a `run -it` container; its end ends the container.
      const argv = attach ? services.engine.sessionArgv(containerId) : Promise.resolve(services.engine.execArgv(containerId, cmd, { tty: true }));
      argv.then(
        (a) => attachPty(ws, a, cols, rows, attach ? (code) => void services.engine.endSession(containerId, code).catch(() => undefined) : undefined),
        (err: unknown) => {
          ws.send(JSON.stringify({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
          ws.close(1011);
        },
      );
    });
    return true;
  };
}

function attachPty(ws: WebSocket, argv: string[], cols: number, rows: number, onExit?: (exitCode: number) => void): void {
  const [file, ...args] = argv;
  let pty: IPty;
  try {
    pty = spawnPty(file!, args, { name: 'xterm-256color', cols, rows, env: { TERM: 'xterm-256color', PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  } catch (err) {
    ws.send(JSON.stringify({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
    ws.close(1011);
    return;
  }
  pty.onData((data) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.from(data, 'utf8'));
  });
  pty.onExit(({ exitCode }) => {
    onExit?.(exitCode);
    if (ws.readyState === ws.OPEN) {
      ws.send(JSON.stringify({ type: 'exit', exitCode }));
      ws.close(1000);
    }
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      pty.write(buf.toString('utf8'));
      return;
    }
    try {
      const msg = JSON.parse(buf.toString('utf8')) as Partial<ResizeMessage>;
      if (msg.type === 'resize') pty.resize(clampSize(Number(msg.cols), cols), clampSize(Number(msg.rows), rows));
    } catch {
      /* not a control message: ignore */
    }
  });
  ws.on('close', () => {
    try {
      pty.kill();
    } catch {
      /* already gone */
    }
  });
}
