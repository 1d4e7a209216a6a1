import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@/server/cgroup/testing';
import { createSampler } from '.';
import { FIELD_NAMES } from './fields';
import { FILE_KINDS } from './kinds';
import { ADDON_RELATIVE_PATH, checkAddon, loadNativeSampler, nativeAddonCandidates } from './loadNative';
import { planTarget } from './plan';
import { requireNativeAddon, rowOf } from './testing';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('loadNativeSampler', () => {
  it('looks in the project root found above this module, after CGDASH_NATIVE_SAMPLER', () => {
    const candidates = nativeAddonCandidates({ CGDASH_NATIVE_SAMPLER: '/opt/x.node' });
    expect(candidates[0]).toBe('/opt/x.node');
    expect(candidates).toContain(path.join(projectRoot, ADDON_RELATIVE_PATH));
    expect(new Set(candidates).size).toBe(candidates.length);
  });

  it('says for every path it tried why it failed', () => {
    const missing = '/nonexistent/cgdash_sampler.node';
    const notAddon = path.join(fixturePath('v1'), 'proc/4242/cgroup');
    const r = loadNativeSampler({ candidates: [missing, notAddon] });
    expect(r.ok).toBe(false);
    expect(r.tried).toEqual([
      { path: missing, error: expect.stringMatching(/not built \(no such file\).*node-gyp rebuild/) },
      { path: notAddon, error: expect.stringMatching(/^cannot load: /) },
    ]);
  });

  it('refuses an addon built from other field or kind lists', () => {
    const good = { Sampler: class {}, abiVersion: 3, fieldNames: FIELD_NAMES, fileKinds: [...FILE_KINDS], userHz: 100 };
    expect(checkAddon(good as never)).toBeNull();
    const swapped = [...FIELD_NAMES];
    [swapped[0], swapped[1]] = [swapped[1] ?? '', swapped[0] ?? ''];
    expect(checkAddon({ ...good, fieldNames: swapped } as never)).toMatch(/field list differs at index 0.*rebuild/);
    expect(checkAddon({ ...good, fileKinds: FILE_KINDS.slice(1) } as never)).toMatch(/file kind list differs at index 0/);
    expect(checkAddon({ ...good, abiVersion: 1 } as never)).toMatch(/ABI 1, expected 3/);
    expect(checkAddon({ ...good, userHz: 250 } as never)).toMatch(/USER_HZ is 250/);
  });

  it('loads the built addon and createSampler says which sampler runs', async () => {
    expect(existsSync(path.join(projectRoot, ADDON_RELATIVE_PATH))).toBe(true);
    requireNativeAddon();
    const auto = createSampler();
    expect(auto.kind).toBe('native');
    expect(auto.reason).toContain(ADDON_RELATIVE_PATH);
    const ts = createSampler({ prefer: 'ts' });
    expect(ts.kind).toBe('ts');
    await Promise.all([auto.close(), ts.close()]);
  });

  it('opens only the files of the fields asked for, with either sampler', async () => {
    const dir = path.join(fixturePath('v2'), 'sys/fs/cgroup/system.slice');
    for (const prefer of ['native', 'ts'] as const) {
      const s = createSampler({ prefer, fields: ['pidsCurrent', 'psiIoFullTotalUsec'] });
      try {
        await s.setTargets([{ key: 1, dirs: [{ dir, version: 2, controllers: ['cpu', 'memory', 'io', 'pids'] }] }]);
        expect(s.openedFiles().map((f) => path.basename(f.path))).toEqual(['pids.current', 'io.pressure']);
        expect(rowOf(await s.sample(), 0)).toEqual({ 'pids.current': 3n, 'io.pressure.full.total': 0n });
      } finally {
        await s.close();
      }
    }
  });
});

describe('the raw addon boundary', () => {
  const dir = path.join(fixturePath('v2'), 'sys/fs/cgroup/system.slice');
  const spec = { key: 7, dirs: [dir], files: planTarget([{ dir, version: 2, controllers: ['memory'] }]) };

  it('checks its arguments with TypeErrors that carry a code, and changes nothing', () => {
    const s = new (requireNativeAddon().Sampler)();
    try {
      s.setTargets([spec]);
      const before = s.openedFiles();
      expect(before.length).toBeGreaterThan(0);
      const bad: [unknown, RegExp][] = [
        ['nope', /targets must be an array/],
        [[{ ...spec, key: 1.5 }], /key must be an integer/],
        [[{ ...spec, key: 2 ** 32 }], /key must be an integer/],
        [[{ ...spec, dirs: ['relative'] }], /absolute path/],
        [[{ ...spec, dirs: [`${dir}\0x`] }], /NUL byte/],
        [[{ ...spec, files: [{ dir: 1, name: 'memory.stat', kind: 'v2.memory.stat', fieldMask: 1 }] }], /dir must be an integer from 0 to 0/],
        [[{ ...spec, files: [{ dir: 0, name: '../x', kind: 'v2.memory.stat', fieldMask: 1 }] }], /not a file name/],
        [[{ ...spec, files: [{ dir: 0, name: 'x', kind: 'v9.nope', fieldMask: 1 }] }], /unknown file kind/],
        [[spec, spec], /key 7 is given twice/],
      ];
      for (const [arg, message] of bad) {
        let caught: unknown;
        try {
          s.setTargets(arg as never);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(TypeError);
        expect((caught as Error).message).toMatch(message);
        expect((caught as { code?: string }).code).toMatch(/^ERR_INVALID_ARG_(TYPE|VALUE)$/);
        expect(s.openedFiles()).toEqual(before);
      }
    } finally {
      s.close();
    }
  });

  it('finishes a sweep in flight when the targets change or the sampler closes under it', async () => {
    const s = new (requireNativeAddon().Sampler)();
    s.setTargets([spec]);
    const inFlight = s.sample();
    s.setTargets([]);
    s.close();
    const batch = await inFlight;
    expect([...batch.keys]).toEqual([7]);
    expect(batch.present[0]).not.toBe(0);
    expect(batch.errors).toEqual([]);
    await expect(s.sample()).rejects.toMatchObject({ code: 'ERR_SAMPLER_CLOSED' });
    expect(() => s.setTargets([])).toThrow(/closed/);
  });

  it('sweeps several samplers in one job, each batch the same as its own sweep gives', async () => {
    const addon = requireNativeAddon();
    const other = path.join(fixturePath('v2'), 'sys/fs/cgroup/system.slice/cgdash.service/cgdash/web');
    const a = new addon.Sampler();
    const b = new addon.Sampler();
    const empty = new addon.Sampler();
    try {
      a.setTargets([spec]);
      b.setTargets([{ key: 9, dirs: [other], files: planTarget([{ dir: other, version: 2, controllers: ['memory', 'pids'] }]) }]);
      const together = await addon.sampleAll([a, empty, b]);
      expect(together.map((batch) => [...batch.keys])).toEqual([[7], [], [9]]);
      const alone = [await a.sample(), await empty.sample(), await b.sample()];
      // Fixture files do not change: the same values, fields and errors either way.
      for (const [i, batch] of together.entries()) {
        expect([...batch.values]).toEqual([...alone[i]!.values]);
        expect([...batch.present]).toEqual([...alone[i]!.present]);
        expect(batch.errors).toEqual(alone[i]!.errors);
        expect(batch.finishedNs >= batch.startedNs).toBe(true);
      }
      expect(together[2]!.startedNs >= together[0]!.finishedNs).toBe(true); // one after another, in order
      expect(await addon.sampleAll([])).toEqual([]);
    } finally {
      a.close();
      b.close();
      empty.close();
    }
  });

  it('sample and sampleAll take skip masks, checked with errors that carry a code', async () => {
    const addon = requireNativeAddon();
    const s = new addon.Sampler();
    try {
      s.setTargets([spec]);
      const whole = await s.sample();
      const skipped = await s.sample(Uint32Array.of(0xffffffff));
      expect(whole.present[0]).not.toBe(0);
      expect(skipped.present[0]).toBe(0);
      expect(skipped.errors).toEqual([]);
      expect((await s.sample(null)).present[0]).toBe(whole.present[0]);
      const [viaAll] = await addon.sampleAll([s], [Uint32Array.of(0xffffffff)]);
      expect(viaAll!.present[0]).toBe(0);
      // The worker reads a copy: changing the array after the call changes nothing.
      const masks = Uint32Array.of(0xffffffff);
      const pending = s.sample(masks);
      masks[0] = 0;
      expect((await pending).present[0]).toBe(0);
      expect(() => s.sample(new Uint32Array(2))).toThrow(RangeError);
      expect(() => s.sample(new Uint32Array(2))).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: expect.stringMatching(/2 masks for 1 targets/) }));
      expect(() => s.sample(Int32Array.of(0) as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
      expect(() => s.sample([0] as never)).toThrow(/skip must be a Uint32Array/);
      expect(() => addon.sampleAll([s], 'x' as never)).toThrow(/skips must be an array/);
      expect(() => addon.sampleAll([s], [])).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
      expect(() => addon.sampleAll([s], [new Uint32Array(3)])).toThrow(/3 masks for 1 targets/);
    } finally {
      s.close();
    }
  });

  it('sampleAll refuses what is not a Sampler, and a closed one', async () => {
    const addon = requireNativeAddon();
    const s = new addon.Sampler();
    expect(() => addon.sampleAll({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => addon.sampleAll([s, {}] as never)).toThrow(/element 1 is not a Sampler/);
    expect(() => addon.sampleAll([Object.create(s) as never])).toThrow(/element 0 is not a Sampler/);
    s.close();
    await expect(addon.sampleAll([s])).rejects.toMatchObject({ code: 'ERR_SAMPLER_CLOSED' });
  });
});
