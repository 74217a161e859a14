// The harness itself: the server is up, the fake GitHub signs a browser in through
// the real OAuth routes, the fake Stripe's webhook signature is accepted.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Session, launch, uniqueLogin } from '../lib/browser.ts';
import { api, tokenApi } from '../lib/api.ts';
import { deliver, event } from '../harness/fake-stripe.ts';

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

  test('a signed webhook delivery is verified', async () => {
    const r = await deliver(inject('base'), event('evt_harness_1', 'plan.created', Math.floor(Date.now() / 1000), {}));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });
});
