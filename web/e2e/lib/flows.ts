// Set-up steps several tests share. What a test is about goes through the UI; what
// it merely needs (a second project, fifty tickets) goes through the API.
import type { Browser, BrowserContext } from 'playwright-core';
import { expect } from 'vitest';
import { api, type Ticket } from './api.ts';
import { Session, signInWithGitHub, uniqueLogin } from './browser.ts';

export interface Owner {
  s: Session;
  login: string;
  slug: string;
}

/** A new GitHub user signs up; their own organization is `slug`. */
export async function newOwner(browser: Browser, prefix: string, opts: Parameters<typeof Session.open>[1] = {}): Promise<Owner> {
  const s = await Session.open(browser, { name: prefix, ...opts });
  const login = uniqueLogin(prefix);
  await signInWithGitHub(s, login);
  return { s, login, slug: login };
}

export async function createProject(context: BrowserContext, org: string, key: string, name: string): Promise<void> {
  const r = await api(context, 'POST', `/api/v1/orgs/${org}/projects`, { key, name });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

export async function createTicket(
  context: BrowserContext,
  org: string,
  project: string,
  body: Record<string, unknown>,
): Promise<Ticket> {
  const r = await api<Ticket>(context, 'POST', `/api/v1/orgs/${org}/projects/${project}/tickets`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

export async function getTicket(context: BrowserContext, org: string, key: string): Promise<Ticket> {
  const r = await api<Ticket>(context, 'GET', `/api/v1/orgs/${org}/tickets/${key}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** Polls the API until the ticket's status is `name` (the UI's write is asynchronous). */
export async function expectStatus(context: BrowserContext, org: string, key: string, name: string): Promise<void> {
  await expect
    .poll(async () => (await getTicket(context, org, key)).status.name, { timeout: 10_000, interval: 150 })
    .toBe(name);
}

export async function invite(context: BrowserContext, org: string, login: string, role: string): Promise<string> {
  const r = await api<{ link: string }>(context, 'POST', `/api/v1/orgs/${org}/invitations`, { github_login: login, role });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.link;
}

export { uniqueLogin };
