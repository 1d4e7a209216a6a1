/**
 * Waiting for a cgdash server process (or any child) to say it is ready: its stdout and stderr
 * are collected, and the wait ends at the first match of `ready` on stdout, at its exit (an
 * error with what it printed) or after `timeoutMs`. Used by the e2e server, the read-only test
 * and the server benchmark.
 */
import type { ChildProcess } from 'node:child_process';

export interface ReadyProcess {
  /** The match of the ready pattern. */
  match: RegExpExecArray;
  /** Everything the process printed so far (and keeps printing). */
  output(): string;
}

export function waitForReady(child: ChildProcess, ready: RegExp, timeoutMs: number): Promise<ReadyProcess> {
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), timeoutMs);
    const check = () => {
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve({ match, output: () => out });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}
