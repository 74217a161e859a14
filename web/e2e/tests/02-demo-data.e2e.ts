// The seeded demo organization `acme` as alice (its owner, signed in with the one-time
// link `trellis serve` printed): deep links that reload to the same screen, JQL search
// with autocomplete, errors at their column, an exact total and keyset paging through
// the virtualised list, sorting, saved filters; and the screenshots of the main screens.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Session, forgetProblemsAfterFailure, launch } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { card, column } from '../lib/board.ts';

let browser: Browser;
let s: Session;

forgetProblemsAfterFailure(() => [s]);
beforeAll(async () => {
  browser = await launch();
  s = await Session.open(browser, { name: 'alice' });
  await s.asAlice();
});
afterAll(async () => {
  await s?.close();
  await browser?.close();
});

async function searchTotal(jql: string): Promise<number> {
  const r = await api<{ total: number }>(s.context, 'GET', `/api/v1/orgs/acme/search?jql=${encodeURIComponent(jql)}&maxResults=1`);
  expect(r.status).toBe(200);
  return r.body.total;
}

describe('demo data (acme, as alice)', () => {
  test('the board deep link reloads to the same board, with cards in every column', async () => {
    const { page } = s;
    await page.goto('/acme/projects/WEB/board');
    await page.getByRole('heading', { name: /board$/ }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: /board$/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/acme/projects/WEB/board');
    for (const status of ['To Do', 'In Progress', 'Done']) {
      const col = column(page, status);
      await col.getByRole('button', { name: /^WEB-\d+ / }).first().waitFor();
      const total = await searchTotal(`project = WEB AND status = "${status}"`);
      // The column's count is the exact total of its status (the badge is labelled "N tickets").
      await expect.poll(() => col.getByLabel(`${total} ticket${total === 1 ? '' : 's'}`, { exact: true }).textContent()).toBe(String(total));
    }
    await s.screenshot('board');
    await s.assertClean();
  });

  test('the ticket deep link reloads to the same ticket', async () => {
    const { page } = s;
    await page.goto('/acme/tickets/WEB-12');
    await page.getByTestId('ticket-key').filter({ hasText: 'WEB-12' }).waitFor();
    const t = await api<{ title: string; status: { name: string } }>(s.context, 'GET', '/api/v1/orgs/acme/tickets/WEB-12');
    await page.getByRole('heading', { name: t.body.title }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: t.body.title }).waitFor();
    expect(await page.getByTestId('ticket-status').textContent()).toBe(t.body.status.name);
    expect(new URL(page.url()).pathname).toBe('/acme/tickets/WEB-12');
    await s.screenshot('ticket');
    await s.assertClean();
  });

  test('JQL: autocomplete from the API, an error at its column, then an exact total paged to the end', async () => {
    const { page } = s;
    s.allow(/\/api\/v1\/orgs\/acme\/search\?/, 400, 'GET');
    await page.goto('/acme/issues');
    const bar = page.getByRole('combobox', { name: 'Search with JQL' });
    await bar.click();
    await bar.pressSequentially('prio', { delay: 20 });
    const options = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option');
    await options.filter({ hasText: 'priority' }).first().waitFor();

    const broken = 'project = WEB AND status =';
    await bar.fill(broken);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const error = page.getByTestId('jql-error');
    await error.waitFor();
    // The value is missing right after the `=`, the last character.
    expect(await error.textContent()).toContain(`(column ${broken.length + 1})`);
    expect(await page.getByTestId('jql-caret').textContent()).toBe(`${' '.repeat(broken.length)}^`);
    expect(await bar.getAttribute('aria-invalid')).toBe('true');

    const jql = 'project = WEB ORDER BY created ASC';
    await bar.fill(jql);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const total = await searchTotal('project = WEB');
    expect(total).toBeGreaterThan(100); // more than one page (100 rows a page)
    const summary = page.getByTestId('result-total');
    await expect.poll(() => summary.textContent()).toMatch(new RegExp(`^${total} tickets`));
    expect(await summary.textContent()).toMatch(/loaded/);
    const table = page.getByRole('table', { name: 'Search results' });
    await table.getByRole('row').filter({ hasText: 'WEB-1 ' }).first().waitFor();
    // Scroll the virtualised list to the bottom: the next keyset page arrives.
    const scroller = page.getByTestId('result-scroll');
    for (let i = 0; i < 20; i++) {
      await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      if (!/loaded/.test((await summary.textContent()) ?? '')) break;
      await page.waitForTimeout(150);
    }
    await expect.poll(() => summary.textContent()).toBe(`${total} tickets`);
    // The last page may have landed after the last scroll: go to the end of everything loaded.
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await table.getByRole('row').filter({ hasText: `WEB-${total} ` }).first().waitFor();
    expect(await table.getAttribute('aria-rowcount')).toBe(String(total + 1));
    await s.assertClean();
  });

  test('sorting by a column rewrites the ORDER BY; a saved filter is saved, reopened, renamed and deleted', async () => {
    const { page } = s;
    const jql = 'project = WEB AND priority >= high';
    await page.goto(`/acme/issues?jql=${encodeURIComponent(jql)}`);
    const summary = page.getByTestId('result-total');
    const total = await searchTotal(jql);
    await expect.poll(() => summary.textContent()).toMatch(new RegExp(`^${total} tickets?`));
    await page.getByRole('columnheader', { name: /Priority/ }).getByRole('button').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('jql') ?? '').toMatch(/ORDER BY priority/i);
    await expect.poll(() => page.getByRole('columnheader', { name: /Priority/ }).getAttribute('aria-sort')).toMatch(/ascending|descending/);
    await s.screenshot('list');

    await page.getByRole('button', { name: 'Saved filters' }).click();
    await page.getByRole('menuitem', { name: 'Save current query as…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('Hot WEB tickets');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(async () => (await api<{ items: Array<{ name: string }> }>(s.context, 'GET', '/api/v1/orgs/acme/filters')).body.items.map((f) => f.name))
      .toContain('Hot WEB tickets');

    await page.goto('/acme/issues');
    await page.getByRole('button', { name: 'Saved filters' }).click();
    await page.getByRole('menuitem', { name: /Hot WEB tickets/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('jql') ?? '').toMatch(/priority >= high/);
    await expect.poll(() => summary.textContent()).toMatch(new RegExp(`^${total} tickets?`));

    await page.getByRole('button', { name: 'Saved filters' }).click();
    await page.getByRole('menuitem', { name: /^Rename “Hot WEB tickets”/ }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('Urgent WEB');
    await page.getByRole('dialog').getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await expect
      .poll(async () => (await api<{ items: Array<{ name: string }> }>(s.context, 'GET', '/api/v1/orgs/acme/filters')).body.items.map((f) => f.name))
      .toEqual(['Urgent WEB']);

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Saved filters' }).click();
    await page.getByRole('menuitem', { name: /^Delete “Urgent WEB”/ }).click();
    await expect
      .poll(async () => (await api<{ items: unknown[] }>(s.context, 'GET', '/api/v1/orgs/acme/filters')).body.items.length)
      .toBe(0);
    await s.assertClean();
  });

  test('Export downloads every ticket of the query as CSV, not only the loaded rows', async () => {
    const { page } = s;
    const jql = 'project = WEB ORDER BY key ASC';
    const total = await searchTotal(jql);
    await page.goto(`/acme/issues?jql=${encodeURIComponent(jql)}`);
    await expect.poll(() => page.getByTestId('result-total').textContent()).toMatch(new RegExp(`^${total} tickets?`));
    await page.getByRole('button', { name: 'Export' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: /^CSV/ }).first().click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^acme-\d{8}-\d{6}\.csv$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const lines = Buffer.concat(chunks).toString('utf8').split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe('Issue key,Summary,Issue Type,Status,Priority,Assignee,Reporter,Created,Updated,Resolved');
    expect(lines.length).toBe(total + 1);
    expect(lines[1]).toMatch(/^WEB-1,/);
    // The page stays where it was.
    expect(new URL(page.url()).pathname).toBe('/acme/issues');
    await s.assertClean();
  });

  test('org members and billing screens', async () => {
    const { page } = s;
    await page.goto('/acme/settings/members');
    const members = page.getByTestId('members-table');
    for (const login of ['alice', 'bob', 'carol']) await members.getByText(`@${login}`).or(members.getByText(login, { exact: true })).first().waitFor();
    await s.screenshot('members');
    await page.goto('/acme/billing');
    await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
    await expect.poll(() => page.getByTestId('billing-plan').textContent()).toBe('Free');
    await page.getByRole('progressbar', { name: 'Seats used' }).waitFor();
    await s.screenshot('billing');
    await s.assertClean();
  });

  test('dark mode (prefers-color-scheme: dark) on the board', async () => {
    const dark = await Session.open(browser, { name: 'alice-dark', colorScheme: 'dark' });
    try {
      await dark.asAlice();
      await dark.page.goto('/acme/projects/WEB/board');
      await card(column(dark.page, 'To Do'), 'WEB-\\d+').first().waitFor();
      const bg = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = (bg.match(/\d+/g) ?? ['255', '255', '255']).map(Number);
      expect((r ?? 255) + (g ?? 255) + (b ?? 255), `body background ${bg}`).toBeLessThan(200);
      await dark.screenshot('board-dark');
      await dark.assertClean();
    } finally {
      await dark.close();
    }
  });
});
