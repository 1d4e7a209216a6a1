import { readFile } from 'node:fs/promises';
import { errnoOf, kernelFileError } from '@/server/lib/errors';

/** uid -> user name, from /etc/passwd. */
export type UserNames = ReadonlyMap<number, string>;

/** Parse passwd(5). Like getpwuid(3), the first line for a uid wins. */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [name, , uidText] = line.split(':');
    if (!name || uidText === undefined || !/^\d+$/.test(uidText)) continue;
    const uid = Number(uidText);
    if (!names.has(uid)) names.set(uid, name);
  }
  return names;
}

/** A host without /etc/passwd (a minimal container) just shows numeric uids. */
export async function readUserNames(passwdPath = '/etc/passwd'): Promise<Map<number, string>> {
  try {
    return parsePasswd(await readFile(passwdPath, 'utf8'));
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return new Map();
    throw kernelFileError(err, { action: 'read', file: passwdPath });
  }
}

/** The name of a uid, or the uid in decimal when passwd does not know it (as ps and lsns do). */
export function userNameOf(names: UserNames, uid: number): string {
  return names.get(uid) ?? String(uid);
}
