// Keyboard shortcuts (j/k, g b, c, /, ?), project administration (private, archive,
// unarchive), and the session: sign out, then a deep link sends you through sign-in and
// back to it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { forgetProblemsAfterFailure, launch, signInWithGitHub } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { column } from '../lib/board.ts';
import { createProject, createTicket, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let o: Owner;

forgetProblemsAfterFailure(() => [o?.s]);
beforeAll(async () => {
  browser = await launch();
  o = await newOwner(browser, 'pia');
  await createProject(o.s.context, o.slug, 'KEYS', 'Keyboard');
  await createProject(o.s.context, o.slug, 'ADM', 'Administered');
  for (const title of ['First', 'Second', 'Third']) await createTicket(o.s.context, o.slug, 'KEYS', { title });
});
afterAll(async () => {
  await o?.s.close();
  await browser?.close();
});

describe('keyboard shortcuts', () => {
  test('j/k move through the list, Enter opens, g b goes to the board, c creates, / searches, ? helps', async () => {
    const { page } = o.s;
    await page.goto(`/${o.slug}/projects/KEYS/list`);
    const rows = page.getByRole('table', { name: 'Search results' }).getByRole('row');
    await rows.filter({ hasText: 'KEYS-1' }).waitFor();
    const focusedKey = () => page.evaluate(() => document.activeElement?.textContent?.match(/KEYS-\d+/)?.[0] ?? null);
    await page.locator('body').press('j');
    expect(await focusedKey()).toBe('KEYS-3'); // newest first
    await page.keyboard.press('j');
    expect(await focusedKey()).toBe('KEYS-2');
    await page.keyboard.press('k');
    expect(await focusedKey()).toBe('KEYS-3');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/${o.slug}/tickets/KEYS-3$`));

    await page.locator('body').press('g');
    await page.keyboard.press('b');
    await page.waitForURL(new RegExp(`/${o.slug}/projects/KEYS/board$`));
    await column(page, 'To Do').getByRole('button', { name: /^KEYS-1 / }).waitFor();

    await page.locator('body').press('c');
    const dialog = page.getByRole('dialog', { name: 'Create ticket' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Project').inputValue()).toBe('KEYS');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.locator('body').press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('global-search');
    await page.keyboard.type('keys-2');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/${o.slug}/tickets/KEYS-2$`));
    await page.getByRole('heading', { name: 'Second' }).waitFor();

    await page.locator('body').press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await o.s.assertClean();
  });
});

describe('projects', () => {
  test('make private, archive (the board turns read-only), unarchive', async () => {
    const { page } = o.s;
    await page.goto(`/${o.slug}/settings/projects`);
    await page.getByRole('button', { name: 'Make private ADM' }).click();
    await expect.poll(async () => (await api<{ private: boolean }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/projects/ADM`)).body.private).toBe(true);
    await page.getByRole('button', { name: 'Archive ADM' }).click();
    await expect.poll(async () => (await api<{ archived_at: string | null }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/projects/ADM`)).body.archived_at).not.toBeNull();

    await page.goto(`/${o.slug}/projects/ADM/board`);
    await page.getByText('This project is archived: its tickets are read-only.').waitFor();
    expect(await page.getByRole('button', { name: 'New ticket' }).count()).toBe(0);

    await page.goto(`/${o.slug}/settings/projects`);
    await page.getByRole('button', { name: 'Unarchive ADM' }).click();
    await expect.poll(async () => (await api<{ archived_at: string | null }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/projects/ADM`)).body.archived_at).toBeNull();
    await o.s.assertClean();
  });
});

describe('session', () => {
  test('sign out; a deep link then goes through sign-in and lands where it pointed', async () => {
    const { page } = o.s;
    await page.goto(`/${o.slug}/projects`);
    await page.getByRole('button', { name: 'User menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    expect((await o.s.context.cookies()).map((c) => c.name)).not.toContain('trellis_refresh');

    await page.goto(`/${o.slug}/projects/KEYS/board`);
    await page.waitForURL(/\/signin\?redirect_to=/);
    expect(new URL(page.url()).searchParams.get('redirect_to')).toBe(`/${o.slug}/projects/KEYS/board`);
    await signInWithGitHub(o.s, o.login, page.url());
    await page.waitForURL(new RegExp(`/${o.slug}/projects/KEYS/board$`));
    await column(page, 'To Do').getByRole('button', { name: /^KEYS-1 / }).waitFor();
    await o.s.assertClean();
  });
});
