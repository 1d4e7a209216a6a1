/**
 * Names for cgroups, from the modules that made them: the container runtime knows that
 * "containers/3f2a…" is container "web", the tenants module that "tenants/acme" is tenant "acme".
 * They register a resolver with the monitor (`monitor.addNameResolver`); the first resolver that
 * knows a ref wins. Resolvers are called often (every target change, every 30 s): keep them to a
 * map lookup.
 */

export interface CgroupIdentity {
  name?: string;
  tenant?: string;
  kind?: 'container' | 'tenant' | 'cgroup';
  /** Container image, for Prometheus' `image` label. */
  image?: string;
}

export type NameResolver = (ref: string) => CgroupIdentity | undefined | null;

export class NameResolvers {
  private readonly resolvers: NameResolver[] = [];

  /** Returns a function that removes the resolver again. */
  add(resolver: NameResolver): () => void {
    this.resolvers.push(resolver);
    return () => {
      const i = this.resolvers.indexOf(resolver);
      if (i >= 0) this.resolvers.splice(i, 1);
    };
  }

  resolve(ref: string): CgroupIdentity {
    for (const r of this.resolvers) {
      try {
        const found = r(ref);
        if (found) return found;
      } catch {
        // A resolver's bug must not stop the sweep.
      }
    }
    return {};
  }
}
