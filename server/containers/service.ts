import type { Db } from '../db';
import { CgdashError } from '../lib/errors';
import type { ContainerRecord, Engine, LimitsUpdate } from '../runtime';
import { parseContainerSpec, type ContainerSpec } from '../runtime/spec';
import { checkMemberSpec, checkWithinTenant, placeInTenant } from '../tenants/policy';
import type { TenantService } from '../tenants/service';
import { tenantScope, type Caller } from './caller';

const builtinImages = new Set(['busybox:latest']);

/**
 * Containers and images as a caller sees them: the engine, with the tenant rules on top.
 * A tenant member works only inside their slice (and cannot reach the host through a spec);
 * anything of another tenant is "not found", never "forbidden", so it does not leak.
 */
export class ContainerService {
  constructor(
    readonly engine: Engine,
    private readonly tenants: TenantService,
    private readonly db: Db,
  ) {}

  // ---- containers -------------------------------------------------------------------------

  list(caller: Caller, options: { all?: boolean } = {}): ContainerRecord[] {
    const scope = tenantScope(caller);
    return this.engine.list({ all: options.all, tenant: scope ?? undefined });
  }

  /** The record if the caller may see it; otherwise the same error as a missing one. */
  get(caller: Caller, ref: string): ContainerRecord {
    let rec: ContainerRecord;
    try {
      rec = this.engine.get(ref);
    } catch (err) {
      throw err instanceof CgdashError ? err : new CgdashError('not_found', `no container "${ref}"`);
    }
    const scope = tenantScope(caller);
    if (scope !== null && rec.tenant !== scope) throw new CgdashError('not_found', `no container "${ref}"`);
    return rec;
  }

  /** Parse, apply the tenant's rules, and create (and start, for `run`). */
  async create(caller: Caller, input: unknown, options: { start: boolean }): Promise<ContainerRecord> {
    const spec = await this.admit(caller, parseContainerSpec(input));
    return options.start ? this.engine.run(spec) : this.engine.create(spec);
  }

  private async admit(caller: Caller, asked: ContainerSpec): Promise<ContainerSpec> {
    if (caller.role === 'viewer') throw new CgdashError('forbidden', 'viewers cannot create containers');
    let spec = asked;
    if (caller.role === 'member') {
      if (!caller.tenant) throw new CgdashError('forbidden', 'you belong to no tenant');
      if (spec.tenant && spec.tenant !== caller.tenant) throw new CgdashError('forbidden', `you can only run containers in tenant ${caller.tenant}`, { field: 'tenant' });
      checkMemberSpec(spec);
      spec = { ...spec, tenant: caller.tenant };
      this.assertImageVisible(caller, spec.image);
    }
    if (spec.tenant) {
      const tenant = this.tenants.get(spec.tenant);
      checkWithinTenant(spec.limits, tenant);
      spec = placeInTenant(spec, tenant);
    }
    return spec;
  }

  async update(caller: Caller, ref: string, change: LimitsUpdate) {
    const rec = this.get(caller, ref);
    if (rec.tenant) {
      const merged: Record<string, unknown> = { ...rec.spec.limits };
      for (const [k, v] of Object.entries(change)) {
        if (v === null) delete merged[k];
        else if (v !== undefined) merged[k] = v;
      }
      checkWithinTenant(parseContainerSpec({ ...rec.spec, limits: merged }).limits, this.tenants.get(rec.tenant));
    }
    return this.engine.update(rec.id, change);
  }

  /** Into another tenant's slice (or out of any), live; its limits must fit the new slice. */
  async move(caller: Caller, ref: string, tenant: string | null): Promise<ContainerRecord> {
    if (caller.role !== 'admin') throw new CgdashError('forbidden', 'only admins move containers between tenants');
    const rec = this.get(caller, ref);
    if (tenant) checkWithinTenant(rec.spec.limits, this.tenants.get(tenant));
    return this.engine.move(rec.id, tenant);
  }

  async commit(caller: Caller, ref: string, target: string, options: { author?: string; message?: string }): Promise<string> {
    const rec = this.get(caller, ref);
    if (caller.role === 'member') this.assertImageNameFree(caller, target);
    const image = await this.engine.commit(rec.id, target, { author: options.author ?? caller.name, message: options.message });
    this.recordOwner(image, rec.tenant, caller.name);
    return image;
  }

  // ---- images -----------------------------------------------------------------------------

  private ownerOf(ref: string): { tenant: string | null } | undefined {
    return this.db.prepare<[string], { tenant: string | null }>('SELECT tenant FROM image_owners WHERE ref = ?').get(ref);
  }

  private recordOwner(ref: string, tenant: string | null, owner: string): void {
    this.db.prepare('INSERT OR REPLACE INTO image_owners (ref, tenant, owner, at) VALUES (?, ?, ?, ?)').run(ref, tenant, owner, Date.now());
  }

  /** Built-in images, and images the caller's tenant imported or committed. */
  private imageVisible(caller: Caller, ref: string): boolean {
    const scope = tenantScope(caller);
    if (scope === null) return true;
    const normalized = ref.includes(':') ? ref : `${ref}:latest`;
    return builtinImages.has(normalized) || this.ownerOf(normalized)?.tenant === scope;
  }

  private assertImageVisible(caller: Caller, ref: string): void {
    if (!this.imageVisible(caller, ref)) throw new CgdashError('not_found', `no image "${ref}"`, { field: 'image' });
  }

  /** A member may not overwrite a tag another tenant (or the admin) owns. */
  private assertImageNameFree(caller: Caller, target: string): void {
    const normalized = target.includes(':') ? target : `${target}:latest`;
    const owner = this.ownerOf(normalized);
    if (builtinImages.has(normalized) || (owner && owner.tenant !== tenantScope(caller))) {
      throw new CgdashError('conflict', `the image name "${target}" is taken`, { field: 'target' });
    }
  }

  async listImages(caller: Caller) {
    await this.engine.images.ensureBusybox();
    const all = await this.engine.images.list();
    return all
      .map((img) => ({ ...img, repoTags: img.repoTags.filter((t) => this.imageVisible(caller, t)) }))
      .filter((img) => img.repoTags.length > 0 || tenantScope(caller) === null)
      .map((img) => ({ ...img, tenants: img.repoTags.map((t) => this.ownerOf(t)?.tenant ?? null) }));
  }

  async inspectImage(caller: Caller, ref: string) {
    this.assertImageVisible(caller, ref);
    return this.engine.images.inspect(ref);
  }

  /**
   * Import a docker-archive or oci-archive tarball (a file the HTTP layer streamed to disk).
   * A tenant member names the tag: the archive's own tag might be another tenant's image.
   */
  async importImage(caller: Caller, file: string, options: { format: 'docker-archive' | 'oci-archive'; tag?: string }): Promise<string> {
    if (caller.role === 'viewer') throw new CgdashError('forbidden', 'viewers cannot import images');
    if (caller.role === 'member') {
      if (!options.tag) throw new CgdashError('invalid', 'give the imported image a name (tag)', { field: 'tag' });
      this.assertImageNameFree(caller, options.tag);
    }
    const ref = await this.engine.images.importArchive(file, options.format, options.tag);
    this.recordOwner(ref, tenantScope(caller), caller.name);
    return ref;
  }

  async pullImage(caller: Caller, ref: string): Promise<string> {
    if (caller.role === 'viewer') throw new CgdashError('forbidden', 'viewers cannot pull images');
    if (caller.role === 'member') this.assertImageNameFree(caller, ref);
    const pulled = await this.engine.images.pull(ref, { timeoutMs: 60_000 });
    this.recordOwner(pulled, tenantScope(caller), caller.name);
    return pulled;
  }

  async tagImage(caller: Caller, source: string, target: string): Promise<void> {
    this.assertImageVisible(caller, source);
    if (caller.role === 'member') this.assertImageNameFree(caller, target);
    await this.engine.images.tag(source, target);
    this.recordOwner(target.includes(':') ? target : `${target}:latest`, tenantScope(caller), caller.name);
  }

  async removeImage(caller: Caller, ref: string): Promise<string[]> {
    this.assertImageVisible(caller, ref);
    if (tenantScope(caller) !== null && builtinImages.has(ref.includes(':') ? ref : `${ref}:latest`)) {
      throw new CgdashError('forbidden', 'the built-in busybox image belongs to the host');
    }
    const removed = await this.engine.removeImage(ref);
    for (const r of removed) this.db.prepare('DELETE FROM image_owners WHERE ref = ?').run(r);
    return removed;
  }
}
