// The harness itself: the server is up, the fake GitHub signs a browser in through
// the real OAuth routes, the fake Stripe's webhook signature is accepted.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Session, launch, uniqueLogin } from '../lib/browser.ts';
import { api, tokenApi } from '../lib/api.ts';
import { deliver, event } from '../harness/fake-stripe.ts';
import { makePastDue } from '../lib/billing.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('harness', () => {
  test('the demo org is seeded and alice has a token', async () => {
    const r = await tokenApi<{ items: unknown[] }>(inject('aliceToken'), 'GET', '/api/v1/orgs/acme/projects');
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThanOrEqual(2);
  });

  test('OAuth through the fake GitHub creates the user and their org', async () => {
    const s = await Session.open(browser);
    try {
      const login = uniqueLogin('harness');
      await s.page.goto('/auth/github/login?redirect_to=/');
      await s.page.getByLabel('Username or email address').fill(login);
      await s.page.getByRole('button', { name: 'Authorize' }).click();
      await s.page.waitForURL((u) => u.origin === s.base && !u.pathname.startsWith('/auth/'));
      const me = await api<{ login: string; orgs: Array<{ slug: string; role: string }> }>(s.context, 'GET', '/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.login).toBe(login);
      expect(me.body.orgs).toEqual([expect.objectContaining({ slug: login, role: 'owner' })]);
      await s.assertClean();
    } finally {
      await s.close();
    }
  });

  test('checkout through the fake Stripe and webhooks make an org past due and read-only', async () => {
    const s = await Session.open(browser);
    try {
      const login = uniqueLogin('harness-billing');
      await s.page.goto('/auth/github/login?redirect_to=/');
      await s.page.getByLabel('Username or email address').fill(login);
      await s.page.getByRole('button', { name: 'Authorize' }).click();
      await s.page.waitForURL((u) => u.origin === s.base && !u.pathname.startsWith('/auth/'));
      await makePastDue(s.context, login);
      const billing = await api(s.context, 'GET', `/api/v1/orgs/${login}/billing`);
      expect(billing.body).toMatchObject({ plan: 'team', status: 'past_due', read_only: true });
      const write = await api(s.context, 'POST', `/api/v1/orgs/${login}/projects`, { key: 'NOPE', name: 'No' });
      expect(write.status).toBe(402);
      expect(write.body.type).toBe('urn:trellis:problem:read-only');
    } finally {
      await s.close();
    }
  });

  test('a signed webhook delivery is verified', async () => {
    const r = await deliver(inject('base'), event('evt_harness_1', 'plan.created', Math.floor(Date.now() / 1000), {}));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });
});
