/**
 * One error type for every layer below the API. The API maps `kind` to an HTTP/tRPC status;
 * `field` lets a form put the message next to the input that caused it.
 */
export type ErrorKind =
  | 'invalid' // the caller's input is wrong (400)
  | 'not_found' // the thing named does not exist (404)
  | 'busy' // the kernel or a running thing refuses for now (409): EBUSY, cgroup with tasks
  | 'conflict' // a name in use, a port taken (409)
  | 'forbidden' // the caller may not do this (403)
  | 'unavailable' // the host cannot do this: not root, binary missing, offline (503)
  | 'internal'; // a bug or an unexpected failure (500)

export interface ErrorDetails {
  field?: string;
  file?: string;
  value?: string;
}

export class CgdashError extends Error {
  readonly kind: ErrorKind;
  readonly details: ErrorDetails;

  constructor(kind: ErrorKind, message: string, options: ErrorDetails & { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CgdashError';
    this.kind = kind;
    const { cause: _cause, ...details } = options;
    this.details = details;
  }
}

export function isCgdashError(err: unknown): err is CgdashError {
  return err instanceof CgdashError;
}

/** errno codes the kernel-facing modules meet, in words an admin understands. */
const errnoWords: Record<string, { kind: ErrorKind; words: string }> = {
  EINVAL: { kind: 'invalid', words: 'the kernel rejected the value (EINVAL)' },
  EBUSY: { kind: 'busy', words: 'the kernel says it is busy (EBUSY)' },
  ENOENT: { kind: 'not_found', words: 'no such file or cgroup (ENOENT)' },
  EACCES: { kind: 'forbidden', words: 'permission denied (EACCES)' },
  EPERM: { kind: 'forbidden', words: 'operation not permitted (EPERM)' },
  ENOSPC: { kind: 'invalid', words: 'no space: a limit or the hierarchy is full (ENOSPC)' },
  EEXIST: { kind: 'conflict', words: 'it already exists (EEXIST)' },
  ENOTEMPTY: { kind: 'busy', words: 'it is not empty (ENOTEMPTY)' },
  ESRCH: { kind: 'not_found', words: 'no such process (ESRCH)' },
  EOPNOTSUPP: { kind: 'unavailable', words: 'not supported by this kernel (EOPNOTSUPP)' },
  ENODEV: { kind: 'invalid', words: 'no such device (ENODEV)' },
  ERANGE: { kind: 'invalid', words: 'value out of range (ERANGE)' },
  EROFS: { kind: 'unavailable', words: 'read-only file system (EROFS)' },
};

export function errnoOf(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}

/**
 * Turn a failed read/write of a kernel file into a message that names the file and the value,
 * e.g. `writing "5000000" to /sys/fs/cgroup/x/cpuset.cpus: the kernel rejected the value (EINVAL)`.
 */
export function kernelFileError(
  err: unknown,
  op: { action: 'read' | 'write' | 'mkdir' | 'rmdir' | 'open'; file: string; value?: string; field?: string },
): CgdashError {
  if (isCgdashError(err)) return err;
  const code = errnoOf(err) ?? 'EIO';
  const known = errnoWords[code] ?? { kind: 'internal' as const, words: `failed (${code})` };
  const what =
    op.action === 'write'
      ? `writing ${JSON.stringify(op.value ?? '')} to ${op.file}`
      : op.action === 'read'
        ? `reading ${op.file}`
        : `${op.action} ${op.file}`;
  return new CgdashError(known.kind, `${what}: ${known.words}`, {
    cause: err,
    file: op.file,
    value: op.value,
    field: op.field,
  });
}
