/**
 * cgdash's default seccomp profile, written as data: allow by default, refuse (EPERM) the
 * calls that reach kernel-global state a container must not touch. The groups follow what
 * docker's profile blocks, each with the reason. A group with `unlessCaps` is left out when the
 * container holds one of those capabilities (docker does the same when it renders its profile),
 * because then the capability, not seccomp, is the intended gate.
 *
 * Why a deny-list and not docker's allow-list: an allow-list must track every new syscall of
 * every architecture or break programs with EPERM; the deny-list names the known-dangerous
 * entry points and is short enough to review. Conditions on arguments are expressed with
 * SCMP_CMP_MASKED_EQ; runc turns several conditions on the same argument into OR'ed rules,
 * which is what "any namespace flag set" needs.
 */
import type { Capability } from './capabilities';

/** OCI runtime-spec seccomp types (the subset we emit). */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';
}

export interface SeccompSyscall {
  names: string[];
  action: 'SCMP_ACT_ERRNO' | 'SCMP_ACT_ALLOW';
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface LinuxSeccomp {
  defaultAction: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  architectures: string[];
  syscalls: SeccompSyscall[];
}

interface DenyGroup {
  reason: string;
  names: string[];
  /** Each condition alone triggers the denial (OR). Absent: any call is denied. */
  whenAnyArg?: SeccompArg[];
  unlessCaps?: Capability[];
  errno?: number;
}

const EPERM = 1;
const ENOSYS = 38;

/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
const cloneNamespaceFlags = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];
/** unshare(2) also takes CLONE_NEWTIME, whose bit clone(2) uses for the exit signal. */
const unshareNamespaceFlags = [...cloneNamespaceFlags, 0x00000080];

/** "this flag is set" as one MASKED_EQ condition per flag on argument `index`. */
function anyFlagSet(index: number, flags: number[]): SeccompArg[] {
  return flags.map((f) => ({ index, value: f, valueTwo: f, op: 'SCMP_CMP_MASKED_EQ' as const }));
}

/**
 * personality(2) flags that weaken the process: no ASLR, executable data, a mapped page 0.
 * Bit 31 is part of each mask so the query call `personality(0xffffffff)` never matches.
 */
const personalityDanger = [0x0040000 /* ADDR_NO_RANDOMIZE */, 0x0100000 /* MMAP_PAGE_ZERO */, 0x0200000 /* ADDR_COMPAT_LAYOUT */, 0x0400000 /* READ_IMPLIES_EXEC */];

export const denyGroups: readonly DenyGroup[] = [
  {
    reason: 'kernel modules are host-global: loading one is running code in the host kernel',
    names: ['init_module', 'finit_module', 'delete_module', 'create_module', 'query_module', 'get_kernel_syms'],
    unlessCaps: ['CAP_SYS_MODULE'],
  },
  {
    reason: 'replacing or rebooting the running kernel',
    names: ['kexec_load', 'kexec_file_load', 'reboot'],
    unlessCaps: ['CAP_SYS_BOOT'],
  },
  {
    reason: 'the keyring is not namespaced: keys would leak between containers and the host',
    names: ['add_key', 'keyctl', 'request_key'],
  },
  {
    reason: 'mounting, pivoting and the new mount API change what the container sees of the file system',
    names: ['mount', 'umount', 'umount2', 'pivot_root', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr'],
    unlessCaps: ['CAP_SYS_ADMIN'],
  },
  {
    reason: 'new namespaces (user namespaces in particular) open kernel attack surface the container was not given',
    names: ['unshare'],
    whenAnyArg: anyFlagSet(0, unshareNamespaceFlags),
    unlessCaps: ['CAP_SYS_ADMIN'],
  },
  {
    reason: 'clone with namespace flags is unshare by another door (flags are argument 0 on x86-64 and arm64)',
    names: ['clone'],
    whenAnyArg: anyFlagSet(0, cloneNamespaceFlags),
    unlessCaps: ['CAP_SYS_ADMIN'],
  },
  {
    reason: 'clone3 passes its flags in memory seccomp cannot read; ENOSYS makes libc fall back to clone, which is checked',
    names: ['clone3'],
    unlessCaps: ['CAP_SYS_ADMIN'],
    errno: ENOSYS,
  },
  {
    reason: 'joining another namespace',
    names: ['setns'],
    unlessCaps: ['CAP_SYS_ADMIN'],
  },
  {
    reason: 'eBPF programs and perf events read kernel memory and other processes',
    names: ['bpf', 'perf_event_open', 'lookup_dcookie'],
    unlessCaps: ['CAP_SYS_ADMIN'],
  },
  {
    reason: 'open_by_handle_at opens any inode of a mounted file system, bypassing the mount namespace ("shocker")',
    names: ['open_by_handle_at'],
    unlessCaps: ['CAP_DAC_READ_SEARCH'],
  },
  {
    reason: 'swap devices, quotas and the NFS server are host-global',
    names: ['swapon', 'swapoff', 'quotactl', 'quotactl_fd', 'nfsservctl'],
    unlessCaps: ['CAP_SYS_ADMIN'],
  },
  {
    reason: 'process accounting writes a host-wide log',
    names: ['acct'],
    unlessCaps: ['CAP_SYS_PACCT'],
  },
  {
    reason: 'hanging up the terminal of other sessions',
    names: ['vhangup'],
    unlessCaps: ['CAP_SYS_TTY_CONFIG'],
  },
  {
    reason: 'the clock is not namespaced: setting it changes the host\'s time',
    names: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'],
    unlessCaps: ['CAP_SYS_TIME'],
  },
  {
    reason: 'userfaultfd lets a process stall the kernel at a chosen moment, a building block of many exploits',
    names: ['userfaultfd'],
    unlessCaps: ['CAP_SYS_PTRACE'],
  },
  {
    reason: 'reading and writing another process\'s memory across the namespace',
    names: ['process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd'],
    unlessCaps: ['CAP_SYS_PTRACE'],
  },
  {
    reason: 'port I/O gives raw hardware access',
    names: ['ioperm', 'iopl'],
    unlessCaps: ['CAP_SYS_RAWIO'],
  },
  {
    reason: 'obsolete calls no program needs, kept out as attack surface',
    names: ['uselib', 'ustat', 'sysfs', '_sysctl'],
  },
  {
    reason: 'moving the memory pages of other processes between NUMA nodes',
    names: ['move_pages'],
    unlessCaps: ['CAP_SYS_NICE'],
  },
  {
    reason: 'personality flags that disable ASLR or make data executable',
    names: ['personality'],
    whenAnyArg: personalityDanger.map((f) => ({ index: 0, value: (0x80000000 | f) >>> 0, valueTwo: f, op: 'SCMP_CMP_MASKED_EQ' as const })),
  },
];

/** Architectures named so that 32-bit entry points are filtered too (an int 0x80 unshare is still unshare). */
export function seccompArchitectures(arch: string = process.arch): string[] {
  if (arch === 'x64') return ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
  if (arch === 'arm64') return ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'];
  return [];
}

/** Render the profile for a container holding `caps`. */
export function defaultSeccompProfile(caps: readonly Capability[], arch: string = process.arch): LinuxSeccomp {
  const held = new Set(caps);
  const syscalls: SeccompSyscall[] = [];
  for (const group of denyGroups) {
    if (group.unlessCaps?.some((c) => held.has(c))) continue;
    const rule: SeccompSyscall = { names: [...group.names], action: 'SCMP_ACT_ERRNO', errnoRet: group.errno ?? EPERM };
    if (group.whenAnyArg) rule.args = group.whenAnyArg.map((a) => ({ ...a }));
    syscalls.push(rule);
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: seccompArchitectures(arch), syscalls };
}
