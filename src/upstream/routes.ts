/**
 * Route templates of upstream paths, for metric labels and span names: `/backup-jobs/j-42/timeline`
 * becomes `/backup-jobs/:id/timeline`, never a label per id. Each provider client already names its
 * paths in a routes table (`BOCADA_ROUTES`, ...); the templates are read off that table by calling
 * every route with placeholders, so there is nothing to declare twice.
 */

/** A provider client's routes: each builds one path from its parameters. */
export type RouteTable = Readonly<Record<string, (...params: never[]) => string>>;

/** The template of a path no route builds. */
export const UNKNOWN_ROUTE = 'other';

const PLACEHOLDER = 'bgRouteParam';

/** Turns a path into its route template; {@link UNKNOWN_ROUTE} when no route of the table builds it. */
export type RouteMatcher = (path: string) => string;

/**
 * A matcher over `routes`. Templates name every parameter `:id` (`/datasources/:id/backups/:id`);
 * a path matches the template with the most literal segments first, so `/backup-alerts/count` is not
 * `/backup-alerts/:id`. The query string is ignored.
 */
export function createRouteMatcher(routes: RouteTable): RouteMatcher {
  const templates = [...new Set(Object.values(routes).map((build) => {
    const params = Array.from({ length: build.length }, (_, i) => `${PLACEHOLDER}${i}`) as never[];
    return build(...params).replace(new RegExp(`${PLACEHOLDER}\\d+`, 'g'), ':id');
  }))];
  const compiled = templates
    .map((template) => {
      const segments = template.split('/');
      const literal = segments.filter((s) => s !== ':id').length;
      const pattern = segments.map((s) => (s === ':id' ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
      return { template, literal, re: new RegExp(`^${pattern}$`) };
    })
    .sort((a, b) => b.literal - a.literal);
  const cache = new Map<string, string>();
  return (path) => {
    const bare = path.split('?')[0];
    let hit = cache.get(bare);
    if (hit === undefined) {
      hit = compiled.find((c) => c.re.test(bare))?.template ?? UNKNOWN_ROUTE;
      if (cache.size < 10_000) cache.set(bare, hit);
    }
    return hit;
  };
}
