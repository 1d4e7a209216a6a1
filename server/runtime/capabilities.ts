/** Linux capability names (capabilities(7)) as the OCI spec writes them, and docker's default set. */

/** In the kernel's numbering order: the index is the capability number (bit in CapEff). */
export const allCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export type Capability = (typeof allCapabilities)[number];

/** What docker (and so every docker user) expects a non-privileged container to hold. */
export const defaultCapabilities: readonly Capability[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const known = new Set<string>(allCapabilities);

/**
 * `sys_admin`, `SYS_ADMIN`, `CAP_SYS_ADMIN` -> `CAP_SYS_ADMIN`; `ALL` stays `ALL`.
 * Returns null for a name the kernel does not know.
 */
export function normalizeCapability(name: string): Capability | 'ALL' | null {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  return known.has(full) ? (full as Capability) : null;
}

/** docker's rule: start from the defaults (or nothing with drop ALL), drop, then add. */
export function effectiveCapabilities(add: readonly string[], drop: readonly string[], privileged: boolean): Capability[] {
  if (privileged) return [...allCapabilities];
  const dropSet = new Set(drop);
  let caps: Capability[] = dropSet.has('ALL') ? [] : defaultCapabilities.filter((c) => !dropSet.has(c));
  if (add.includes('ALL')) caps = [...allCapabilities];
  else for (const c of add) if (!caps.includes(c as Capability)) caps.push(c as Capability);
  return caps;
}
