/**
 * docker-style image references, `[registry[:port]/]path/name[:tag]`, validated with docker's
 * grammar (lowercase path components, a tag of at most 128 word characters). Digests are not
 * accepted: the local store names images by tag, and by id (config digest) for lookups.
 */
import { CgdashError } from '@/server/lib/errors';

export interface ImageReference {
  /** Registry host (with port) when the first component names one, else undefined. */
  registry?: string;
  /** `library/busybox`, `team/app`. */
  path: string;
  tag: string;
}

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const registryComponent = /^(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+|[a-zA-Z0-9-]+)(?::\d{1,5})?$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;

function bad(text: string, why: string): CgdashError {
  return new CgdashError('invalid', `image reference "${text}": ${why}`, { field: 'image', value: text });
}

/** A first component is a registry when it looks like a host: has a dot, a port, or is localhost. */
function isRegistry(component: string): boolean {
  return component === 'localhost' || component.includes('.') || component.includes(':');
}

export function parseImageReference(text: string): ImageReference {
  if (!text || text.length > 255) throw bad(text, 'must be 1..255 characters');
  if (text.includes('@')) throw bad(text, 'digests are not supported here; use name[:tag] or an image id');
  const lastSlash = text.lastIndexOf('/');
  const lastColon = text.lastIndexOf(':');
  let name = text;
  let tag = 'latest';
  if (lastColon > lastSlash) {
    name = text.slice(0, lastColon);
    tag = text.slice(lastColon + 1);
    if (!tagPattern.test(tag)) throw bad(text, `tag "${tag}" must be letters, digits, _ . - (at most 128, not starting with . or -)`);
  }
  const components = name.split('/');
  if (components.some((c) => c === '.' || c === '..')) throw bad(text, '"." and ".." are not names');
  let registry: string | undefined;
  if (components.length > 1 && isRegistry(components[0] ?? '')) {
    registry = components.shift();
    if (!registry || !registryComponent.test(registry)) throw bad(text, `"${registry}" is not a registry host[:port]`);
  }
  if (components.length === 0) throw bad(text, 'has no repository name');
  for (const c of components) {
    if (!pathComponent.test(c)) {
      throw bad(text, `"${c}" must be lowercase letters and digits, separated by . _ __ or -`);
    }
  }
  const ref: ImageReference = { path: components.join('/'), tag };
  if (registry) ref.registry = registry;
  return ref;
}

/** The name the local store files an image under: `busybox:latest`, `localhost:5000/app:v1`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry ? `${ref.registry}/` : ''}${ref.path}:${ref.tag}`;
}

export function normalizeImageReference(text: string): string {
  return formatImageReference(parseImageReference(text));
}

/** docker-archive RepoTags say `docker.io/library/x:tag`; locally that is `x:tag`. */
export function localNameOf(text: string): string {
  const ref = parseImageReference(text);
  if (ref.registry === 'docker.io' || ref.registry === 'index.docker.io') {
    delete ref.registry;
    if (ref.path.startsWith('library/')) ref.path = ref.path.slice('library/'.length);
  }
  return formatImageReference(ref);
}

/** What skopeo should fetch for a local name: docker hub names get docker.io/library. */
export function registryNameOf(text: string): string {
  const ref = parseImageReference(text);
  if (ref.registry) return formatImageReference(ref);
  const path = ref.path.includes('/') ? ref.path : `library/${ref.path}`;
  return `docker.io/${path}:${ref.tag}`;
}
