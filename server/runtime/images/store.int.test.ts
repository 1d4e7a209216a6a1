import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execOk } from '@/server/lib/exec';
import { tempImageStore, type ImageStore } from './store';

let store: ImageStore;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ store, dir, cleanup } = await tempImageStore());
});
afterAll(async () => {
  await cleanup();
});

describe('ImageStore (real umoci/skopeo)', () => {
  it('builds busybox offline on first use', async () => {
    expect(await store.list()).toEqual([]);
    const img = await store.get('busybox');
    expect(img.ref).toBe('busybox:latest');
    expect(img.config.config?.Cmd).toEqual(['sh']);
    expect(img.config.config?.Env?.[0]).toMatch(/^PATH=/);
    const list = await store.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ repoTags: ['busybox:latest'], id: img.configDigest.slice(7, 19) });
    expect(list[0]?.sizeBytes).toBeGreaterThan(500_000);
  });

  it('inspects layers, config and history', async () => {
    const d = await store.inspect('busybox');
    expect(d.layers).toHaveLength(1);
    expect(d.layers[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(d.history[0]?.created_by).toMatch(/busybox-static/);
    expect(d.os).toBe('linux');
    expect((await store.inspect(d.id)).digest).toBe(d.digest);
  });

  it('unpacks a bundle with applets, passwd and a sticky /tmp', async () => {
    const bundle = path.join(dir, 'b1');
    await store.unpack('busybox', bundle);
    const rootfs = path.join(bundle, 'rootfs');
    expect(await readlink(path.join(rootfs, 'bin', 'sh'))).toBe('busybox');
    expect(await readFile(path.join(rootfs, 'etc', 'passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
    expect((await stat(path.join(rootfs, 'tmp'))).mode & 0o7777).toBe(0o1777);
  });

  it('unpacks into a user namespace range', async () => {
    const bundle = path.join(dir, 'b2');
    await store.unpack('busybox', bundle, { containerId: 0, hostId: 100000, size: 65536 });
    const s = await lstat(path.join(bundle, 'rootfs', 'bin', 'busybox'));
    expect(s.uid).toBe(100000);
    expect(s.gid).toBe(100000);
  });

  it('tags and removes (untag, then gc)', async () => {
    await store.tag('busybox', 'mine/box:v1');
    const list = await store.list();
    expect(list).toHaveLength(1);
    expect(list[0]?.repoTags.sort()).toEqual(['busybox:latest', 'mine/box:v1']);
    expect(await store.remove('mine/box:v1')).toEqual(['mine/box:v1']);
    expect((await store.list())[0]?.repoTags).toEqual(['busybox:latest']);
    await expect(store.remove('nope:1')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('imports a docker-archive and an oci-archive', async () => {
    const dockerTar = path.join(dir, 'saved.tar');
    const ociTar = path.join(dir, 'oci.tar');
    await execOk('skopeo', ['copy', '--insecure-policy', '--quiet', `oci:${store.layout}:busybox:latest`, `docker-archive:${dockerTar}:docker.io/library/saved:v2`]);
    await execOk('skopeo', ['copy', '--insecure-policy', '--quiet', `oci:${store.layout}:busybox:latest`, `oci-archive:${ociTar}:other:v3`]);
    expect(await store.importArchive(dockerTar, 'docker-archive')).toBe('saved:v2');
    expect(await store.importArchive(ociTar, 'oci-archive')).toBe('other:v3');
    expect(await store.importArchive(ociTar, 'oci-archive', 'renamed')).toBe('renamed:latest');
    const tags = (await store.list()).flatMap((i) => i.repoTags).sort();
    expect(tags).toEqual(expect.arrayContaining(['saved:v2', 'other:v3', 'renamed:latest']));
    await expect(store.importArchive(path.join(dir, 'missing.tar'), 'docker-archive')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(store.importArchive(path.join(store.layout, 'index.json'), 'docker-archive')).rejects.toMatchObject({ kind: 'invalid' });
    for (const t of ['saved:v2', 'other:v3', 'renamed']) await store.remove(t);
  });

  it('pull says unavailable when the registry cannot be reached', async () => {
    await expect(store.pull('localhost:1/nothing:here', { timeoutMs: 5000 })).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(store.pull('Bad//ref')).rejects.toMatchObject({ kind: 'invalid' });
    expect((await store.list()).flatMap((i) => i.repoTags)).toEqual(['busybox:latest']);
  });
});
