/**
 * /proc/PID/cmdline: the arguments, each ended by a NUL. A program that rewrote its argv
 * (setproctitle) may leave no final NUL, or pad with NULs; both are tolerated.
 */
export function parseCmdline(bytes: Buffer): string[] {
  if (bytes.length === 0) return [];
  const text = bytes.toString('utf8');
  const args = text.split('\0');
  if (text.endsWith('\0')) args.pop();
  return args;
}

/**
 * Control characters in a command line could drive a terminal (escape sequences) when the
 * CLI or a log prints it, so they become "?" as in ps — newline becomes a space, as in ps.
 */
function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\n') out += ' ';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += '?';
    else out += ch;
  }
  return out;
}

/**
 * The command as `ps -o args` shows it: the arguments joined by spaces, control characters
 * made visible, or `[comm]` when there are none (kernel threads, zombies), with ` <defunct>`
 * for zombies. `args` keeps the exact bytes.
 */
export function commandOf(args: readonly string[], comm: string, state: string): string {
  if (args.length > 0) return printable(args.join(' '));
  return state === 'Z' ? `[${printable(comm)}] <defunct>` : `[${printable(comm)}]`;
}
