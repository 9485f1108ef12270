/**
 * The role table: which least role each mutation needs. The one rule of who may change what;
 * every mutation resolver is wrapped by {@link ../access/roles-guard.ts} against it, and a
 * mutation missing from it is refused (and fails test/unit/access-roles.test.ts).
 * Queries and subscriptions need `reader`, which every authenticated caller has.
 */
import type { Role } from './caller.ts';

/** Roles from least to most privileged; each has every right of the ones before it. */
export const ROLES: readonly Role[] = ['reader', 'operator', 'admin'];

/** Mutation field → the least role allowed to run it. */
export const MUTATION_ROLES: Readonly<Record<string, Role>> = Object.freeze({
  // Day-to-day operations: start work or acknowledge, nothing is lost.
  triggerBackup: 'operator',
  verifyBackup: 'operator',
  dismissAlert: 'operator',
  markAlertRead: 'operator',
  // Destructive or data-exposing: overwrite a database, lose a backup, hand out its bytes, change what runs when.
  restoreBackup: 'admin',
  deleteBackup: 'admin',
  createDownloadLink: 'admin',
  upsertSchedule: 'admin',
  attachPolicy: 'admin',
  detachPolicy: 'admin',
  setPolicyEnabled: 'admin',
  createPolicy: 'admin',
  updatePolicy: 'admin',
});

/** True when `role` is at least `least`. */
export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

/**
 * The least role `mutation` needs, or null when the table has no entry for it (such a mutation is
 * refused for everyone: deny by default).
 */
export function leastRoleFor(mutation: string): Role | null {
  return Object.hasOwn(MUTATION_ROLES, mutation) ? MUTATION_ROLES[mutation] : null;
}

/** True when a caller of `role` may run `mutation`. */
export function mayRun(role: Role, mutation: string): boolean {
  const least = leastRoleFor(mutation);
  return least !== null && roleAtLeast(role, least);
}
