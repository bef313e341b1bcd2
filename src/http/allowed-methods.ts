import type { HTTPMethods, RouteOptions } from 'fastify';
import FindMyWay from 'find-my-way';

/**
 * Which methods the app serves at a concrete path, for the 405 answer's `Allow`. Fastify's router
 * only says "no route"; this one is fed every route as Fastify registers it (`onRoute`) and
 * matches paths the way Fastify does, because it is the router Fastify uses (find-my-way).
 */
export class AllowedMethods {
  private readonly router = FindMyWay();
  private readonly methods = new Set<string>();
  private readonly registered = new Set<string>();

  add(route: Pick<RouteOptions, 'method' | 'url'>): void {
    const methods: readonly HTTPMethods[] = Array.isArray(route.method) ? route.method : [route.method as HTTPMethods];
    for (const method of methods) {
      const key = `${method} ${route.url}`;
      if (this.registered.has(key)) continue;
      this.registered.add(key);
      this.methods.add(method);
      this.router.on(method as FindMyWay.HTTPMethod, route.url, () => undefined);
    }
  }

  /** The methods with a route at `path` (no query string), sorted; empty when no method has one. */
  at(path: string): string[] {
    return [...this.methods].filter((method) => this.router.find(method as FindMyWay.HTTPMethod, path) !== null).sort();
  }
}
