import { z } from 'zod';
import { authedProcedure, containerWriteProcedure, router } from '../trpc';

/** `name[:tag]` as docker writes it, or an id prefix; the image store checks the details. */
const imageRef = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, 'an image reference like busybox or registry:5000/app:v1')
  .refine((r) => !r.split('/').includes('..'), 'no ".." in an image reference');

export const imagesRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.services.containers.listImages(ctx.principal)),
  inspect: authedProcedure.input(z.object({ ref: imageRef })).query(({ ctx, input }) => ctx.services.containers.inspectImage(ctx.principal, input.ref)),
  tag: containerWriteProcedure.input(z.object({ source: imageRef, target: imageRef })).mutation(async ({ ctx, input }) => {
    await ctx.services.containers.tagImage(ctx.principal, input.source, input.target);
    return { ok: true as const };
  }),
  remove: containerWriteProcedure.input(z.object({ ref: imageRef })).mutation(async ({ ctx, input }) => ({
    removed: await ctx.services.containers.removeImage(ctx.principal, input.ref),
  })),
  pull: containerWriteProcedure.input(z.object({ ref: imageRef })).mutation(async ({ ctx, input }) => ({
    image: await ctx.services.containers.pullImage(ctx.principal, input.ref),
  })),
});
