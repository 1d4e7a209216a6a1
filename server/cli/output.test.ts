import { describe, expect, it } from 'vitest';
import { table, toJson } from './output';

describe('table', () => {
  it('pads columns to the widest cell and leaves the last one unpadded', () => {
    expect(table(['PID', 'COMMAND'], [[1, 'init'], [12345, 'sleep 60']])).toBe('PID     COMMAND\n1       init\n12345   sleep 60');
  });
});

describe('toJson', () => {
  it('prints safe bigints as numbers and huge ones as exact strings', () => {
    expect(toJson({ a: 5n, b: 2n ** 64n })).toBe('{\n  "a": 5,\n  "b": "18446744073709551616"\n}');
  });
});
