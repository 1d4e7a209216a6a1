import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from './units';

describe('parseSize', () => {
  it('reads docker-style sizes in binary units', () => {
    expect(parseSize('256M')).toBe(268435456n);
    expect(parseSize('1g')).toBe(1073741824n);
    expect(parseSize('512k')).toBe(524288n);
    expect(parseSize('1048576')).toBe(1048576n);
    expect(parseSize('1.5G')).toBe(1610612736n);
  });
  it('treats max/-1/none as no limit', () => {
    expect(parseSize('max')).toBeNull();
    expect(parseSize('-1')).toBeNull();
    expect(parseSize('none')).toBeNull();
  });
  it('names the field in its error', () => {
    expect(() => parseSize('12 parsecs', 'memory')).toThrow(/memory: "12 parsecs" is not a size/);
    expect(() => parseSize('', 'memory')).toThrow(/not a size/);
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(268435456n)).toBe('256 MiB');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(null)).toBe('—');
  });
});
