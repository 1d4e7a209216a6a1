/**
 * The runtime side of the CNI execution protocol: run plugin binaries with CNI_* variables and
 * the config on stdin, chain ADD results through `prevResult`, DEL in reverse order.
 */
import path from 'node:path';
import { CgdashError, type ErrorKind } from '@/server/lib/errors';
import { exec } from '@/server/lib/exec';
import { pluginInput, type CniResult, type ConfList, type PluginConf, type RuntimeConfig } from './cni-config';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

export interface CniTarget {
  pluginDir: string;
  containerId: string;
  /** Path of the network namespace; '' for a DEL after the namespace is gone (the spec allows it). */
  netns: string;
  ifName: string;
}

/** The spec's error object, printed on stdout with a non-zero exit. */
interface CniErrorBody {
  code?: number;
  msg?: string;
  details?: string;
}

const PLUGIN_TYPE = /^[a-z0-9][a-z0-9_-]*$/;
const PLUGIN_TIMEOUT_MS = 60_000;

/** Plugins call iptables, ip6tables and tc by name; a server started with a thin PATH must still find them. */
function pluginPath(): string {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dirs.includes(d)) dirs.push(d);
  }
  return dirs.join(':');
}

function errorKindOf(body: CniErrorBody): ErrorKind {
  if (body.code === 11) return 'busy'; // "try again later"
  if (/no IP addresses available/i.test(`${body.msg ?? ''} ${body.details ?? ''}`)) return 'unavailable';
  return 'internal';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Run one plugin of a list. ADD returns the plugin's result; DEL and CHECK return nothing. */
export async function invokePlugin(
  command: CniCommand,
  target: CniTarget,
  list: ConfList,
  plugin: PluginConf,
  runtimeConfig: RuntimeConfig,
  prevResult: CniResult | undefined,
): Promise<CniResult | undefined> {
  if (!PLUGIN_TYPE.test(plugin.type)) {
    throw new CgdashError('internal', `CNI plugin type "${plugin.type}" is not a plain binary name`);
  }
  const file = path.join(target.pluginDir, plugin.type);
  const input = JSON.stringify(pluginInput(list, plugin, runtimeConfig, prevResult));
  // Only what plugins need: no secrets of the server's environment reach them.
  const env: Record<string, string> = {
    PATH: pluginPath(),
    CNI_COMMAND: command,
    CNI_CONTAINERID: target.containerId,
    CNI_NETNS: target.netns,
    CNI_IFNAME: target.ifName,
    CNI_PATH: target.pluginDir,
  };
  const res = await exec(file, [], { input, env: env as NodeJS.ProcessEnv, timeoutMs: PLUGIN_TIMEOUT_MS });
  const what = `CNI ${plugin.type} ${command} (network ${list.name}, container ${target.containerId}, ${target.ifName})`;
  if (res.code !== 0) {
    const body = (parseJson(res.stdout) ?? {}) as CniErrorBody;
    const words = [body.msg, body.details].filter(Boolean).join(': ') || res.stderr.trim() || `exit ${res.code}`;
    throw new CgdashError(errorKindOf(body), `${what} failed: ${words}`);
  }
  if (command !== 'ADD') return undefined;
  const result = parseJson(res.stdout);
  if (!result || typeof result !== 'object') {
    throw new CgdashError('internal', `${what} printed no JSON result: ${res.stdout.slice(0, 200)}`);
  }
  return result as CniResult;
}

/** An ADD that failed; `rolledBack` says whether the DEL of the plugins that ran succeeded. */
export class CniAddError extends CgdashError {
  readonly rolledBack: boolean;

  constructor(err: unknown, rollbackErr?: unknown) {
    const message =
      rollbackErr === undefined
        ? (err as Error).message
        : `${(err as Error).message}; rolling back also failed: ${(rollbackErr as Error).message}`;
    super(err instanceof CgdashError ? err.kind : 'internal', message, { cause: err });
    this.rolledBack = rollbackErr === undefined;
  }
}

/**
 * ADD every plugin in order, each getting the previous one's result. When one fails, DEL the
 * plugins that ran, the failed one included (it may have half-done its part), in reverse order
 * with the last good result, and throw a CniAddError carrying the original message.
 */
export async function addChain(target: CniTarget, list: ConfList, runtimeConfig: RuntimeConfig): Promise<CniResult> {
  let result: CniResult | undefined;
  for (const [i, plugin] of list.plugins.entries()) {
    try {
      result = await invokePlugin('ADD', target, list, plugin, runtimeConfig, result);
    } catch (err) {
      const ran = { ...list, plugins: list.plugins.slice(0, i + 1) };
      try {
        await delChain(target, ran, runtimeConfig, result);
      } catch (rollbackErr) {
        throw new CniAddError(err, rollbackErr);
      }
      throw new CniAddError(err);
    }
  }
  if (!result) throw new CgdashError('internal', `network ${list.name} has no plugins`);
  return result;
}

/**
 * DEL in reverse order, every plugin with the same config and the result of the ADD (spec:
 * "the runtime MUST execute the plugins in reverse-order"; an error stops the list).
 */
export async function delChain(
  target: CniTarget,
  list: ConfList,
  runtimeConfig: RuntimeConfig,
  addResult: CniResult | undefined,
): Promise<void> {
  for (const plugin of [...list.plugins].reverse()) {
    await invokePlugin('DEL', target, list, plugin, runtimeConfig, addResult);
  }
}

/** CHECK in order, each plugin with the result of the ADD; plugins of `skipTypes` are left out. */
export async function checkChain(
  target: CniTarget,
  list: ConfList,
  runtimeConfig: RuntimeConfig,
  addResult: CniResult,
  skipTypes: ReadonlySet<string> = new Set(),
): Promise<void> {
  for (const plugin of list.plugins) {
    if (skipTypes.has(plugin.type)) continue;
    await invokePlugin('CHECK', target, list, plugin, runtimeConfig, addResult);
  }
}
