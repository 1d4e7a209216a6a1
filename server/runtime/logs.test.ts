import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followLogs, parseLog, parseLogRecord, readLogs } from './logs';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-logs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ts = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, '0')}.123456789+00:00`;

describe('k8s-file log', () => {
  it('parses records, including an empty line', () => {
    expect(parseLogRecord(`${ts(1)} stdout F hello world`)).toEqual({ time: ts(1), stream: 'stdout', partial: false, text: 'hello world' });
    expect(parseLogRecord(`${ts(1)} stderr F `)).toEqual({ time: ts(1), stream: 'stderr', partial: false, text: '' });
    expect(parseLogRecord('garbage')).toBeNull();
  });

  it('joins partial records per stream', () => {
    const lines = parseLog([
      `${ts(1)} stdout P abc`,
      `${ts(1)} stderr F err`,
      `${ts(2)} stdout P def`,
      `${ts(2)} stdout F ghi`,
      '',
    ].join('\n'));
    expect(lines.map((l) => [l.stream, l.text])).toEqual([['stderr', 'err'], ['stdout', 'abcdefghi']]);
    expect(lines[1]?.time).toBe(ts(1)); // a joined line keeps its first record's time
  });

  it('tail and since', async () => {
    const file = path.join(dir, 'a.log');
    await writeFile(file, [1, 2, 3, 4].map((s) => `${ts(s)} stdout F line${s}`).join('\n') + '\n');
    expect((await readLogs(file, { tail: 2 })).map((l) => l.text)).toEqual(['line3', 'line4']);
    expect((await readLogs(file, { tail: 0 }))).toEqual([]);
    expect((await readLogs(file, { since: new Date(Date.parse(ts(3))) })).map((l) => l.text)).toEqual(['line3', 'line4']);
    expect(await readLogs(path.join(dir, 'missing.log'))).toEqual([]);
  });

  it('follows appended lines and stops when the writer is done', async () => {
    const file = path.join(dir, 'b.log');
    await writeFile(file, `${ts(1)} stdout F first\n${ts(1)} stdout P no newline yet`);
    let done = false;
    const seen: string[] = [];
    const reader = (async () => {
      for await (const line of followLogs(file, { isDone: () => done, pollMs: 20 })) seen.push(line.text);
    })();
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['first']);
    await appendFile(file, `\n${ts(2)} stdout F , now complete\n${ts(3)} stderr F second\n`);
    await new Promise((r) => setTimeout(r, 150));
    done = true;
    await reader;
    expect(seen).toEqual(['first', 'no newline yet, now complete', 'second']);
  });

  it('stops following on abort', async () => {
    const file = path.join(dir, 'c.log');
    await writeFile(file, '');
    const ac = new AbortController();
    const reader = (async () => {
      const out: string[] = [];
      for await (const line of followLogs(file, { signal: ac.signal, pollMs: 20 })) out.push(line.text);
      return out;
    })();
    setTimeout(() => ac.abort(), 50);
    expect(await reader).toEqual([]);
  });
});
