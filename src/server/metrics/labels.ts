/**
 * Label values as metrics may carry them: short, of a small alphabet (provider ids, route
 * templates, methods, statuses, codes). Anything else becomes {@link OTHER_LABEL}, so a value that
 * should never be a label (a URL with a token, a free text) cannot reach a metric by mistake.
 */

/** What a label value that is not of the expected shape becomes. */
export const OTHER_LABEL = 'other';

const SAFE = /^[A-Za-z0-9_\-/:.]{1,100}$/;

/** `value` when it has the shape of a bounded label value (`/backup-jobs/:id`, `UPSTREAM_ERROR`, `bocada`), else {@link OTHER_LABEL}. */
export function boundedLabel(value: string): string {
  return SAFE.test(value) ? value : OTHER_LABEL;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** `value` when it is a GraphQL name (`triggerBackup`), else {@link OTHER_LABEL}: stricter than {@link boundedLabel} (no `:` or `-`, so no caller key). */
export function nameLabel(value: string): string {
  return NAME.test(value) ? value : OTHER_LABEL;
}
