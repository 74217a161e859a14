// A fake Stripe API over HTTP for what billing calls (customers, Checkout Sessions,
// Billing Portal sessions), answering with Stripe's published example objects
// (backend/src/billing/testdata, the same ones the Rust tests use) patched with ids,
// and the webhook side: events built from those objects, signed the way Stripe signs
// (`Stripe-Signature: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<body>")`).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STRIPE_SECRET_KEY = 'sk_test_fake_e2e';
export const WEBHOOK_SECRET = 'whsec_e2e_current';
export const PRICE_TEAM = 'price_team_monthly';
export const PRICE_BUSINESS = 'price_business_monthly';

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), '../../../backend/src/billing/testdata');

type Json = Record<string, unknown>;

export function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(TESTDATA, `${name}.json`), 'utf8')) as Json;
}

export interface Received {
  path: string;
  form: Record<string, string>;
}

export interface FakeStripe {
  base: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function stripeError(res: ServerResponse, param: string, message: string): void {
  send(res, 400, { error: { type: 'invalid_request_error', code: 'resource_missing', param, message } });
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://fake-stripe').pathname;
      // The tests' window into what billing asked Stripe for.
      if (req.method === 'GET' && path === '/__e2e/received') return send(res, 200, received);
      if (req.headers.authorization !== `Bearer ${STRIPE_SECRET_KEY}`) {
        return send(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      }
      const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      received.push({ path, form });
      const n = received.length;
      if (req.method === 'POST' && path === '/v1/customers') {
        const customer = fixture('customer');
        customer.id = `cus_e2e${n}`;
        customer.name = form.name ?? null;
        customer.metadata = { org_id: form['metadata[org_id]'] };
        return send(res, 200, customer);
      }
      if (req.method === 'POST' && path === '/v1/checkout/sessions') {
        const price = form['line_items[0][price]'] ?? '';
        if (![PRICE_TEAM, PRICE_BUSINESS].includes(price)) {
          return stripeError(res, 'line_items[0][price]', `No such price: '${price}'`);
        }
        const session = fixture('checkout_session');
        const id = `cs_test_e2e${n}`;
        session.id = id;
        session.url = `https://checkout.stripe.com/c/pay/${id}`;
        session.mode = 'subscription';
        session.customer = form.customer ?? null;
        session.client_reference_id = form.client_reference_id ?? null;
        session.success_url = form.success_url ?? session.success_url;
        session.cancel_url = form.cancel_url ?? session.cancel_url;
        return send(res, 200, session);
      }
      if (req.method === 'POST' && path === '/v1/billing_portal/sessions') {
        const session = fixture('billing_portal_session');
        session.id = `bps_e2e${n}`;
        session.customer = form.customer ?? null;
        session.return_url = form.return_url ?? session.return_url;
        session.url = `https://billing.stripe.com/p/session/test_e2e${n}`;
        return send(res, 200, session);
      }
      stripeError(res, 'path', `Unrecognized request URL (${req.method}: ${path})`);
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export async function receivedBy(stripeBase: string): Promise<Received[]> {
  const res = await fetch(`${stripeBase}/__e2e/received`);
  return (await res.json()) as Received[];
}

// ---- Webhook events (what Stripe would deliver) ----

export function event(id: string, type: string, created: number, object: Json): Json {
  const e = fixture('event');
  e.id = id;
  e.type = type;
  e.created = created;
  e.api_version = '2025-06-30.basil';
  e.data = { object };
  return e;
}

export function checkoutCompleted(orgId: string, customer: string, subscription: string, seats: number): Json {
  const s = fixture('checkout_session');
  s.mode = 'subscription';
  s.status = 'complete';
  s.payment_status = 'paid';
  s.customer = customer;
  s.subscription = subscription;
  s.client_reference_id = orgId;
  s.metadata = { org_id: orgId, plan: 'team', seats: String(seats) };
  return s;
}

export function subscription(orgId: string, customer: string, id: string, status: string, seats: number, periodEnd: number): Json {
  const sub = fixture('subscription') as Json & { items: { data: Json[] } };
  sub.id = id;
  sub.customer = customer;
  sub.status = status;
  sub.metadata = { org_id: orgId };
  const item = sub.items.data[0];
  (item.price as Json).id = PRICE_TEAM;
  item.quantity = seats;
  item.subscription = id;
  item.current_period_end = periodEnd;
  return sub;
}

export function invoice(customer: string, subscriptionId: string, status: string): Json {
  const inv = fixture('invoice');
  inv.id = `in_${subscriptionId}_${status}`;
  inv.customer = customer;
  inv.status = status;
  inv.parent = {
    type: 'subscription_details',
    quote_details: null,
    subscription_details: { metadata: {}, subscription: subscriptionId },
  };
  return inv;
}

export function sign(secret: string, timestamp: number, payload: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** POSTs a signed event to the server's webhook, as Stripe does; returns status and body. */
export async function deliver(serverBase: string, body: Json, secret = WEBHOOK_SECRET): Promise<{ status: number; body: Json }> {
  const payload = JSON.stringify(body);
  const res = await fetch(`${serverBase}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': sign(secret, Math.floor(Date.now() / 1000), payload) },
    body: payload,
  });
  const text = await res.text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}
