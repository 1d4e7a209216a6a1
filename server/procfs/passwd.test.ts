import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePasswd, readUserNames, userNameOf } from './passwd';

describe('passwd', () => {
  it('maps uids to names; the first line for a uid wins, like getpwuid', () => {
    const names = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\nalice:x:1000:1000::/home/alice:/bin/sh\ntoor:x:0:0::/:/bin/sh\n');
    expect(names.get(0)).toBe('root');
    expect(names.get(1000)).toBe('alice');
    expect(names.size).toBe(2);
  });

  it('shows an unknown uid as its number', () => {
    expect(userNameOf(new Map([[0, 'root']]), 4242)).toBe('4242');
  });

  it('reads a passwd file, and treats a missing one as empty', async () => {
    const names = await readUserNames(fileURLToPath(new URL('./__fixtures__/passwd', import.meta.url)));
    expect(names.get(1000)).toBe('alice');
    expect(names.get(0)).toBe('root');
    expect((await readUserNames('/nonexistent/passwd')).size).toBe(0);
  });
});
