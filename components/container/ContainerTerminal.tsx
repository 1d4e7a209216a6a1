'use client';
import '@xterm/xterm/css/xterm.css';
import type { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/Button';
import { ArgvError, splitArgv } from './argv';

type Phase = 'idle' | 'connecting' | 'open' | 'exited' | 'failed';

interface Session {
  /** Changes on every connect, so the same command can be run again. */
  n: number;
  cmd: string[];
  /** The container's own command (a `run -it` container): its end ends the container. */
  attach?: boolean;
}

/** Control frames the server sends as text (terminal output comes as binary frames). */
type ServerMessage = { type: 'exit'; exitCode: number } | { type: 'error'; message: string };

const theme = {
  background: '#09090b',
  foreground: '#e4e4e7',
  cursor: '#7dd3fc',
  selectionBackground: '#0369a166',
  black: '#27272a',
  brightBlack: '#52525b',
};

function execUrl(containerRef: string, session: Session, cols: number, rows: number): string {
  const q = new URLSearchParams({ container: containerRef, cols: String(cols), rows: String(rows) });
  if (session.attach) q.set('attach', '1');
  else for (const word of session.cmd) q.append('cmd', word);
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/exec?${q}`;
}

/**
 * A shell (or any command) in the running container: `runc exec -t` on the server under a pty,
 * xterm.js here, bytes both ways over /ws/exec. The terminal follows the size of its box.
 */
export function ContainerTerminal({ containerRef, running, attachable = false }: { containerRef: string; running: boolean; attachable?: boolean }) {
  const [command, setCommand] = useState('sh');
  const [commandError, setCommandError] = useState<string | null>(null);
  // An interactive tty container (-it) is attached to its own command first.
  const [session, setSession] = useState<Session | null>(() => (running ? (attachable ? { n: 1, cmd: [], attach: true } : { n: 1, cmd: ['sh'] }) : null));
  const [phase, setPhase] = useState<Phase>('idle');
  const [exitCode, setExitCode] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!session || !el) return;
    let disposed = false;
    let ws: WebSocket | null = null;
    let observer: ResizeObserver | null = null;
    let term: Terminal | null = null;
    let exited = false;
    setPhase('connecting');
    setExitCode(null);
    setFailure(null);

    void (async () => {
      // xterm touches `window` when loaded: load it in the browser only.
      const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
      if (disposed) return;
      term = new Terminal({ cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', theme, scrollback: 5000 });
      termRef.current = term;
      const fit = new FitAddon();
      term.loadAddon(fit);
      el.replaceChildren();
      term.open(el);
      fit.fit();
      const socket = new WebSocket(execUrl(containerRef, session, term.cols, term.rows));
      ws = socket;
      socket.binaryType = 'arraybuffer';
      const encoder = new TextEncoder();
      socket.onopen = () => {
        setPhase('open');
        term?.focus();
      };
      socket.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
        if (typeof ev.data !== 'string') {
          term?.write(new Uint8Array(ev.data));
          return;
        }
        try {
          const msg = JSON.parse(ev.data) as ServerMessage;
          if (msg.type === 'exit') {
            exited = true;
            setExitCode(msg.exitCode);
            setPhase('exited');
          } else if (msg.type === 'error') {
            setFailure(msg.message);
            setPhase('failed');
          }
        } catch {
          /* not a control frame */
        }
      };
      socket.onclose = (ev) => {
        if (disposed || exited) return;
        setPhase('failed');
        // A refused upgrade (not running, no right) reaches the browser only as code 1006.
        setFailure(ev.code === 1006 ? 'the server refused or dropped the terminal (is the container still running?)' : `closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
      };
      term.onData((d) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(d));
      });
      term.onResize(({ cols, rows }) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'resize', cols, rows }));
      });
      observer = new ResizeObserver(() => fit.fit());
      observer.observe(el);
    })();

    return () => {
      disposed = true;
      observer?.disconnect();
      ws?.close();
      term?.dispose();
      termRef.current = null;
    };
  }, [containerRef, session]);

  const connect = (e?: FormEvent) => {
    e?.preventDefault();
    try {
      const cmd = splitArgv(command);
      if (!cmd.length) throw new ArgvError('type a command, e.g. sh');
      setCommandError(null);
      setSession((s) => ({ n: (s?.n ?? 0) + 1, cmd }));
    } catch (err) {
      setCommandError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div className="flex flex-col gap-2">
      <form onSubmit={connect} className="flex flex-wrap items-center gap-2" aria-label="Terminal command">
        <label htmlFor="terminal-command" className="text-xs font-medium text-zinc-400">
          Command
        </label>
        <input
          id="terminal-command"
          value={command}
          onChange={(e) => setCommand(e.target.value)}
          aria-invalid={commandError ? true : undefined}
          className="h-8 w-64 rounded-md border border-zinc-700 bg-zinc-900 px-2 font-mono text-sm text-zinc-100 focus:outline-none focus:ring-2 focus:ring-accent-500/60"
        />
        <Button type="submit" size="sm" variant="primary" disabled={!running}>
          {phase === 'open' || phase === 'connecting' ? 'Restart session' : 'Connect'}
        </Button>
        <span role="status" className="text-xs" data-testid="terminal-status" data-phase={phase}>
          {!running && <span className="text-zinc-500">The container is not running: a terminal needs a running container.</span>}
          {running && phase === 'connecting' && <span className="text-zinc-400">connecting…</span>}
          {running && phase === 'open' && (
            <span className="text-emerald-400">{session?.attach ? 'attached to the container\'s command: when it ends, the container stops' : `connected: ${session?.cmd.join(' ')}`}</span>
          )}
          {phase === 'exited' && <span className="text-zinc-300">exited with code {exitCode}</span>}
          {phase === 'failed' && <span className="text-red-400">{failure}</span>}
        </span>
        {commandError && (
          <p role="alert" className="basis-full text-xs text-red-400">
            {commandError}
          </p>
        )}
      </form>
      <div className="rounded-lg border border-zinc-800 bg-[#09090b] p-2">
        <div ref={host} className="h-[60vh] min-h-64" data-testid="terminal" aria-label="terminal" onClick={() => termRef.current?.focus()} />
      </div>
      <p className="text-xs text-zinc-500">Runs with runc exec in all of the container&apos;s namespaces and its cgroup. The session ends when the command exits or you leave this tab.</p>
    </div>
  );
}
