/**
 * Read-only view of an OCI image layout (`index.json`, `blobs/sha256/...`): which tags exist,
 * their manifests, configs and sizes. Writing is left to umoci and skopeo.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CgdashError, errnoOf } from '@/server/lib/errors';
import type { ImageConfig } from '../oci-types';

export const refNameAnnotation = 'org.opencontainers.image.ref.name';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: number;
  manifests: Descriptor[];
}

export interface OciManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface LayoutImage {
  /** The tag in the layout, which is the full local reference (`busybox:latest`). */
  ref: string;
  manifestDigest: string;
  manifest: OciManifest;
  configDigest: string;
  config: ImageConfig;
  /** Bytes stored: manifest + config + compressed layers. */
  sizeBytes: number;
}

/** `sha256:abc…` -> `<layout>/blobs/sha256/abc…`, refusing anything that is not a digest. */
export function blobPath(layout: string, digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new CgdashError('internal', `not a sha256 digest: ${digest}`);
  return path.join(layout, 'blobs', 'sha256', m[1] as string);
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') throw new CgdashError('not_found', `image layout file missing: ${file}`, { cause: err, file });
    throw new CgdashError('internal', `cannot read ${file}: ${String(err)}`, { cause: err, file });
  }
}

export async function readIndex(layout: string): Promise<OciIndex> {
  try {
    await stat(path.join(layout, 'index.json'));
  } catch {
    return { schemaVersion: 2, manifests: [] };
  }
  const index = await readJson<OciIndex>(path.join(layout, 'index.json'));
  // umoci init writes `"manifests": null` for an empty layout
  return { ...index, manifests: index.manifests ?? [] };
}

export async function readImage(layout: string, descriptor: Descriptor): Promise<LayoutImage> {
  const manifest = await readJson<OciManifest>(blobPath(layout, descriptor.digest));
  const config = await readJson<ImageConfig>(blobPath(layout, manifest.config.digest));
  const sizeBytes = descriptor.size + manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0);
  return {
    ref: descriptor.annotations?.[refNameAnnotation] ?? '',
    manifestDigest: descriptor.digest,
    manifest,
    configDigest: manifest.config.digest,
    config,
    sizeBytes,
  };
}

/** Every tagged image of the layout, in index order. */
export async function readImages(layout: string): Promise<LayoutImage[]> {
  const index = await readIndex(layout);
  const images: LayoutImage[] = [];
  for (const d of index.manifests) {
    if (!d.annotations?.[refNameAnnotation]) continue;
    images.push(await readImage(layout, d));
  }
  return images;
}
