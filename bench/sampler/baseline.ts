/**
 * The C baseline (baseline.c) as a child process that keeps its files open and sweeps on
 * request, so that its sweeps can alternate one by one with the samplers' under the same load.
 * server/lib/exec.ts runs a command to its end; this child answers line by line for the whole
 * benchmark, hence a plain spawn (argument array, no shell).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { execOk } from '@/server/lib/exec';
import type { SweepTime } from './measure';

/** Compile baseline.c with the flags the comparison is quoted for. */
export async function buildBaseline(sourceDir: string, outDir: string): Promise<string> {
  const bin = path.join(outDir, 'sampler-baseline');
  await execOk('cc', ['-O2', '-Wall', '-Wextra', '-o', bin, path.join(sourceDir, 'baseline.c')]);
  return bin;
}

export class Baseline {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly files: number,
  ) {}

  static async start(bin: string, listFile: string): Promise<Baseline> {
    const child = spawn(bin, [listFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    const m = /^ready (\d+)$/.exec(first.done ? '' : first.value);
    if (!m) {
      child.kill('SIGKILL');
      throw new Error(`the C baseline did not start: ${stderr.trim() || 'no output'}`);
    }
    return new Baseline(child, lines, Number(m[1]));
  }

  async sweep(): Promise<SweepTime> {
    this.child.stdin.write('sweep\n');
    const line = await this.lines.next();
    const m = /^(\d+) (\d+)$/.exec(line.done ? '' : line.value);
    if (!m) throw new Error(`the C baseline answered ${JSON.stringify(line.value)}`);
    return { wallNs: Number(m[1]), cpuNs: Number(m[2]) };
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }
}
