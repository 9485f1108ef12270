/**
 * GraphiQL in a real browser: Debian's Chromium (`CHROMIUM_PATH` or /usr/bin/chromium, installed by `npm test`'s pretest) driven by
 * playwright-core. The gateway runs over the four simulators; the test presses GraphiQL's run
 * button on the dashboard query it opens with, then runs a `backupProgress` subscription (GraphQL
 * over SSE) on a live oCore backup and reads every event off the result pane.
 *
 * The gateway serves GraphiQL's files itself, so every request off loopback is refused: the test
 * proves GraphiQL works on a closed network.
 */
import { chromium, type Browser, type BrowserContext, type Page, type Request as PwRequest } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

/** `npm test`'s pretest makes sure this exists (scripts/ensure-chromium.mjs). */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const EXECUTE = 'button[aria-label^="Execute query"]';
const QUERY_EDITOR_SECTION = 'section.graphiql-query-editor';
const QUERY_EDITOR = `${QUERY_EDITOR_SECTION} .view-lines`;
const RESULT = 'section.result-window';
const PROVIDER_IDS = ['bocada', 'norcube', 'bycloud', 'ocore'] as const;

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

let t: TGateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const failedRequests: string[] = [];

beforeAll(async () => {
  // oCore steps a live backup once a second (~6 s in all), so the subscription, started a second or
  // so after the backup, still sees several running events; and no backup of this run is made to fail.
  t = await tgateway({ stepMs: 1000, perKind: { ocore: { backupFailEvery: 0 } } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Tall enough that the result viewer (Monaco renders only the lines in view) shows every provider.
  context = await browser.newContext({ viewport: { width: 1400, height: 2000 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  // GraphiQL's files come from the gateway itself; nothing off this machine is needed or allowed.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'blob:' || url.protocol === 'data:' || isLoopback(url.hostname)) return route.continue();
    return route.abort('blockedbyclient');
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('requestfailed', (r: PwRequest) => {
    failedRequests.push(`${r.url()} (${r.failure()?.errorText})`);
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await t?.close();
});

/** Opens GraphiQL at `path` and waits until its editor is up, or fails saying why it is not. */
async function openGraphiql(path: string): Promise<void> {
  const introspection = page.waitForResponse(
    (r) => r.url() === `${t.url}/graphql` && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('IntrospectionQuery'),
    { timeout: 40_000 },
  );
  introspection.catch(() => {}); // awaited below, once GraphiQL is up
  const res = await page.goto(`${t.url}${path}`);
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-type']).toMatch(/^text\/html/);
  try {
    await page.locator(EXECUTE).waitFor({ state: 'visible', timeout: 30_000 });
  } catch (e) {
    const shown = await page.locator('#root').innerText().catch(() => '?');
    throw new Error(
      `GraphiQL did not render: the page shows ${JSON.stringify(shown.slice(0, 200))}; ` +
        `failed requests: ${failedRequests.join(', ') || 'none'}; page errors: ${pageErrors.join(' | ') || 'none'}`,
      { cause: e },
    );
  }
  // GraphiQL loaded the schema (docs, completion, validation): the gateway let its introspection through.
  const schema = await introspection;
  expect(schema.status()).toBe(200);
  const body = await schema.json();
  expect(body.errors).toBeUndefined();
  expect(body.data?.__schema?.subscriptionType?.name).toBe('Subscription');
}

/** The visible text of a Monaco editor (the query editor or the result viewer), spaces normalized. */
function editorText(selector: string): Promise<string> {
  return page.evaluate((sel) => {
    const el = document.querySelector<HTMLElement>(sel);
    return el ? el.innerText.replace(/\u00a0/g, ' ') : '';
  }, selector);
}

const resultText = () => editorText(`${RESULT} .view-lines`);

describe('GraphiQL in Chromium', () => {
  it('opens with the operations dashboard and runs it against every provider', async () => {
    await openGraphiql('/graphql');
    await expect.poll(() => editorText(QUERY_EDITOR), { timeout: 10_000 }).toMatch(/query OperationsDashboard \{/);

    // What GraphiQL received, whole (the viewer renders only the lines in view).
    const executed = page.waitForResponse(
      (r) => r.url() === `${t.url}/graphql` && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('OperationsDashboard'),
      { timeout: 30_000 },
    );
    await page.locator(EXECUTE).click();
    const response = await executed;
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(body.data.providers.map((p: any) => [p.id, p.health.status])).toEqual(PROVIDER_IDS.map((id) => [id, 'UP']));
    // Every provider answered the dashboard: it counted its failures and its resources' protection.
    expect(body.data.failuresLast24h.providers.map((p: any) => p.provider.id)).toEqual([...PROVIDER_IDS]);
    expect(body.data.protection.providers.map((p: any) => [p.provider.id, p.counts.total > 0])).toEqual(PROVIDER_IDS.map((id) => [id, true]));
    expect(body.data.recentJobs.nodes.length).toBeGreaterThan(0);

    // And the result pane shows it: every provider, each one up.
    await expect.poll(resultText, { timeout: 30_000 }).toMatch(/^\{\s*"data": \{\s*"providers": \[/);
    const text = await resultText();
    for (const id of PROVIDER_IDS) expect(text).toContain(`"id": "${id}"`);
    expect(text.match(/"status": "UP"/g)?.length).toBe(PROVIDER_IDS.length);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('runs a backupProgress subscription over SSE and shows every event up to done', async () => {
    // A live oCore backup, started on the simulator directly.
    const sim = t.sims.get('ocore').simulator;
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${sim.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${sim.credential}`, 'content-type': 'application/json', ...init.headers },
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const projects = await call('/api/projects');
    expect(projects.status).toBe(200);
    const projectId: string = projects.body.projects[0].id;
    const envs = await call(`/api/projects/${encodeURIComponent(projectId)}/environments`);
    expect(envs.status).toBe(200);
    const envId: string = envs.body.environments[0].id;

    // GraphiQL first (Chromium takes a while), so the backup is still running when the subscription
    // starts; then the subscription goes into the editor the way a person would put it there: pasted.
    await openGraphiql('/graphql');
    const started = await call(`/api/environments/${encodeURIComponent(envId)}/backups`, { method: 'POST', body: JSON.stringify({ type: 'db' }) });
    expect(started.status).toBe(202);
    const backupId = encodeGlobalId('ocore', 'backup', started.body.backupId);
    const subscription = `subscription Watch {\n  backupProgress(backupId: "${backupId}") {\n    status\n    percent\n    phase\n    done\n    at\n  }\n}\n`;
    await page.evaluate((text) => navigator.clipboard.writeText(text), subscription);
    await page.locator(`${QUERY_EDITOR_SECTION} .monaco-editor`).first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('ControlOrMeta+V');
    await expect.poll(() => editorText(QUERY_EDITOR), { timeout: 10_000 }).toBe(subscription.trimEnd());
    // GraphiQL takes in an edit on a debounce (its operation name and the query it stores); running
    // before then executes the previous document's operation. It has taken it in once it stored it.
    await expect.poll(() => page.evaluate(() => localStorage.getItem('graphiql:query')), { timeout: 10_000 }).toBe(subscription);

    // Record every distinct state of the result pane from here on.
    await page.evaluate((sel) => {
      const pane = document.querySelector<HTMLElement>(sel)!;
      const seen: string[] = [];
      (window as any).__seen = seen;
      new MutationObserver(() => {
        const text = (pane.querySelector<HTMLElement>('.view-lines')?.innerText ?? '').replace(/\u00a0/g, ' ');
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(pane, { subtree: true, childList: true, characterData: true });
    }, RESULT);

    await page.locator(EXECUTE).click();
    await expect.poll(resultText, { timeout: 30_000 }).toMatch(/"done": true/);

    const seen: string[] = await page.evaluate(() => (window as any).__seen);
    const events = seen
      .filter((s) => s.includes('"backupProgress"'))
      .map((s) => ({
        status: /"status": "(\w+)"/.exec(s)?.[1],
        percent: /"percent": (null|[\d.]+)/.exec(s)?.[1],
        done: /"done": (true|false)/.exec(s)?.[1],
      }));
    expect(seen.some((s) => s.includes('"errors"')), seen.join('\n---\n')).toBe(false);
    // The stream was live: several running events before the last one, percent never going back.
    expect(events.length, JSON.stringify(events)).toBeGreaterThanOrEqual(3);
    expect(events.slice(0, -1).every((e) => e.done === 'false')).toBe(true);
    const percents = events.map((e) => (e.percent === 'null' || e.percent === undefined ? NaN : Number(e.percent))).filter((p) => !Number.isNaN(p));
    expect(percents.length).toBeGreaterThanOrEqual(2);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(new Set(percents).size).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', done: 'true' });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
