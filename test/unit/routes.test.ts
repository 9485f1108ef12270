import { describe, expect, it } from 'vitest';
import { createRouteMatcher, UNKNOWN_ROUTE } from '../../src/upstream/routes.ts';
import { BOCADA_ROUTES } from '../../src/providers/bocada/client.ts';
import { NORCUBE_ROUTES } from '../../src/providers/norcube/client.ts';
import { OCORE_ROUTES } from '../../src/providers/ocore/client.ts';

describe('route templates', () => {
  it.each([
    [BOCADA_ROUTES, '/backup-jobs/j-42/timeline?cursor=abc', '/backup-jobs/:id/timeline'],
    [BOCADA_ROUTES, '/backup-jobs', '/backup-jobs'],
    [BOCADA_ROUTES, '/resources/r%2F1', '/resources/:id'],
    [NORCUBE_ROUTES, '/datasources/ds-1/backups/job-9/download-link', '/datasources/:id/backups/:id/download-link'],
    [NORCUBE_ROUTES, '/datasources/ds-1/backups/run-now', '/datasources/:id/backups/run-now'],
    [OCORE_ROUTES, '/backup-alerts/count', '/backup-alerts/count'],
    [OCORE_ROUTES, '/backup-alerts/a-1/read', '/backup-alerts/:id/read'],
    [OCORE_ROUTES, '/operations/backup/b-1/steps', '/operations/:id/:id/steps'],
  ])('%#: %s is labelled %s', (routes, path, template) => {
    expect(createRouteMatcher(routes)(path)).toBe(template);
  });

  it('labels a path no route builds as "other", never the path itself', () => {
    expect(createRouteMatcher(BOCADA_ROUTES)('/secret/u-123')).toBe(UNKNOWN_ROUTE);
    expect(createRouteMatcher({})('/anything')).toBe(UNKNOWN_ROUTE);
  });
});
