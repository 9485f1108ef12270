/**
 * Norcube simulator routes of the organization-wide settings: storage destinations (managed and
 * bring-your-own; secrets are accepted, never returned) and notification settings.
 */
import { randomUUID } from 'node:crypto';
import type { Router } from '../../kit/index.ts';
import type { NorcubeRouteContext } from '../context.ts';
import { storageDestinationDto } from '../dto.ts';
import { conflict, fieldReader, notFound, objectBody, uuidParam, validationFailed } from '../http.ts';
import { NC_REGIONS, type NcDestination, type NcNotificationSettings } from '../state.ts';
import { iso } from '../store.ts';

const OWNERSHIP = ['all', 'managed', 'byo'] as const;

function notificationDto(s: NcNotificationSettings) {
  const out: Record<string, unknown> = {
    alertEmails: s.alertEmails, onBackupFailed: s.onBackupFailed, onMissedSchedule: s.onMissedSchedule, onRecovered: s.onRecovered,
    onRestoreFailed: s.onRestoreFailed, onRestoreTestFailed: s.onRestoreTestFailed, hasWebhookSecret: !!s.webhookSecret,
    slackWebhookUrl: s.slackWebhookUrl, webhookUrl: s.webhookUrl,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Registers the storage destination and notification routes. */
export function registerOrgRoutes(r: Router, ctx: NorcubeRouteContext): void {
  const { live } = ctx;

  const nameTaken = (name: string, exceptId?: string) =>
    [...ctx.state.destinations.values()].some((d) => d.id !== exceptId && d.name.toLocaleLowerCase() === name.trim().toLocaleLowerCase());

  r.get('/storage-destinations', (req) => {
    const search = (req.query.get('search') ?? '').trim().toLocaleLowerCase();
    const ownership = req.query.get('ownership') || 'all';
    if (!(OWNERSHIP as readonly string[]).includes(ownership)) throw validationFailed({ ownership: `must be one of ${OWNERSHIP.join(', ')}` });
    const rawUnverified = req.query.get('unverifiedOnly');
    if (rawUnverified !== null && rawUnverified !== '' && rawUnverified !== 'true' && rawUnverified !== 'false') {
      throw validationFailed({ unverifiedOnly: 'must be true or false' });
    }
    const unverifiedOnly = rawUnverified === 'true';
    const list = [...ctx.state.destinations.values()]
      .filter((d) => !search || d.name.toLocaleLowerCase().includes(search) || d.bucket.toLocaleLowerCase().includes(search))
      .filter((d) => ownership === 'all' || (ownership === 'managed') === d.isManaged)
      .filter((d) => !unverifiedOnly || d.lastVerifiedAt === undefined)
      .sort((a, b) => a.createdAt - b.createdAt);
    return { status: 200, body: list.map(storageDestinationDto) };
  });

  r.post('/storage-destinations', (req) => {
    const f = fieldReader(objectBody(req));
    const name = f.string('name', { required: true, max: 128 });
    const type = f.string('type', { required: true });
    const bucket = f.string('bucket', { required: true });
    f.string('accessKeyId', { required: true });
    f.string('secretAccessKey', { required: true });
    const region = f.string('region');
    const endpointUrl = f.string('endpointUrl');
    const encryptionMode = f.string('encryptionMode');
    const storageClass = f.string('storageClass');
    const forcePathStyle = f.boolean('forcePathStyle');
    f.check();
    if (nameTaken(name!)) throw conflict('a storage destination with this name already exists');
    const now = ctx.clock();
    const d: NcDestination = {
      id: randomUUID(), name: name!.trim(), isManaged: false, type: type!, bucket: bucket!, region: region ?? 'auto', endpointUrl,
      encryptionMode: encryptionMode ?? 'sse-s3', storageClass: storageClass ?? 'STANDARD', forcePathStyle: forcePathStyle ?? false,
      isActive: true, createdAt: now, updatedAt: now, lastVerifiedAt: now,
    };
    ctx.state.destinations.set(d.id, d);
    live.audit('storage_destination.created', 'storage_destination', d.id, ctx.state.tokenUser, { name: d.name, managed: false });
    return { status: 200, body: { id: d.id, lastVerifiedAt: iso(now) } };
  });

  r.post('/storage-destinations/managed/ensure', (req) => {
    const f = fieldReader(objectBody(req));
    const region = f.oneOf('region', NC_REGIONS, { required: true });
    f.check();
    let d = [...ctx.state.destinations.values()].find((x) => x.isManaged && x.region === region);
    if (!d) {
      const now = ctx.clock();
      d = {
        id: randomUUID(), name: `norcube-managed-${region}`, isManaged: true, type: 's3', bucket: `norcube-managed-${ctx.state.organizationId.slice(0, 8)}`,
        region: region!, encryptionMode: 'sse-kms', storageClass: 'STANDARD', forcePathStyle: false, isActive: true, createdAt: now, updatedAt: now, lastVerifiedAt: now,
      };
      ctx.state.destinations.set(d.id, d);
      live.audit('storage_destination.created', 'storage_destination', d.id, null, { name: d.name, managed: true });
    }
    return { status: 200, body: { id: d.id } };
  });

  const requireDestination = (id: string) => {
    const d = ctx.state.destinations.get(id);
    if (!d) throw notFound('storage destination');
    return d;
  };

  r.get('/storage-destinations/:id', (req) => ({ status: 200, body: storageDestinationDto(requireDestination(uuidParam(req, 'id'))) }));

  r.patch('/storage-destinations/:id', (req) => {
    const d = requireDestination(uuidParam(req, 'id'));
    const f = fieldReader(objectBody(req));
    const name = f.string('name', { nonEmpty: true, max: 128 });
    const region = f.string('region');
    const endpointUrl = f.string('endpointUrl');
    const encryptionMode = f.string('encryptionMode');
    const storageClass = f.string('storageClass');
    const forcePathStyle = f.boolean('forcePathStyle');
    const accessKeyId = f.string('accessKeyId');
    f.string('secretAccessKey');
    f.check();
    if (d.isManaged && (endpointUrl !== undefined || accessKeyId !== undefined)) throw validationFailed({ endpointUrl: 'managed destinations cannot be re-pointed' });
    if (name !== undefined && nameTaken(name, d.id)) throw conflict('a storage destination with this name already exists');
    if (name !== undefined) d.name = name.trim();
    if (region !== undefined) d.region = region;
    if (endpointUrl !== undefined) d.endpointUrl = endpointUrl;
    if (encryptionMode !== undefined) d.encryptionMode = encryptionMode;
    if (storageClass !== undefined) d.storageClass = storageClass;
    if (forcePathStyle !== undefined) d.forcePathStyle = forcePathStyle;
    d.updatedAt = ctx.clock();
    if (accessKeyId !== undefined) d.lastVerifiedAt = d.updatedAt;
    live.audit('storage_destination.updated', 'storage_destination', d.id, ctx.state.tokenUser, { name: d.name });
    return { status: 200, body: storageDestinationDto(d) };
  });

  r.delete('/storage-destinations/:id', (req) => {
    const d = requireDestination(uuidParam(req, 'id'));
    const users = [...ctx.state.policies.values()].filter((p) => p.destinationId === d.id).length;
    if (users > 0) throw conflict(`storage destination is used by ${users} backup polic${users === 1 ? 'y' : 'ies'}`);
    if ([...ctx.state.jobs.values()].some((j) => j.destinationId === d.id && j.deletedAt === undefined && (j.status === 'success' || j.status === 'partial'))) {
      throw conflict('storage destination still holds backup files');
    }
    ctx.state.destinations.delete(d.id);
    live.audit('storage_destination.deleted', 'storage_destination', d.id, ctx.state.tokenUser, { name: d.name });
    return { status: 204 };
  });

  r.get('/notifications/settings', () => ({ status: 200, body: notificationDto(ctx.state.notificationSettings) }));

  r.put('/notifications/settings', (req) => {
    const body = objectBody(req);
    const f = fieldReader(body);
    const s = ctx.state.notificationSettings;
    const emails = body.alertEmails;
    if (emails !== undefined && (!Array.isArray(emails) || emails.some((e) => typeof e !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(e)))) {
      f.problems.alertEmails = 'must be a list of email addresses';
    }
    const flags = ['onBackupFailed', 'onMissedSchedule', 'onRecovered', 'onRestoreFailed', 'onRestoreTestFailed'] as const;
    const values = Object.fromEntries(flags.map((k) => [k, f.boolean(k)]));
    const slack = f.string('slackWebhookUrl');
    const webhook = f.string('webhookUrl');
    const secret = f.string('webhookSecret');
    f.check();
    if (Array.isArray(emails)) s.alertEmails = emails as string[];
    for (const k of flags) if (values[k] !== undefined) s[k] = values[k]!;
    if (slack !== undefined) s.slackWebhookUrl = slack || undefined;
    if (webhook !== undefined) s.webhookUrl = webhook || undefined;
    if (secret !== undefined) s.webhookSecret = secret || undefined;
    live.audit('notification_settings.updated', 'organization', ctx.state.organizationId, ctx.state.tokenUser, { changed: Object.keys(body) });
    return { status: 200, body: notificationDto(s) };
  });

  r.post('/notifications/test', () => {
    const s = ctx.state.notificationSettings;
    const results: Record<string, unknown>[] = [];
    if (s.alertEmails.length > 0) results.push({ channel: 'email', ok: true });
    if (s.slackWebhookUrl) results.push({ channel: 'slack', ok: true });
    if (s.webhookUrl) results.push({ channel: 'webhook', ok: false, error: 'endpoint returned HTTP 404' });
    return { status: 200, body: { results } };
  });
}
