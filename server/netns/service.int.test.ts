import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db';
import { addNetns, deleteNetns, netnsExists } from '../namespaces';
import { netnsMigrations } from './schema';
import { NetnsService } from './service';

describe('NetnsService on the real /run/netns', () => {
  const made: string[] = [];
  const name = () => {
    const n = `cgdash-test-${randomBytes(4).toString('hex')}`;
    made.push(n);
    return n;
  };
  afterAll(async () => {
    for (const n of made) if (await netnsExists(n)) await deleteNetns(n);
  });

  it('adds, lists as owned, and deletes its own namespace', async () => {
    const svc = new NetnsService(openDatabase(':memory:', netnsMigrations));
    const n = name();
    await svc.add(n, 'admin');
    expect((await svc.list()).find((e) => e.name === n)).toMatchObject({ owned: true });
    await svc.remove(n);
    expect(await netnsExists(n)).toBe(false);
    await expect(svc.remove(n)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('refuses to delete a namespace it did not make unless confirmed', async () => {
    const svc = new NetnsService(openDatabase(':memory:', netnsMigrations));
    const n = name();
    await addNetns(n);
    expect((await svc.list()).find((e) => e.name === n)).toMatchObject({ owned: false });
    await expect(svc.remove(n)).rejects.toThrow(/not created by cgdash/);
    expect(await netnsExists(n)).toBe(true);
    await svc.remove(n, { allowUnmanaged: true });
    expect(await netnsExists(n)).toBe(false);
  });

  it('refuses bad names before touching anything', async () => {
    const svc = new NetnsService(openDatabase(':memory:', netnsMigrations));
    await expect(svc.add('../etc', 'admin')).rejects.toMatchObject({ kind: 'invalid' });
    await expect(svc.add('a b; rm -rf /', 'admin')).rejects.toMatchObject({ kind: 'invalid' });
  });
});
