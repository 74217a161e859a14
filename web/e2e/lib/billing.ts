// Drives an organization through billing the way Stripe would: a real checkout
// (the server calls the fake Stripe, which creates the customer), then signed
// webhook deliveries: completed, subscription active, payment failed, past due.
import type { BrowserContext } from 'playwright-core';
import { inject } from 'vitest';
import { api } from './api.ts';
import { checkoutCompleted, deliver, event, invoice, receivedBy, subscription } from '../harness/fake-stripe.ts';

const DAY = 86_400;

async function must(r: Promise<{ status: number; body: unknown }>, what: string): Promise<void> {
  const { status, body } = await r;
  if (status !== 200) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
}

/**
 * Subscribes `slug` to the team plan, then makes it past due with the failure ten
 * days ago: past the 7-day grace, so the org is read-only now.
 */
export async function makePastDue(owner: BrowserContext, slug: string): Promise<{ customer: string }> {
  const base = inject('base');
  const org = await api<{ id: string }>(owner, 'GET', `/api/v1/orgs/${slug}`);
  if (org.status !== 200) throw new Error(`GET org ${slug}: ${org.status}`);
  const orgId = org.body.id;
  const checkout = await api(owner, 'POST', `/api/v1/orgs/${slug}/billing/checkout`, { plan: 'team', seats: 5 });
  if (checkout.status !== 200) throw new Error(`checkout: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const sessions = (await receivedBy(inject('stripeBase'))).filter(
    (r) => r.path === '/v1/checkout/sessions' && r.form['metadata[org_id]'] === orgId,
  );
  const customer = sessions.at(-1)?.form.customer;
  if (!customer) throw new Error('the checkout created no customer');
  const sub = `sub_e2e_${slug.replace(/-/g, '_')}`;
  const now = Math.floor(Date.now() / 1000);
  const t0 = now - 20 * DAY;
  const periodEnd = now + 10 * DAY;
  const id = (n: number) => `evt_e2e_${slug}_${n}`;
  await must(deliver(base, event(id(1), 'checkout.session.completed', t0, checkoutCompleted(orgId, customer, sub, 5))), 'checkout.session.completed');
  await must(deliver(base, event(id(2), 'customer.subscription.created', t0 + 1, subscription(orgId, customer, sub, 'active', 5, periodEnd))), 'subscription.created');
  await must(deliver(base, event(id(3), 'invoice.payment_failed', now - 10 * DAY, invoice(customer, sub, 'open'))), 'invoice.payment_failed');
  await must(deliver(base, event(id(4), 'customer.subscription.updated', now - 10 * DAY + 1, subscription(orgId, customer, sub, 'past_due', 5, periodEnd))), 'subscription.updated');
  return { customer };
}

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

/** Subscribes `slug` to the team plan with `seats` seats, active now (checkout + webhooks). */
export async function activateTeam(call: Call, slug: string, seats: number): Promise<void> {
  const base = inject('base');
  const org = await call('GET', `/api/v1/orgs/${slug}`);
  const orgId = String(org.body.id);
  const checkout = await call('POST', `/api/v1/orgs/${slug}/billing/checkout`, { plan: 'team', seats });
  if (checkout.status !== 200) throw new Error(`checkout: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const customer = (await receivedBy(inject('stripeBase')))
    .filter((r) => r.path === '/v1/checkout/sessions' && r.form['metadata[org_id]'] === orgId)
    .at(-1)?.form.customer;
  if (!customer) throw new Error('the checkout created no customer');
  const sub = `sub_e2e_${slug.replace(/-/g, '_')}`;
  const now = Math.floor(Date.now() / 1000);
  await must(deliver(base, event(`evt_${sub}_1`, 'checkout.session.completed', now - 10, checkoutCompleted(orgId, customer, sub, seats))), 'checkout.session.completed');
  await must(deliver(base, event(`evt_${sub}_2`, 'customer.subscription.created', now - 9, subscription(orgId, customer, sub, 'active', seats, now + 30 * DAY))), 'subscription.created');
}
