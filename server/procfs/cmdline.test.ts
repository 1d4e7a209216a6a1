import { describe, expect, it } from 'vitest';
import { commandOf, parseCmdline } from './cmdline';

describe('parseCmdline', () => {
  it('splits on NUL and drops the final terminator only', () => {
    expect(parseCmdline(Buffer.from('dash\0-c\0sleep 30; :\0x\0\0\0'))).toEqual(['dash', '-c', 'sleep 30; :', 'x', '', '']);
  });
  it('tolerates a rewritten argv without a final NUL', () => {
    expect(parseCmdline(Buffer.from('nginx: worker process'))).toEqual(['nginx: worker process']);
  });
  it('is empty for kernel threads and zombies', () => {
    expect(parseCmdline(Buffer.alloc(0))).toEqual([]);
  });
});

describe('commandOf', () => {
  it('joins arguments like ps -o args', () => {
    expect(commandOf(['sleep', '60'], 'sleep', 'S')).toBe('sleep 60');
  });
  it('makes control characters visible like ps: newline as space, the rest as ?', () => {
    expect(commandOf(['dash', '-c', 'sleep 32; :', 'a\tb\nc\x1b[31md\x7fe\x01f', 'é€'], 'dash', 'S')).toBe(
      'dash -c sleep 32; : a?b c?[31md?e?f é€',
    );
    expect(commandOf([], 'bad\x1bname', 'S')).toBe('[bad?name]');
  });
  it('brackets comm when there are no arguments, as ps does', () => {
    expect(commandOf([], 'kthreadd', 'S')).toBe('[kthreadd]');
    expect(commandOf([], 'sh', 'Z')).toBe('[sh] <defunct>');
  });
});
