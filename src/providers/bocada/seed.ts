/**
 * The Bocada simulator's deterministic dataset: organizations (one empty, one with a unicode
 * name), connections, resources and thousands of backup jobs over the last 30 days.
 */
import { createRandom, type Random } from '../../simulator/kit.ts';
import type { BocadaBackupJobDto, BocadaConnectionDto, BocadaOrganizationDto, BocadaResourceDto, BocadaTimelineEventDto } from './wire.ts';

/** The simulator's whole state. */
export interface BocadaData {
  organizations: BocadaOrganizationDto[];
  connections: BocadaConnectionDto[];
  resources: BocadaResourceDto[];
  /** Sorted by startedAt descending, then id ascending. */
  jobs: BocadaBackupJobDto[];
}

const ORGS = ['Acme Logistics', 'Zürich Ærø Backups 東京', 'Northwind Health', 'Globex Retail', 'Initech Finance', 'Empty Org (no systems yet)'];
const PRODUCTS = ['Veeam Backup & Replication', 'Commvault', 'Rubrik', 'Cohesity', 'NetBackup'];
const TYPES = ['vm', 'database', 'filesystem', 'application', 'saas'] as const;
const NAMES: Record<(typeof TYPES)[number], string[]> = {
  vm: ['web', 'app', 'build', 'jump', 'mail', 'dc'],
  database: ['orders-db', 'crm-pg', 'ledger-sql', 'analytics-mysql', 'inventory-ora'],
  filesystem: ['nas-share', 'home-dirs', 'scans', 'media-archive'],
  application: ['sap-prod', 'exchange', 'sharepoint', 'jira'],
  saas: ['m365-mail', 'salesforce', 'google-drive', 'slack'],
};
const STATUSES: Array<[BocadaBackupJobDto['status'], number]> = [
  ['succeeded', 0.72], ['succeeded_with_warnings', 0.08], ['failed', 0.08], ['missed', 0.05], ['canceled', 0.03], ['running', 0.025], ['queued', 0.015],
];
const DAY = 86_400_000;

function pickStatus(r: Random): string {
  let x = r.next();
  for (const [s, p] of STATUSES) {
    if ((x -= p) < 0) return s;
  }
  return 'succeeded';
}

/** Builds the dataset; `scale` multiplies resources and jobs. */
export function seedBocada(seed: number, scale: number, now: Date): BocadaData {
  const r = createRandom(seed);
  const t0 = now.getTime();
  const organizations = ORGS.map((name, i) => ({ id: r.uuid(), name, createdAt: new Date(t0 - (400 + i * 37) * DAY).toISOString() }));
  const active = organizations.slice(0, -1);
  const connections: BocadaConnectionDto[] = active.flatMap((o, i) =>
    Array.from({ length: 2 + (i % 3) }, (_, j) => ({
      id: r.uuid(),
      organizationId: o.id,
      name: `${o.name.split(' ')[0]} ${PRODUCTS[(i + j) % PRODUCTS.length].split(' ')[0]} ${j + 1}`,
      product: PRODUCTS[(i + j) % PRODUCTS.length],
      status: i === 2 && j === 1 ? 'error' : 'connected',
    })),
  );
  const resources: BocadaResourceDto[] = Array.from({ length: 150 * scale }, (_, i) => {
    const c = connections[i % connections.length];
    const type = TYPES[i % TYPES.length];
    return {
      id: r.uuid(),
      organizationId: c.organizationId,
      connectionId: c.id,
      name: `${r.pick(NAMES[type])}-${String(i + 1).padStart(3, '0')}${i % 37 === 5 ? '-ñandú' : ''}`,
      type,
      createdAt: new Date(t0 - r.int(40, 380) * DAY).toISOString(),
    };
  });
  const jobs: BocadaBackupJobDto[] = Array.from({ length: 3000 * scale }, () => {
    const res = resources[r.int(0, resources.length - 1)];
    let status = pickStatus(r);
    const ageMs = status === 'running' || status === 'queued' ? r.int(1, 60) * 60_000 : r.int(2 * 3600, 30 * 86_400) * 1000;
    const started = t0 - ageMs;
    const ended = status === 'running' || status === 'queued' || status === 'missed' ? null : started + r.int(60, 7200) * 1000;
    if (status === 'missed') status = 'missed';
    const bytes = status === 'missed' || status === 'queued' ? 0 : r.int(1, 4000) * 1_048_576 + r.int(0, 1_048_575);
    return {
      id: r.uuid(), organizationId: res.organizationId, resourceId: res.id, connectionId: res.connectionId, status,
      startedAt: new Date(started).toISOString(), endedAt: ended === null ? null : new Date(ended).toISOString(),
      bytesTransferred: bytes, filesTransferred: bytes === 0 ? 0 : r.int(1, 250_000),
    };
  });
  jobs.sort(compareJobs);
  return { organizations, connections, resources, jobs };
}

/** The list order: newest first, ties by id. */
export function compareJobs(a: BocadaBackupJobDto, b: BocadaBackupJobDto): number {
  return a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A job's timeline, computed from the job (same job, same timeline). */
export function timelineOf(job: BocadaBackupJobDto): BocadaTimelineEventDto[] {
  let h = 0;
  for (const ch of job.id) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  const r = createRandom(h);
  const start = Date.parse(job.startedAt);
  const end = job.endedAt ? Date.parse(job.endedAt) : start + 60_000;
  const at = (f: number) => new Date(start + Math.round((end - start) * f)).toISOString();
  const ev = (i: number, f: number, severity: BocadaTimelineEventDto['severity'], message: string) => ({ id: `${job.id.slice(0, 8)}-${i}`, jobId: job.id, timestamp: at(f), severity, message });
  const out = [ev(0, 0, 'info', 'Job started'), ev(1, 0.1, 'info', `Snapshot created (${r.int(1, 9)} volumes)`)];
  if (job.status === 'succeeded_with_warnings') out.push(ev(2, 0.5, 'warning', `${r.int(1, 40)} files skipped: locked by another process`));
  if (job.status === 'failed') out.push(ev(2, 0.7, 'error', r.pick(['Target repository unreachable', 'Snapshot quota exceeded', 'Credentials rejected by guest OS'])));
  if (job.status === 'missed') return [ev(0, 0, 'error', 'Backup window missed: the job did not start')];
  if (job.status === 'canceled') out.push(ev(2, 0.6, 'warning', 'Canceled by operator'));
  if (job.endedAt) out.push(ev(9, 1, job.status === 'failed' ? 'error' : 'info', `Job ended: ${job.status}`));
  return out;
}
