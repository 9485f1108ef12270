/**
 * The role table covers the schema: every Mutation field has exactly one least role, so adding a
 * mutation without deciding who may run it fails here (and is refused at run time meanwhile).
 */
import { buildASTSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MUTATION_ROLES, mayRun, ROLES } from '../../src/access/roles.ts';
import { createResolvers } from '../../src/resolvers/index.ts';
import { createProviderSet } from '../../src/providers/registry.ts';
import { loadTypeDefs } from '../../src/server/type-defs.ts';

describe('role table', () => {
  const mutationFields = Object.keys(buildASTSchema(loadTypeDefs()).getMutationType()!.getFields()).sort();

  it('has an entry for every Mutation field of the schema, and none for a field that does not exist', () => {
    expect(Object.keys(MUTATION_ROLES).sort()).toEqual(mutationFields);
  });

  it('has a guarded resolver for every Mutation field', () => {
    const resolvers = createResolvers(createProviderSet([]));
    expect(Object.keys(resolvers.Mutation ?? {}).sort()).toEqual(mutationFields);
  });

  it('is the issue\'s table: operator day-to-day actions, admin the destructive ones and every policy mutation', () => {
    const byRole = Object.fromEntries(ROLES.map((r) => [r, Object.keys(MUTATION_ROLES).filter((m) => MUTATION_ROLES[m] === r).sort()]));
    expect(byRole).toEqual({
      reader: [],
      operator: ['dismissAlert', 'markAlertRead', 'triggerBackup', 'verifyBackup'],
      admin: ['attachPolicy', 'createDownloadLink', 'createPolicy', 'deleteBackup', 'detachPolicy', 'restoreBackup', 'setPolicyEnabled', 'updatePolicy', 'upsertSchedule'],
    });
  });

  it.each([
    ['reader', 'triggerBackup', false],
    ['reader', 'deleteBackup', false],
    ['operator', 'triggerBackup', true],
    ['operator', 'restoreBackup', false],
    ['admin', 'restoreBackup', true],
    ['admin', 'deleteBackup', true],
    ['admin', 'aMutationNobodyAddedToTheTable', false],
    ['admin', 'toString', false],
  ] as const)('%s may run %s: %s', (role, mutation, allowed) => {
    expect(mayRun(role, mutation)).toBe(allowed);
  });
});
