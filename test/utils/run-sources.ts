import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Environment under which `bin/backup-graph.js` runs the sources under test, whatever `dist/` the
 * checkout holds (`npm run bench` builds one; a stale one would add the bin's note to stderr):
 * a build directory that never exists. test/e2e/build.test.ts tests the build itself.
 */
export const RUN_SOURCES: Record<string, string> = { BACKUP_GRAPH_DIST: join(tmpdir(), 'backup-graph-tests-never-built') };
