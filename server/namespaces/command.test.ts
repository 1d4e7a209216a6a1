import { describe, expect, it } from 'vitest';
import { lsnsCommand } from './command';

describe('lsnsCommand (the COMMAND column of lsns)', () => {
  it('turns NULs into spaces and drops the final terminator', () => {
    expect(lsnsCommand(Buffer.from('sleep\x0060\x00'), null)).toBe('sleep 60');
  });
  it('keeps empty trailing arguments as trailing spaces, as lsns does', () => {
    expect(lsnsCommand(Buffer.from('dash\0-c\0sleep 30; :\0x\0\0\0'), null)).toBe('dash -c sleep 30; : x  ');
  });
  it('cuts the last byte even when a rewritten argv has no final NUL', () => {
    expect(lsnsCommand(Buffer.from('nginx: worker'), null)).toBe('nginx: worke');
  });
  it('falls back to comm without its newline for kernel threads', () => {
    expect(lsnsCommand(Buffer.alloc(0), Buffer.from('kthreadd\n'))).toBe('kthreadd');
  });
  it('reads at most BUFSIZ (8192) bytes of cmdline', () => {
    const long = Buffer.from(`${'a'.repeat(9000)}\0`);
    expect(lsnsCommand(long, null)).toBe('a'.repeat(8191));
  });
  it('is null when the process is gone', () => {
    expect(lsnsCommand(null, null)).toBeNull();
  });
});
