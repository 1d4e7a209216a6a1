/** The shape tRPC gives a client error, with the data our error formatter adds. */
interface ClientError {
  message?: string;
  data?: { code?: string; field?: string | null; fieldErrors?: Record<string, string[] | undefined> | null };
}

export function errorMessage(err: unknown): string {
  if (!err) return '';
  const e = err as ClientError;
  const zodFirst = e.data?.fieldErrors && Object.entries(e.data.fieldErrors).find(([, v]) => v?.length);
  if (zodFirst) return `${zodFirst[0]}: ${zodFirst[1]![0]}`;
  return e.message ?? String(err);
}

/** Errors per form field: from zod (input validation) or from a server check that named its field. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!err) return out;
  const e = err as ClientError;
  for (const [k, v] of Object.entries(e.data?.fieldErrors ?? {})) if (v?.[0]) out[k] = v[0];
  if (e.data?.field && e.message) out[e.data.field] = e.message;
  return out;
}
