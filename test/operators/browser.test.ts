import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sql } from 'kysely';
import { newOrg, startService, type Service } from './service.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';

/**
 * A person's view of the operator pages: Debian's Chromium, headless, against the service listening
 * on a real port with an in-process worker. CI installs the `chromium` package (.ci/run); without it
 * this test fails rather than skipping, so a missing browser is never mistaken for a pass.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const HOSTILE_SLUG = 'b-<img src=x onerror=alert(1)>';

let svc: Service;
let browser: Browser;
let page: Page;
let org: Awaited<ReturnType<typeof newOrg>>;
let jobId: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium), as .ci/run does`);
  }
  svc = await startService({ listen: true, logLevel: 'silent', env: { BULK_CHUNK_SIZE: '5' } });
  org = await newOrg(svc);
  const space = await seedSpace(svc.orm, org.organizationId, 'browser');
  await seedInvocations(svc.orm, org.organizationId, space, 20, { prefix: 'b-free' });
  await seedInvocations(svc.orm, org.organizationId, space, 5, { prefix: 'b-gated', deleteGates: { legal_hold: true } });
  // A stored value that is markup must reach the page as text.
  await sql`update invocation set slug = ${HOSTILE_SLUG} where slug = 'b-gated-1'`.execute(db(svc.orm.em.fork()));
  const url = `/invocation?where=${encodeURIComponent("Slug LIKE 'b-%'")}`;
  const res = await org.admin.request({ method: 'DELETE', url, headers: { prefer: 'respond-async' } });
  expect(res.statusCode, res.body).toBe(202);
  jobId = res.json().JobID;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Only the service under test is reachable (bull-board's page links a web font).
  await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

const text = (selector: string) => page.locator(selector).innerText();

/** Opens every drop-down menu on a (loaded) bull-board page and answers what they offer. */
async function menuEntries(p: Page, enough?: RegExp): Promise<string> {
  let all = '';
  for (const trigger of await p.locator('button[aria-haspopup=menu]').all()) {
    await trigger.click();
    all += `${await p.getByRole('menu').innerText({ timeout: 1_000 }).catch(() => '')}\n`;
    await p.keyboard.press('Escape');
    if (enough?.test(all)) break;
  }
  return all;
}

describe('operator pages in Chromium', () => {
  it('logs in through the form and lands on the job page it asked for', async () => {
    await page.goto(`${svc.url}/admin/jobs/${jobId}`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.fill('input[name=token]', org.admin.token);
    await page.click('button[type=submit]');
    await page.waitForURL(`${svc.url}/admin/jobs/${jobId}`);
    expect(await text('#job-state')).toBe('queued');
    expect(await text('#count-total')).toBe('—');
    expect(await text('#job-percent')).toBe('0.0%');
    expect(await page.locator('[data-action=cancel]').isVisible()).toBe(true);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'bulkops_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('follows the job live over SSE to its end, with counts, progress, throughput and failures', async () => {
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    await svc.startWorker();
    await page.locator('#job-state', { hasText: 'completed' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await text('#count-total')).toBe('25');
    expect(await text('#count-succeeded')).toBe('20');
    expect(await text('#count-failed')).toBe('5');
    expect(await text('#count-pending')).toBe('0');
    expect(await text('#job-percent')).toBe('100.0%');
    expect(await page.locator('#job-progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(100);
    expect(await text('#job-rate')).toMatch(/^\d+\.\d entities\/s$/);
    expect(await text('#job-eta')).toBe('—');
    expect(await page.locator('[data-action=cancel]').isVisible()).toBe(false);

    const rows = page.locator('#failures-body tr');
    await expect.poll(() => rows.count()).toBe(5);
    expect(await rows.first().innerText()).toContain('DeleteGated');
    expect(await page.locator('#failures-body').innerText()).toContain(HOSTILE_SLUG);
    expect(await page.locator('#failures-body img').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'job-page.png'), fullPage: true });
  });

  it('reverts the finished job from its page and follows the revert job to its end', async () => {
    expect(await page.locator('[data-action=revert]').isVisible()).toBe(true);
    expect(await page.locator('[data-action=pause]').isVisible()).toBe(false);
    page.once('dialog', (d) => void d.accept());
    await page.click('[data-action=revert]');
    await page.waitForURL((url) => url.pathname.startsWith('/admin/jobs/') && !url.pathname.endsWith(jobId));
    await page.locator('#job-state', { hasText: 'completed' }).waitFor({ timeout: 15_000 });
    // The 20 deleted entities came back; the 5 gated ones were never touched.
    expect(await text('#count-total')).toBe('20');
    expect(await text('#count-succeeded')).toBe('20');
    await page.screenshot({ path: path.join(ARTIFACTS, 'revert-page.png'), fullPage: true });
  });

  it("cancels a waiting job from its page (a POST riding on the cookie from the page's own origin)", async () => {
    const board = (action: string) =>
      svc.app.inject({ method: 'PUT', url: `/admin/queues/api/queues/bulkops/${action}`, headers: { authorization: `Bearer ${svc.rootToken}` } });
    expect((await board('pause')).statusCode).toBe(200);
    try {
      const url = `/invocation?where=${encodeURIComponent("Slug LIKE 'b-free-1%'")}`;
      const res = await org.admin.request({ method: 'PATCH', url, payload: { DisplayName: 'x' }, headers: { prefer: 'respond-async' } });
      const id = res.json().JobID;
      await page.goto(`${svc.url}/admin/jobs/${id}`);
      expect(await text('#job-state')).toBe('queued');
      page.once('dialog', (d) => void d.accept());
      await page.click('[data-action=cancel]');
      await page.locator('#job-state', { hasText: 'cancelled' }).waitFor({ timeout: 5_000 });
      expect(await text('#action-message')).toBe('Cancel: done');
      expect((await org.admin.get(`/job/${id}`)).json().State).toBe('cancelled');
    } finally {
      await board('resume');
    }
  });

  it('opens the queue board: the bulkops queue, read-only for an organization admin', async () => {
    await page.goto(`${svc.url}/admin/queues`);
    const queueLink = page.getByRole('link', { name: 'bulkops', exact: true }).first();
    await queueLink.waitFor({ timeout: 10_000 });
    expect(await page.title()).toBe('bulkops queues');
    expect(await page.locator('nav, aside').first().innerText()).toMatch(/read-only/i);
    await page.screenshot({ path: path.join(ARTIFACTS, 'queue-board.png'), fullPage: true });
    await queueLink.click();
    await page.getByText('read-only: queue actions need a system-admin token').waitFor();
    await page.getByText('LATEST').first().waitFor();
    // bull-board offers no queue actions (pause, clean, empty) on a read-only queue.
    expect(await menuEntries(page)).not.toMatch(/pause/i);
  });

  it('gives a system admin the queue actions', async () => {
    const admin = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await admin.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
    await admin.goto(`${svc.url}/admin/login?next=/admin/queues`);
    await admin.fill('input[name=token]', svc.rootToken);
    await admin.click('button[type=submit]');
    await admin.getByRole('link', { name: 'bulkops', exact: true }).first().click();
    await admin.getByText('LATEST').first().waitFor();
    expect(await menuEntries(admin, /pause/i)).toMatch(/pause/i);
    await admin.close();
  });
});
