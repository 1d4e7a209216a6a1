/**
 * The local image store: ONE OCI image layout at `<dataDir>/images`, every image a tag whose
 * name is the full local reference (`busybox:latest`, `localhost:5000/app:v1` — valid OCI
 * ref.names), so layers are shared between images and `umoci gc` frees what no tag uses.
 * umoci writes (new/insert/config/tag/rm/unpack/repack/gc), skopeo imports and pulls; reads
 * go straight to the layout files. Writes are serialised by a mutex: umoci rewrites index.json.
 */
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CgdashError, errnoOf } from '@/server/lib/errors';
import { exec, execOk } from '@/server/lib/exec';
import { Mutex } from '../mutex';
import type { ImageConfig } from '../oci-types';
import { buildBusyboxImage, builtinBusyboxRef } from './busybox';
import { makeBundle, unmountAllUnder } from './rootfs';
import { readImages, readIndex, refNameAnnotation, type LayoutImage } from './layout';
import { localNameOf, normalizeImageReference, registryNameOf } from './reference';

export interface ImageSummary {
  /** First 12 hex digits of the config digest, as docker shows it. */
  id: string;
  /** `sha256:…` of the config. */
  digest: string;
  repoTags: string[];
  /** Bytes stored (compressed layers + config + manifest). */
  sizeBytes: number;
  created: string | null;
}

export interface ImageDetail extends ImageSummary {
  manifestDigest: string;
  architecture: string;
  os: string;
  author: string | null;
  layers: { digest: string; mediaType: string; sizeBytes: number }[];
  config: ImageConfig;
  history: NonNullable<ImageConfig['history']>;
}

export interface IdMappingOption {
  containerId: number;
  hostId: number;
  size: number;
}

export type ArchiveFormat = 'docker-archive' | 'oci-archive';

export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

function summarize(images: LayoutImage[]): ImageSummary[] {
  const byDigest = new Map<string, ImageSummary>();
  for (const img of images) {
    const found = byDigest.get(img.configDigest);
    if (found) {
      found.repoTags.push(img.ref);
      continue;
    }
    byDigest.set(img.configDigest, {
      id: shortId(img.configDigest),
      digest: img.configDigest,
      repoTags: [img.ref],
      sizeBytes: img.sizeBytes,
      created: img.config.created ?? null,
    });
  }
  return [...byDigest.values()];
}

/** skopeo's words for "the registry cannot be reached" — this host is offline for registries. */
const offlinePatterns = /(dial tcp|no such host|lookup .* on|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout|context deadline exceeded|Client\.Timeout|timed out|server misbehaving|temporary failure in name resolution)/i;

export class ImageStore {
  private readonly mutex = new Mutex();

  constructor(readonly layout: string) {}

  private image(ref: string): string {
    return `${this.layout}:${ref}`;
  }

  /** Create the layout if it is not there yet. */
  async init(): Promise<void> {
    try {
      await stat(path.join(this.layout, 'oci-layout'));
      return;
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw err;
    }
    await mkdir(path.dirname(this.layout), { recursive: true });
    await this.mutex.run(async () => {
      try {
        await stat(path.join(this.layout, 'oci-layout'));
      } catch {
        await execOk('umoci', ['init', '--layout', this.layout]);
      }
    });
  }

  async list(): Promise<ImageSummary[]> {
    await this.init();
    return summarize(await readImages(this.layout));
  }

  /** By reference (`busybox` = `busybox:latest`) or by id prefix / full digest. */
  async find(refOrId: string): Promise<LayoutImage[]> {
    await this.init();
    const images = await readImages(this.layout);
    const idText = refOrId.replace(/^sha256:/, '');
    if (/^[a-f0-9]{4,64}$/.test(idText)) {
      const byId = images.filter((i) => i.configDigest.slice('sha256:'.length).startsWith(idText));
      const digests = new Set(byId.map((i) => i.configDigest));
      if (digests.size > 1) throw new CgdashError('invalid', `image id ${refOrId} is ambiguous`, { field: 'image' });
      if (byId.length) return byId;
    }
    const ref = normalizeImageReference(refOrId);
    return images.filter((i) => i.ref === ref);
  }

  /** The image a container would run: found, or the built-in busybox made on first use. */
  async get(refOrId: string): Promise<LayoutImage> {
    const found = await this.find(refOrId);
    if (found[0]) return found[0];
    if (normalizeImageReference(refOrId) === builtinBusyboxRef) {
      await this.ensureBusybox();
      const built = await this.find(builtinBusyboxRef);
      if (built[0]) return built[0];
    }
    throw new CgdashError('not_found', `image ${refOrId} is not in the local store (import it or pull it)`, { field: 'image', value: refOrId });
  }

  async ensureBusybox(): Promise<void> {
    await this.init();
    await this.mutex.run(async () => {
      if ((await readImages(this.layout)).some((i) => i.ref === builtinBusyboxRef)) return;
      await buildBusyboxImage(this.layout, builtinBusyboxRef);
    });
  }

  async inspect(refOrId: string): Promise<ImageDetail> {
    const images = await this.find(refOrId);
    const img = images[0];
    if (!img) throw new CgdashError('not_found', `image ${refOrId} not found`, { field: 'image' });
    const summary = summarize(await readImages(this.layout)).find((s) => s.digest === img.configDigest);
    return {
      ...(summary as ImageSummary),
      manifestDigest: img.manifestDigest,
      architecture: img.config.architecture,
      os: img.config.os,
      author: img.config.author ?? null,
      layers: img.manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, sizeBytes: l.size })),
      config: img.config,
      history: img.config.history ?? [],
    };
  }

  async tag(source: string, target: string): Promise<void> {
    const src = await this.get(source);
    const dst = normalizeImageReference(target);
    await this.mutex.run(() => execOk('umoci', ['tag', '--image', this.image(src.ref), dst]));
  }

  /**
   * Remove a tag, or every tag of an image named by id; then collect unreferenced blobs.
   * Whether a container still needs the image is the engine's call (it knows the containers).
   * Returns the tags removed.
   */
  async remove(refOrId: string): Promise<string[]> {
    const images = await this.find(refOrId);
    if (!images.length) throw new CgdashError('not_found', `image ${refOrId} not found`, { field: 'image' });
    const refs = [...new Set(images.map((i) => i.ref))];
    await this.mutex.run(async () => {
      for (const ref of refs) await execOk('umoci', ['rm', '--image', this.image(ref)]);
      await execOk('umoci', ['gc', '--layout', this.layout]);
      await this.pruneUnpacked();
    });
    return refs;
  }

  /** The tag a `docker save` or OCI archive carries, for when the caller names none. */
  private async archiveTag(file: string, format: ArchiveFormat): Promise<string | null> {
    const member = format === 'docker-archive' ? 'manifest.json' : 'index.json';
    const r = await exec('tar', ['-xOf', file, member], { maxBytes: 4 * 1024 * 1024 });
    if (r.code !== 0) throw new CgdashError('invalid', `${file} is not a ${format} (no ${member}): ${r.stderr.trim()}`, { field: 'file' });
    try {
      if (format === 'docker-archive') {
        const manifest = JSON.parse(r.stdout) as { RepoTags?: string[] | null }[];
        const tag = manifest[0]?.RepoTags?.[0];
        return tag ? localNameOf(tag) : null;
      }
      const index = JSON.parse(r.stdout) as { manifests?: { annotations?: Record<string, string> }[] };
      const name = index.manifests?.[0]?.annotations?.[refNameAnnotation];
      return name && /[:/]/.test(name) ? localNameOf(name) : null;
    } catch (err) {
      throw new CgdashError('invalid', `${file}: ${member} is not valid JSON`, { cause: err, field: 'file' });
    }
  }

  /** Import a `docker save` tarball or an OCI archive. Returns the local reference. */
  async importArchive(file: string, format: ArchiveFormat, tag?: string): Promise<string> {
    await this.init();
    const abs = path.resolve(file);
    try {
      const s = await stat(abs);
      if (!s.isFile()) throw new Error('not a regular file');
    } catch (err) {
      throw new CgdashError('not_found', `archive ${file}: ${(err as Error).message}`, { cause: err, field: 'file' });
    }
    const ref = tag ? normalizeImageReference(tag) : await this.archiveTag(abs, format);
    if (!ref) throw new CgdashError('invalid', `${file} names no image: give a tag to import it as`, { field: 'tag' });
    const r = await this.mutex.run(() =>
      exec('skopeo', ['copy', '--insecure-policy', '--quiet', `${format}:${abs}`, `oci:${this.layout}:${ref}`], { timeoutMs: 300_000 }),
    );
    if (r.code !== 0) throw new CgdashError('invalid', `importing ${file} failed: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`, { field: 'file' });
    return ref;
  }

  /** Pull from a registry. This host may be offline: that becomes a quick 'unavailable'. */
  async pull(refText: string, options: { timeoutMs?: number } = {}): Promise<string> {
    await this.init();
    const ref = normalizeImageReference(refText);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const r = await this.mutex.run(() =>
      exec(
        'skopeo',
        ['--command-timeout', `${Math.ceil(timeoutMs / 1000)}s`, 'copy', '--insecure-policy', '--quiet', '--retry-times', '0', `docker://${registryNameOf(ref)}`, `oci:${this.layout}:${ref}`],
        { timeoutMs: timeoutMs + 5_000 },
      ),
    );
    if (r.code === 0) return ref;
    const detail = r.stderr.trim().split('\n').slice(-1)[0] ?? '';
    if (r.signal === 'SIGKILL' || offlinePatterns.test(detail)) {
      throw new CgdashError('unavailable', `cannot reach the registry for ${registryNameOf(ref)} (offline?): ${detail || 'timed out'}`, { field: 'image', value: ref });
    }
    if (/manifest unknown|not found|unauthorized|denied/i.test(detail)) {
      throw new CgdashError('not_found', `${registryNameOf(ref)} not found in the registry: ${detail}`, { field: 'image', value: ref });
    }
    throw new CgdashError('internal', `pulling ${ref} failed: ${detail}`);
  }

  /** Where unpacked copies of images are kept: `<dataDir>/unpacked/<manifest hex>[-<map>]`. */
  private unpackedDir(img: LayoutImage, idMapping?: IdMappingOption): string {
    const map = idMapping ? `-${idMapping.containerId}.${idMapping.hostId}.${idMapping.size}` : '';
    return path.join(path.dirname(this.layout), 'unpacked', `${img.manifestDigest.replace(/^sha256:/, '')}${map}`);
  }

  /**
   * Unpack an image into a runtime bundle (`<bundle>/rootfs` + umoci's metadata, which commit's
   * repack needs). With a user namespace mapping the files are chowned into the mapped range, so
   * container root owns them. umoci unpack takes ~0.4 s even for busybox, so each image (and
   * mapping) is unpacked once into a cache and each container's rootfs is an overlay on it
   * (rootfs.ts): images are content-addressed, a cached unpack never goes stale, and the
   * bundle's umoci metadata describes the lower layer exactly, so repack finds the changes.
   */
  async unpack(refOrId: string, bundle: string, idMapping?: IdMappingOption): Promise<LayoutImage> {
    const img = await this.get(refOrId);
    const cached = this.unpackedDir(img, idMapping);
    await this.mutex.run(async () => {
      if (await stat(path.join(cached, 'umoci.json')).then(() => true, () => false)) return;
      const partial = `${cached}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      await mkdir(path.dirname(cached), { recursive: true, mode: 0o711 });
      const args = ['unpack', '--image', this.image(img.ref)];
      if (idMapping) {
        const map = `${idMapping.containerId}:${idMapping.hostId}:${idMapping.size}`;
        args.push('--uid-map', map, '--gid-map', map);
      }
      args.push(partial);
      try {
        await execOk('umoci', args, { timeoutMs: 300_000 });
        await rename(partial, cached);
      } catch (err) {
        await rm(partial, { recursive: true, force: true });
        throw err;
      }
    });
    await makeBundle(cached, bundle);
    return img;
  }

  /** The cached unpack's rootfs a bundle's overlay sits on (see rootfs.ts). */
  lowerRootfs(img: LayoutImage, idMapping?: IdMappingOption): string {
    return path.join(this.unpackedDir(img, idMapping), 'rootfs');
  }

  /** Drop cached unpacks of images no longer in the layout (after remove/gc). */
  private async pruneUnpacked(): Promise<void> {
    const dir = path.join(path.dirname(this.layout), 'unpacked');
    const live = new Set((await readIndex(this.layout)).manifests.map((d) => d.digest.replace(/^sha256:/, '')));
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!live.has(name.split(/[-.]/)[0] ?? '')) await rm(path.join(dir, name), { recursive: true, force: true });
    }
  }

  /**
   * `docker commit`: the changes in the bundle's rootfs become a new layer on top of the image
   * the bundle was unpacked from, tagged `target`; the config gets the container's Cmd, Entrypoint
   * and Env and a history entry with author and message.
   */
  async commit(bundle: string, target: string, options: {
    author?: string;
    message?: string;
    createdBy: string;
    entrypoint?: string[];
    cmd?: string[];
    env?: string[];
    /** Container paths that are mount points, not content (volumes, /etc/hosts ...). */
    maskPaths?: string[];
  }): Promise<string> {
    await this.init();
    const ref = normalizeImageReference(target);
    const image = this.image(ref);
    return this.mutex.run(async () => {
      const repack = ['repack', '--image', image, '--history.created_by', options.createdBy];
      if (options.author) repack.push('--history.author', options.author);
      if (options.message) repack.push('--history.comment', options.message);
      for (const p of options.maskPaths ?? []) repack.push('--mask-path', p);
      repack.push(bundle);
      await execOk('umoci', repack, { timeoutMs: 300_000 });
      try {
        const config = ['config', '--image', image, '--no-history'];
        if (options.author) config.push('--author', options.author);
        if (options.entrypoint) {
          config.push('--clear=config.entrypoint');
          for (const a of options.entrypoint) config.push('--config.entrypoint', a);
        }
        if (options.cmd) {
          config.push('--clear=config.cmd');
          for (const a of options.cmd) config.push('--config.cmd', a);
        }
        if (options.env) {
          config.push('--clear=config.env');
          for (const e of options.env) config.push('--config.env', e);
        }
        await execOk('umoci', config);
      } catch (err) {
        await exec('umoci', ['rm', '--image', image]);
        throw err;
      }
      return ref;
    });
  }
}

/** A throw-away store under a temp dir (tests, benchmarks). */
export async function tempImageStore(): Promise<{ store: ImageStore; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cgdash-images-'));
  const store = new ImageStore(path.join(dir, 'images'));
  return { store, dir, cleanup: async () => {
    await unmountAllUnder(dir);
    await rm(dir, { recursive: true, force: true });
  } };
}
