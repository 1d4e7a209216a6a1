/**
 * Just enough iptables to remove what a CNI DEL left behind. Uses the same `iptables` binary
 * the plugins use (go-iptables runs it from PATH), so nft and legacy backends agree.
 */
import { CgdashError } from '@/server/lib/errors';
import { exec } from '@/server/lib/exec';

export type IptablesTable = 'filter' | 'nat' | 'mangle' | 'raw';

export interface IptablesRule {
  chain: string;
  /** Match and target arguments after `-A CHAIN`, unquoted. */
  args: string[];
}

export interface IptablesListing {
  chains: string[];
  rules: IptablesRule[];
}

/**
 * Split one line of `iptables -S` / `iptables-save` into arguments: words, or double-quoted
 * strings in which `\"` and `\\` are escapes (how iptables prints comments).
 */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let word = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        word += line[i];
        i++;
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ') word += line[i++];
    }
    out.push(word);
  }
  return out;
}

export function parseListing(text: string): IptablesListing {
  const chains: string[] = [];
  const rules: IptablesRule[] = [];
  for (const line of text.split('\n')) {
    const words = splitRuleLine(line.trim());
    if (words[0] === '-N' && words[1]) chains.push(words[1]);
    else if (words[0] === '-P' && words[1]) chains.push(words[1]);
    else if (words[0] === '-A' && words[1]) rules.push({ chain: words[1], args: words.slice(2) });
  }
  return { chains, rules };
}

async function iptables(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec('iptables', ['-w', ...args]);
}

export async function listTable(table: IptablesTable): Promise<IptablesListing> {
  const res = await iptables(['-t', table, '-S']);
  if (res.code !== 0) throw new CgdashError('unavailable', `iptables -t ${table} -S failed: ${res.stderr.trim()}`);
  return parseListing(res.stdout);
}

function targetOf(rule: IptablesRule): string | undefined {
  const i = rule.args.findIndex((a) => a === '-j' || a === '-g');
  return i === -1 ? undefined : rule.args[i + 1];
}

export async function deleteRule(table: IptablesTable, rule: IptablesRule): Promise<void> {
  const res = await iptables(['-t', table, '-D', rule.chain, ...rule.args]);
  if (res.code !== 0 && !/does a matching rule exist|No chain\/target\/match|Bad rule/i.test(res.stderr)) {
    throw new CgdashError('internal', `iptables -t ${table} -D ${rule.chain} ${rule.args.join(' ')} failed: ${res.stderr.trim()}`);
  }
}

/** Remove a chain and every rule that jumps to it. Returns false when there was no such chain. */
export async function removeChain(table: IptablesTable, chain: string): Promise<boolean> {
  const listing = await listTable(table);
  if (!listing.chains.includes(chain)) return false;
  for (const rule of listing.rules) {
    if (targetOf(rule) === chain) await deleteRule(table, rule);
  }
  await iptables(['-t', table, '-F', chain]);
  const res = await iptables(['-t', table, '-X', chain]);
  if (res.code !== 0 && (await listTable(table)).chains.includes(chain)) {
    throw new CgdashError('internal', `iptables -t ${table} -X ${chain} failed: ${res.stderr.trim()}`);
  }
  return true;
}

/** Rules of `chain` whose arguments equal `args` exactly (as `iptables -S` prints them). */
export function findRules(listing: IptablesListing, chain: string, args: readonly string[]): IptablesRule[] {
  return listing.rules.filter((r) => r.chain === chain && r.args.length === args.length && r.args.every((a, i) => a === args[i]));
}

/** The whole ruleset of every table, as `iptables-save` prints it. */
export async function saveAll(): Promise<string> {
  const res = await exec('iptables-save', []);
  if (res.code !== 0) throw new CgdashError('unavailable', `iptables-save failed: ${res.stderr.trim()}`);
  return res.stdout;
}
