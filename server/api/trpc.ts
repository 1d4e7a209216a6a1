import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { canWrite, type Principal } from '../auth/principal';
import { isCgdashError, type ErrorKind } from '../lib/errors';
import type { Context } from './context';

const codeOfKind: Record<ErrorKind, TRPC_ERROR_CODE_KEY> = {
  invalid: 'BAD_REQUEST',
  not_found: 'NOT_FOUND',
  busy: 'CONFLICT',
  conflict: 'CONFLICT',
  forbidden: 'FORBIDDEN',
  unavailable: 'PRECONDITION_FAILED',
  internal: 'INTERNAL_SERVER_ERROR',
};

/** What a form needs to show an error next to its input. */
export interface ErrorData {
  kind: ErrorKind | null;
  field: string | null;
  fieldErrors: Record<string, string[] | undefined> | null;
}

/** Zod issues keyed by their dotted path ("limits.memoryMax"), so nested inputs keep their fields. */
function issuesByPath(err: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of err.issues) {
    const key = issue.path.map(String).join('.') || '_';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const data: ErrorData = {
      kind: isCgdashError(cause) ? cause.kind : null,
      field: isCgdashError(cause) ? (cause.details.field ?? null) : null,
      fieldErrors: cause instanceof ZodError ? issuesByPath(cause) : null,
    };
    // Internal errors keep their message out of the response; it is logged on the server.
    const message = error.code === 'INTERNAL_SERVER_ERROR' && !isCgdashError(cause) ? 'internal error' : shape.message;
    return { ...shape, message, data: { ...shape.data, stack: undefined, ...data } };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/** Library errors (CgdashError) become the matching tRPC code with the same message. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (isCgdashError(cause)) {
      throw new TRPCError({ code: codeOfKind[cause.kind], message: cause.message, cause });
    }
    if (result.error.code === 'INTERNAL_SERVER_ERROR') console.error('[api]', result.error.cause ?? result.error);
  }
  return result;
});

/**
 * Every mutation is written to the audit log: who, what, on what, from where, and how it ended.
 * Login and logout audit themselves (the principal changes inside them).
 */
const auditMutations = t.middleware(async ({ ctx, type, path, getRawInput, next }) => {
  if (type !== 'mutation' || path.startsWith('auth.log')) return next();
  const result = await next();
  const input = await getRawInput().catch(() => undefined);
  const target = input && typeof input === 'object' ? targetOf(input as Record<string, unknown>) : null;
  ctx.services.auth.audit.record({
    userId: ctx.principal?.userId ?? null,
    userName: ctx.principal?.name ?? null,
    action: path,
    target,
    params: input,
    ip: ctx.ip,
    result: result.ok ? 'ok' : result.error.code === 'FORBIDDEN' || result.error.code === 'UNAUTHORIZED' ? 'denied' : 'error',
    message: result.ok ? null : result.error.message,
  });
  return result;
});

function targetOf(input: Record<string, unknown>): string | null {
  for (const key of ['path', 'id', 'name', 'ref', 'tenant', 'user']) {
    const v = input[key];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  // A container spec names its container (or at least its image).
  const spec = input.spec;
  if (spec && typeof spec === 'object') {
    const { name, image } = spec as { name?: unknown; image?: unknown };
    if (typeof name === 'string') return name;
    if (typeof image === 'string') return image;
  }
  return null;
}


/**
 * A session-authenticated mutation must come from this server's own pages: the Origin check is
 * the CSRF defence next to SameSite=Strict. Bearer tokens are not sent by browsers on their own,
 * so they need no Origin; a foreign Origin is refused whatever the credentials.
 */
const checkOrigin = t.middleware(({ ctx, type, next }) => {
  const mutating = type === 'mutation';
  if (ctx.hasOrigin && !ctx.sameOrigin) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'cross-origin request refused' });
  }
  if (mutating && ctx.principal?.via === 'session' && !ctx.sameOrigin) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'cross-origin request refused (no Origin header)' });
  }
  return next();
});

// Audit outermost, so it sees the final tRPC code of every failure, including refusals.
export const publicProcedure = t.procedure.use(auditMutations).use(mapErrors);
export const sameOriginProcedure = publicProcedure.use(checkOrigin);

export const authedProcedure = sameOriginProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first' });
  return next({ ctx: { ...ctx, principal: ctx.principal satisfies Principal } });
});

/** May change things (admin or tenant member); services still scope a member to their tenant. */
export const writerProcedure = authedProcedure.use(({ ctx, type, next }) => {
  if (type === 'mutation' && !canWrite(ctx.principal)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'viewers cannot change anything' });
  }
  return next();
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.principal.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'admins only' });
  return next();
});

/** Changes the host (cgroups, namespaces, processes): admin, and the server must run as root. */
export const hostWriteProcedure = adminProcedure.use(({ ctx, next }) => {
  const reason = ctx.services.settings.readOnlyReason;
  if (reason) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: reason });
  return next();
});

/**
 * Reads the whole host (every cgroup, namespace, process): admins and viewers not scoped to a
 * tenant. A tenant's members see their slice through the tenant procedures instead.
 */
export const hostReadProcedure = authedProcedure.use(({ ctx, next }) => {
  const p = ctx.principal;
  if (p.role === 'admin' || (p.role === 'viewer' && p.tenant === null)) return next();
  throw new TRPCError({ code: 'FORBIDDEN', message: 'only admins see the whole host' });
});

/** Changes containers or images: admins and tenant members (scoped by the service), as root. */
export const containerWriteProcedure = writerProcedure.use(({ ctx, next }) => {
  const reason = ctx.services.settings.readOnlyReason;
  if (reason) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: reason });
  return next();
});

/**
 * Errors thrown while a subscription streams happen after the middlewares returned, so
 * mapErrors never sees them: map library errors here, or a "forbidden" would reach the client
 * as a 500. Wrap every subscription's generator in it.
 */
export async function* streamWithErrors<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    if (isCgdashError(err)) throw new TRPCError({ code: codeOfKind[err.kind], message: err.message, cause: err });
    throw err;
  }
}
