import { z } from 'zod';
import { tenantCgroup } from '../../tenants/model';
import { limitsInput, sizeInput, toLimitsPatch } from '../schemas/limits';
import { assertTenantVisible, visibleTenant } from '../scope';
import { authedProcedure, hostWriteProcedure, router } from '../trpc';

const tenantName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, _ and -, starting with a letter or digit');
/** Bytes per second, written as a size ("10M" = 10 MiB/s); null = no cap. */
const rate = sizeInput.transform((v, ctx) => {
  if (v === null) return null;
  if (v < 1024n || v > 12_500_000_000n) {
    ctx.addIssue({ code: 'custom', message: 'between 1K and 12.5G bytes per second' });
    return z.NEVER;
  }
  return Number(v);
});

const tenantInput = z.object({
  name: tenantName,
  displayName: z.string().trim().max(100).nullable().optional(),
  limits: limitsInput.optional(),
  cpusetExclusive: z.boolean().optional(),
  networkIngressBps: rate.optional(),
  networkEgressBps: rate.optional(),
});

function toServiceInput(input: z.infer<typeof tenantInput>) {
  return { ...input, limits: input.limits ? toLimitsPatch(input.limits) : undefined };
}

export const tenantsRouter = router({
  /** Every tenant an admin may see, or only the caller's own; with live usage of each slice. */
  list: authedProcedure.query(async ({ ctx }) => {
    const scope = visibleTenant(ctx.principal);
    const tenants = ctx.services.tenants.list().filter((t) => scope === null || t.name === scope);
    return Promise.all(
      tenants.map(async (t) => {
        const detail = await ctx.services.cgroups.get(tenantCgroup(t.name)).catch(() => null);
        return {
          tenant: t,
          usage: detail?.usage ?? null,
          kernelLimits: detail?.limits ?? null,
          members: ctx.services.auth.users.list().filter((u) => u.tenant === t.name).map((u) => ({ id: u.id, name: u.name, role: u.role, disabled: u.disabled })),
          containers: ctx.services.engine?.list({ all: true, tenant: t.name }).length ?? 0,
        };
      }),
    );
  }),

  get: authedProcedure.input(z.object({ name: tenantName })).query(({ ctx, input }) => {
    assertTenantVisible(ctx.principal, input.name, `tenant named "${input.name}"`);
    return ctx.services.tenants.get(input.name);
  }),

  /** The overcommit check the editor shows before saving. */
  preview: hostWriteProcedure.input(tenantInput).query(({ ctx, input }) => ctx.services.tenants.preview(toServiceInput(input))),

  create: hostWriteProcedure.input(tenantInput).mutation(({ ctx, input }) => ctx.services.tenants.create(toServiceInput(input))),

  update: hostWriteProcedure.input(tenantInput).mutation(({ ctx, input }) => ctx.services.tenants.update(toServiceInput(input))),

  remove: hostWriteProcedure.input(z.object({ name: tenantName, force: z.boolean().default(false) })).mutation(async ({ ctx, input }) => {
    await ctx.services.tenants.remove(input.name, { force: input.force });
    if (input.force) for (const u of ctx.services.auth.users.list().filter((x) => x.tenant === input.name)) ctx.services.auth.disableUser(u.id);
    return { ok: true as const };
  }),

  adopt: hostWriteProcedure
    .input(z.object({ name: tenantName, pids: z.array(z.number().int().positive()).max(10_000).optional(), cgroup: z.string().max(4096).optional(), allowUnmanaged: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ctx.services.tenants.adopt(input.name, { pids: input.pids, cgroup: input.cgroup }, { allowUnmanaged: input.allowUnmanaged })),
});
