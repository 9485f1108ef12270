/**
 * GraphiQL in Chromium against a gateway that requires a key: the page and its files load without
 * one, the operator types `Authorization` into GraphiQL's headers editor, and the dashboard query
 * then runs with data from every provider. Without the key the same query is refused (401).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/access/api-keys.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const EXECUTE = 'button[aria-label^="Execute query"]';
const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

let t: TGateway;
let browser: Browser;
let page: Page;
const key = generateApiKey();

beforeAll(async () => {
  t = await tgateway({
    access: { apiKeys: [{ id: 'browser-reader', sha256: hashApiKey(key), role: 'reader' }] },
    // With access control GraphiQL and introspection are off unless turned on.
    gateway: { graphiql: true, introspection: true },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1600 } });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'blob:' || url.protocol === 'data:' || isLoopback(url.hostname)) return route.continue();
    return route.abort('blockedbyclient');
  });
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The next POST of the dashboard query GraphiQL sends, and its answer. */
const nextDashboardRun = () =>
  page.waitForResponse((r) => r.url() === `${t.url}/graphql` && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('OperationsDashboard'), { timeout: 30_000 });

describe('GraphiQL with access control', () => {
  it('runs the dashboard once the key is entered in the headers editor, and is refused without it', async () => {
    const res = await page.goto(`${t.url}/graphql`);
    expect(res?.status()).toBe(200);
    await page.locator(EXECUTE).waitFor({ state: 'visible', timeout: 30_000 });

    // Without a key: the gateway refuses the run.
    const refused = nextDashboardRun();
    await page.locator(EXECUTE).click();
    const refusedAnswer = await refused;
    expect(refusedAnswer.status()).toBe(401);
    expect((await refusedAnswer.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    // The key, typed into GraphiQL's headers editor.
    await page.getByRole('button', { name: /^headers$/i }).click();
    const headers = page.locator('section.graphiql-editor-tool .graphiql-editor').last();
    await headers.click();
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${key}` }));

    const ran = nextDashboardRun();
    await page.locator(EXECUTE).click();
    const answer = await ran;
    expect(answer.request().headers().authorization).toBe(`Bearer ${key}`);
    expect(answer.status()).toBe(200);
    const body = await answer.json();
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(body.data.providers.map((p: { id: string }) => p.id).sort()).toEqual(['bocada', 'bycloud', 'norcube', 'ocore']);
    // The key never comes back in an answer or a log line.
    expect(t.logs.join('\n')).not.toContain(key);
  }, 90_000);
});
