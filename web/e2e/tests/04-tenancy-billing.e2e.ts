// Tenancy and billing: another organization's pages are a 404 for someone who is not
// a member (and its API too); the owner upgrades through Checkout (the fake Stripe);
// when Stripe reports the subscription past due beyond the grace period, the app shows
// the read-only banner with the way to the portal, and writes are refused and rolled back.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { forgetProblemsAfterFailure, launch } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { card, column, mouseDrag } from '../lib/board.ts';
import { makePastDue } from '../lib/billing.ts';
import { receivedBy } from '../harness/fake-stripe.ts';
import { createProject, createTicket, getTicket, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let a: Owner;
let b: Owner;

forgetProblemsAfterFailure(() => [a?.s, b?.s]);
beforeAll(async () => {
  browser = await launch();
  a = await newOwner(browser, 'ana');
  b = await newOwner(browser, 'ben');
  await createProject(a.s.context, a.slug, 'SEC', 'Secret plans');
  await createTicket(a.s.context, a.slug, 'SEC', { title: 'Acquire the competitor' });
});
afterAll(async () => {
  await a?.s.close();
  await b?.s.close();
  await browser?.close();
});

describe('tenancy', () => {
  test("another organization's pages are Not found, and so is its API", async () => {
    const { page } = b.s;
    b.s.allow(new RegExp(`/api/v1/orgs/${a.slug}(/|$)`), 404);
    for (const path of [`/${a.slug}/projects`, `/${a.slug}/projects/SEC/board`, `/${a.slug}/tickets/SEC-1`, `/${a.slug}/issues`, `/${a.slug}/settings/members`]) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      expect(await page.getByText('Acquire the competitor').count(), path).toBe(0);
      expect(await page.getByText('Secret plans').count(), path).toBe(0);
    }
    for (const path of [`/api/v1/orgs/${a.slug}`, `/api/v1/orgs/${a.slug}/tickets/SEC-1`, `/api/v1/orgs/${a.slug}/projects`]) {
      const r = await api(b.s.context, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body.type).toBe('urn:trellis:problem:not-found');
    }
    // Their own org is still theirs.
    await page.goto(`/${b.slug}/projects`);
    await page.getByRole('heading', { name: /^Welcome to / }).waitFor();
    await b.s.assertClean();
  });
});

describe('billing', () => {
  test('the owner upgrades through Stripe Checkout', async () => {
    const { page } = a.s;
    await page.goto(`/${a.slug}/billing`);
    await expect.poll(() => page.getByTestId('billing-plan').textContent()).toBe('Free');
    await page.getByLabel('Plan', { exact: true }).selectOption('team');
    await page.getByLabel('Seats', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Continue to Checkout' }).click();
    await page.waitForURL(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_e2e\d+$/);
    const org = await api<{ id: string }>(a.s.context, 'GET', `/api/v1/orgs/${a.slug}`);
    const sessions = (await receivedBy(inject('stripeBase'))).filter(
      (r) => r.path === '/v1/checkout/sessions' && r.form['metadata[org_id]'] === org.body.id,
    );
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.form).toMatchObject({ mode: 'subscription', 'line_items[0][quantity]': '3', 'line_items[0][price]': 'price_team_monthly' });
    await a.s.assertClean();
  });

  test('past due beyond the grace period: the read-only banner, the portal link, writes refused', async () => {
    await makePastDue(a.s.context, a.slug);
    const { page } = a.s;
    await page.goto(`/${a.slug}/projects/SEC/board`);
    const banner = page.getByTestId('read-only-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/This organization is read-only\./);
    expect(await banner.getAttribute('role')).toBe('status');
    await card(column(page, 'To Do'), 'SEC-1').waitFor();
    await a.s.screenshot('read-only-banner');

    // A card move is refused by the server (402) and rolled back.
    a.s.allow(new RegExp(`/api/v1/orgs/${a.slug}/tickets/SEC-1/transitions$`), 402, 'POST');
    await mouseDrag(page, card(column(page, 'To Do'), 'SEC-1'), column(page, 'In Progress'));
    await card(column(page, 'To Do'), 'SEC-1').waitFor();
    await page.waitForTimeout(300);
    await card(column(page, 'To Do'), 'SEC-1').waitFor();
    expect((await getTicket(a.s.context, a.slug, 'SEC-1')).status.name).toBe('To Do');

    // Creating a ticket: refused, nothing created.
    a.s.allow(new RegExp(`/api/v1/orgs/${a.slug}/projects/SEC/tickets$`), 402, 'POST');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create ticket' });
    await dialog.getByLabel('Title').fill('Written while past due');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForTimeout(500);
    const list = await api<{ items: unknown[] }>(a.s.context, 'GET', `/api/v1/orgs/${a.slug}/projects/SEC/tickets`);
    expect(list.body.items).toHaveLength(1);
    if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Cancel' }).click();

    // The banner leads to billing, which opens the portal to pay.
    await banner.getByRole('link', { name: 'Open billing and the payment portal' }).click();
    await page.waitForURL(new RegExp(`/${a.slug}/billing$`));
    await page.getByText('Read-only: writes are paused until the subscription is paid.').waitFor();
    await page.getByRole('button', { name: 'Update payment in the portal' }).click();
    await page.waitForURL(/^https:\/\/billing\.stripe\.com\/p\/session\/test_e2e\d+$/);
    await a.s.assertClean();
  });
});
