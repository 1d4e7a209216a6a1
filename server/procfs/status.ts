/** /proc/PID/status, the fields cgdash uses; every line is also kept in `fields`. */
export interface ProcStatus {
  name: string;
  /** Letter and word, e.g. { code: "S", word: "sleeping" }. */
  state: { code: string; word: string };
  tgid: number;
  pid: number;
  ppid: number;
  tracerPid: number;
  /** Real, effective, saved set, filesystem. */
  uid: IdQuad;
  gid: IdQuad;
  groups: number[];
  /** The pid in each pid namespace the process is in, outermost first. */
  nstgid: number[];
  nspid: number[];
  nspgid: number[];
  nssid: number[];
  /** null for kernel threads, which have no user memory. */
  vmRssBytes: number | null;
  vmSizeBytes: number | null;
  vmPeakBytes: number | null;
  vmSwapBytes: number | null;
  threads: number;
  /** Capability sets as hex masks (kernel's words: CapEff etc.). */
  capEff: string | null;
  capPrm: string | null;
  capBnd: string | null;
  noNewPrivs: boolean | null;
  /** 0 disabled, 1 strict, 2 filter. */
  seccomp: number | null;
  cpusAllowedList: string | null;
  voluntaryCtxtSwitches: number | null;
  nonvoluntaryCtxtSwitches: number | null;
  /** Every "Key: value" line as written. */
  fields: Record<string, string>;
}

export interface IdQuad {
  real: number;
  effective: number;
  saved: number;
  fs: number;
}

function numbers(value: string | undefined): number[] {
  return (value ?? '').split(/\s+/).filter(Boolean).map(Number);
}

/** "1234 kB" -> bytes; the kernel's kB here are KiB. */
function kbToBytes(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^(\d+)\s*kB$/.exec(value.trim());
  return m ? Number(m[1]) * 1024 : null;
}

function optionalNumber(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
}

function idQuad(value: string | undefined): IdQuad {
  const [real = -1, effective = real, saved = real, fs = real] = numbers(value);
  return { real, effective, saved, fs };
}

export function parseProcStatus(text: string): ProcStatus {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  const stateMatch = /^(\S)\s*\(([^)]*)\)/.exec(fields.State ?? '');
  const noNewPrivs = optionalNumber(fields.NoNewPrivs);
  return {
    name: fields.Name ?? '',
    state: { code: stateMatch?.[1] ?? (fields.State ?? '').slice(0, 1), word: stateMatch?.[2] ?? '' },
    tgid: Number(fields.Tgid ?? NaN),
    pid: Number(fields.Pid ?? NaN),
    ppid: Number(fields.PPid ?? NaN),
    tracerPid: Number(fields.TracerPid ?? 0),
    uid: idQuad(fields.Uid),
    gid: idQuad(fields.Gid),
    groups: numbers(fields.Groups),
    nstgid: numbers(fields.NStgid),
    nspid: numbers(fields.NSpid),
    nspgid: numbers(fields.NSpgid),
    nssid: numbers(fields.NSsid),
    vmRssBytes: kbToBytes(fields.VmRSS),
    vmSizeBytes: kbToBytes(fields.VmSize),
    vmPeakBytes: kbToBytes(fields.VmPeak),
    vmSwapBytes: kbToBytes(fields.VmSwap),
    threads: Number(fields.Threads ?? 1),
    capEff: fields.CapEff ?? null,
    capPrm: fields.CapPrm ?? null,
    capBnd: fields.CapBnd ?? null,
    noNewPrivs: noNewPrivs === null ? null : noNewPrivs !== 0,
    seccomp: optionalNumber(fields.Seccomp),
    cpusAllowedList: fields.Cpus_allowed_list ?? null,
    voluntaryCtxtSwitches: optionalNumber(fields.voluntary_ctxt_switches),
    nonvoluntaryCtxtSwitches: optionalNumber(fields.nonvoluntary_ctxt_switches),
    fields,
  };
}
