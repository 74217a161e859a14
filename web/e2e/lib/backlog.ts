// The backlog screen, as tests reach it: rows by key, the keys of a section in screen
// order, a mouse drag onto the upper or lower half of a row, and the sprints the API holds.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { api } from './api.ts';

export interface Sprint {
  id: string;
  name: string;
  state: 'future' | 'active' | 'closed';
  goal: string;
  start_date: string | null;
  end_date: string | null;
  version: number;
}

export function row(page: Page, key: string): Locator {
  return page.getByTestId(`plan-row-${key}`);
}

/** The draggable body of a row (its accessible name starts with the key). */
export function rowBody(page: Page, key: string): Locator {
  return row(page, key).getByRole('button', { name: new RegExp(`^${key} `) });
}

export function sprintSection(page: Page, name: string): Locator {
  return page.getByTestId(`sprint-${name}`);
}

/** The keys a section shows, top to bottom (the rows in the DOM: fine for small sections). */
export async function sectionKeys(page: Page, section: string): Promise<string[]> {
  return page.evaluate((name) => {
    const rows = Array.from(document.querySelectorAll<HTMLElement>('[data-testid^="plan-row-"]')).filter((r) => r.dataset.section === name);
    return rows
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
      .map((r) => r.dataset.testid!.replace(/^plan-row-/, ''));
  }, section);
}

export async function expectKeys(page: Page, section: string, keys: string[]): Promise<void> {
  await expect.poll(() => sectionKeys(page, section), { timeout: 10_000 }).toEqual(keys);
}

/** A mouse drag onto a target: `above`/`below` a row's middle, or its centre. */
export async function dragTo(page: Page, from: Locator, to: Locator, where: 'above' | 'below' | 'centre' = 'centre'): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('row or target is not visible');
  const x0 = a.x + Math.min(80, a.width / 2);
  const y0 = a.y + a.height / 2;
  const y1 = where === 'above' ? b.y + 6 : where === 'below' ? b.y + b.height - 6 : b.y + b.height / 2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + 10, y0 + 4, { steps: 3 });
  await page.mouse.move(b.x + 80, y1, { steps: 14 });
  await page.mouse.move(b.x + 82, y1, { steps: 2 });
  await page.getByTestId('drop-line').waitFor();
  await page.mouse.up();
}

export async function sprints(context: BrowserContext, org: string, project: string): Promise<Sprint[]> {
  const r = await api<{ items: Sprint[] }>(context, 'GET', `/api/v1/orgs/${org}/projects/${project}/sprints?limit=100`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
}

/** The keys of a JQL search, in its order. */
export async function searchKeys(context: BrowserContext, org: string, jql: string): Promise<string[]> {
  const r = await api<{ issues: Array<{ key: string }> }>(context, 'GET', `/api/v1/orgs/${org}/search?jql=${encodeURIComponent(jql)}&maxResults=100`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.issues.map((i) => i.key);
}
