/**
 * Finds and loads the cgdash_sampler addon, and says which paths it tried and why each failed.
 *
 * The code runs from source (tsx, vitest: this file is server/monitor/sampler/loadNative.ts)
 * or bundled by esbuild (dist/server/main.mjs), so the addon is looked up relative to the
 * project root, found by walking up from this module and from the working directory to the
 * package.json named "cgdash". CGDASH_NATIVE_SAMPLER names an addon file explicitly.
 *
 * An addon built from other sources than this TypeScript (a stale build) is refused: its field
 * and file-kind lists must equal fields.ts and kinds.ts, and its USER_HZ the one the cgroup
 * module converts v1 ticks with.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { USER_HZ } from '@/server/cgroup/v1/cpuacct';
import type { NativeSamplerAddon } from '@/native/index';
import { FIELD_NAMES } from './fields';
import { FILE_KINDS } from './kinds';

/** The contract version native/src/addon.c implements (ABI_VERSION there). */
export const NATIVE_ABI_VERSION = 3;
export const ADDON_RELATIVE_PATH = 'native/build/Release/cgdash_sampler.node';
const PACKAGE_NAME = 'cgdash';

export interface NativeLoadAttempt {
  path: string;
  error: string;
}

export type NativeLoadResult =
  | { ok: true; addon: NativeSamplerAddon; path: string; tried: NativeLoadAttempt[] }
  | { ok: false; tried: NativeLoadAttempt[] };

function isProjectRoot(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

function projectRootAbove(start: string): string | null {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (isProjectRoot(dir)) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

function moduleDir(): string | null {
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
}

/** Where the addon may be, most specific first, without duplicates. */
export function nativeAddonCandidates(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const out: string[] = [];
  if (env.CGDASH_NATIVE_SAMPLER) out.push(path.resolve(env.CGDASH_NATIVE_SAMPLER));
  for (const start of [moduleDir(), process.cwd()]) {
    const root = start === null ? null : projectRootAbove(start);
    if (root) out.push(path.join(root, ADDON_RELATIVE_PATH));
  }
  return [...new Set(out)];
}

function sameList(actual: readonly unknown[] | undefined, expected: readonly string[]): string | null {
  if (!Array.isArray(actual)) return 'missing';
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) return `differs at index ${i}: addon has ${JSON.stringify(actual[i])}, TypeScript ${JSON.stringify(expected[i])}`;
  }
  return null;
}

/** Why a loaded module is not the addon this code expects, or null when it is. */
export function checkAddon(addon: Partial<NativeSamplerAddon>): string | null {
  const rebuild = 'rebuild it with `npx node-gyp rebuild --directory=native`';
  if (typeof addon.Sampler !== 'function') return 'not the cgdash sampler addon (no Sampler class)';
  if (addon.abiVersion !== NATIVE_ABI_VERSION) return `addon ABI ${String(addon.abiVersion)}, expected ${NATIVE_ABI_VERSION}: ${rebuild}`;
  const fields = sameList(addon.fieldNames, FIELD_NAMES);
  if (fields) return `field list ${fields}: ${rebuild}`;
  const kinds = sameList(addon.fileKinds, FILE_KINDS);
  if (kinds) return `file kind list ${kinds}: ${rebuild}`;
  if (addon.userHz !== Number(USER_HZ)) {
    return `USER_HZ is ${String(addon.userHz)} here, but v1 cpuacct.stat is converted with ${USER_HZ} (server/cgroup/v1/cpuacct.ts)`;
  }
  return null;
}

let cached: NativeLoadResult | null = null;

export function loadNativeSampler(options: { candidates?: string[]; fresh?: boolean } = {}): NativeLoadResult {
  if (cached && !options.candidates && !options.fresh) return cached;
  const candidates = options.candidates ?? nativeAddonCandidates();
  const tried: NativeLoadAttempt[] = [];
  if (candidates.length === 0) {
    tried.push({ path: ADDON_RELATIVE_PATH, error: `no project root (a package.json named "${PACKAGE_NAME}") above ${moduleDir() ?? '?'} or ${process.cwd()}` });
  }
  const requireAddon = createRequire(import.meta.url);
  let result: NativeLoadResult | null = null;
  for (const candidate of candidates) {
    if (!existsSync(candidate)) {
      tried.push({ path: candidate, error: 'not built (no such file): run `npx node-gyp rebuild --directory=native`' });
      continue;
    }
    let addon: Partial<NativeSamplerAddon>;
    try {
      addon = requireAddon(candidate) as Partial<NativeSamplerAddon>;
    } catch (err) {
      tried.push({ path: candidate, error: `cannot load: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    const why = checkAddon(addon);
    if (why) {
      tried.push({ path: candidate, error: why });
      continue;
    }
    result = { ok: true, addon: addon as NativeSamplerAddon, path: candidate, tried };
    break;
  }
  result ??= { ok: false, tried };
  if (!options.candidates) cached = result;
  return result;
}

export function describeAttempts(tried: readonly NativeLoadAttempt[]): string {
  return tried.map((t) => `${t.path}: ${t.error}`).join('; ');
}
