import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_FIELDS_MASK, FIELD_COUNT, FIELD_NAMES, FIELDS, Field, fieldMask } from './fields';
import { FILE_KINDS, kindFieldMask } from './kinds';

const header = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../native/src/fields.h'), 'utf8');

/** The names of an X-macro list in native/src/fields.h: X(ID, "name") lines after `#define <list>(X)`. */
function xMacroNames(list: string): string[] {
  const start = header.indexOf(`#define ${list}(X)`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = header.slice(start).split('\n\n')[0] ?? '';
  return [...body.matchAll(/X\(\w+, "([^"]+)"\)/g)].map((m) => m[1] ?? '');
}

describe('sampler fields', () => {
  it('are the same list, in the same order, in TypeScript and in the C header', () => {
    expect(xMacroNames('CGDASH_FIELDS')).toEqual(FIELD_NAMES);
  });

  it('has the same file kinds in TypeScript and in the C header', () => {
    expect(xMacroNames('CGDASH_KINDS')).toEqual([...FILE_KINDS]);
  });

  it('fits the 32-bit present mask, one bit per field', () => {
    expect(FIELD_COUNT).toBeLessThanOrEqual(32);
    expect(ALL_FIELDS_MASK.toString(2)).toBe('1'.repeat(FIELD_COUNT));
    expect(new Set(FIELDS.map((f) => f.id)).size).toBe(FIELD_COUNT);
    expect(Field.cpuUsageUsec).toBe(0);
    expect(fieldMask('cpuUsageUsec', 'pidsCurrent')).toBe((1 | (1 << Field.pidsCurrent)) >>> 0);
  });

  it('has every field given by at least one kind of file', () => {
    const covered = FILE_KINDS.reduce((m, k) => (m | kindFieldMask(k)) >>> 0, 0);
    expect(covered).toBe(ALL_FIELDS_MASK);
  });
});
