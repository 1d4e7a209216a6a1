/** BUFSIZ in glibc: lsns reads at most this much of cmdline. */
const LSNS_READ_BYTES = 8192;

/**
 * The COMMAND column of lsns(8), byte for byte: util-linux reads cmdline (else comm) into a
 * BUFSIZ buffer, turns every NUL into a space and cuts the LAST byte — normally the final
 * NUL, or comm's newline — so empty trailing arguments show as trailing spaces.
 * null when neither file has anything (the process is gone).
 */
export function lsnsCommand(cmdline: Buffer | null, comm: Buffer | null): string | null {
  for (const bytes of [cmdline, comm]) {
    if (!bytes || bytes.length === 0) continue;
    const cut = Buffer.from(bytes.subarray(0, LSNS_READ_BYTES));
    for (let i = 0; i < cut.length; i++) if (cut[i] === 0) cut[i] = 0x20;
    return cut.subarray(0, cut.length - 1).toString('utf8');
  }
  return null;
}
