import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError, type FlagSpec } from './args';

const specs: FlagSpec[] = [
  { name: 'json', type: 'boolean' },
  { name: 'detach', short: 'd', type: 'boolean' },
  { name: 'interactive', short: 'i', type: 'boolean' },
  { name: 'tty', short: 't', type: 'boolean' },
  { name: 'env', short: 'e', type: 'list' },
  { name: 'memory', short: 'm', type: 'string' },
];

describe('parseArgs', () => {
  it('reads long, short, combined and repeated flags', () => {
    const a = parseArgs(['-it', '--memory=256M', '-e', 'A=1', '-eB=2', '--json', 'x'], specs);
    expect(a.flags).toEqual({ interactive: true, tty: true, memory: '256M', env: ['A=1', 'B=2'], json: true });
    expect(a.positionals).toEqual(['x']);
  });

  it('leaves the command after the image alone', () => {
    const a = parseArgs(['-d', 'busybox', 'sh', '-c', 'echo -e hi'], specs, { stopAtFirstPositional: true });
    expect(a.flags).toEqual({ detach: true });
    expect(a.positionals).toEqual(['busybox', 'sh', '-c', 'echo -e hi']);
  });

  it('treats negative numbers as values, and -- as the end of options', () => {
    expect(parseArgs(['--memory', '-1'], specs).flags.memory).toBe('-1');
    expect(parseArgs(['--', '--json'], specs).positionals).toEqual(['--json']);
  });

  it('refuses unknown options and missing values', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow(UsageError);
    expect(() => parseArgs(['-x'], specs)).toThrow(/unknown option -x/);
    expect(() => parseArgs(['--memory'], specs)).toThrow(/--memory needs a value/);
    expect(() => parseArgs(['--json=1'], specs)).toThrow(/takes no value/);
  });
});
