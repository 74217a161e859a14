// User text is text (HTML in a title or description never reaches the DOM as HTML).
// Concurrent edits: someone else changes a ticket behind the page's back. A field edit
// sent with the old If-Match gets 412: the page shows what changed and re-applies the
// edit on top. A card move that races a change is rolled back with the reason. The
// card's "Move to…" menu moves it too (no drag needed).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { forgetProblemsAfterFailure, launch } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { card, column, mouseDrag } from '../lib/board.ts';
import { createProject, createTicket, expectStatus, getTicket, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let o: Owner;

forgetProblemsAfterFailure(() => [o?.s]);
beforeAll(async () => {
  browser = await launch();
  o = await newOwner(browser, 'cora');
  await createProject(o.s.context, o.slug, 'CON', 'Concurrency');
  await createTicket(o.s.context, o.slug, 'CON', { title: 'Shared ticket', priority: 'low' });
  await createTicket(o.s.context, o.slug, 'CON', { title: 'Raced card' });
  await createTicket(o.s.context, o.slug, 'CON', { title: 'Menu-moved card' });
});
afterAll(async () => {
  await o?.s.close();
  await browser?.close();
});

/** Another person's write, straight to the API. */
async function behindTheBack(key: string, patch: Record<string, unknown>): Promise<void> {
  const r = await api(o.s.context, 'PATCH', `/api/v1/orgs/${o.slug}/tickets/${key}`, patch);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

describe('user text', () => {
  test('HTML in a title and a description stays text on the board, the list and the ticket page', async () => {
    const { page } = o.s;
    const title = '<img src=x onerror="window.__xss=1"> <b>not bold</b>';
    const t = await createTicket(o.s.context, o.slug, 'CON', {
      title,
      description: 'Plain **bold** and <script>window.__xss=2</script><iframe src="https://example.com"></iframe> [link](javascript:alert(1))',
    });
    await page.goto(`/${o.slug}/projects/CON/board`);
    const item = page.getByRole('listitem', { name: new RegExp(`^${t.key} `) });
    await item.waitFor();
    expect(await item.locator('.card-title').textContent()).toBe(title);
    expect(await item.locator('img, b').count()).toBe(0);
    await page.goto(`/${o.slug}/projects/CON/list`);
    await page.getByRole('table', { name: 'Search results' }).getByText(title, { exact: true }).waitFor();
    await page.goto(`/${o.slug}/tickets/${t.key}`);
    await page.getByRole('heading', { name: title }).waitFor();
    const desc = page.getByRole('region', { name: 'Description' });
    await desc.locator('strong', { hasText: 'bold' }).waitFor();
    expect(await desc.locator('script, iframe, img').count()).toBe(0);
    expect(await desc.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await o.s.assertClean();
  });
});

describe('conflicts', () => {
  test('a stale field edit shows what changed and re-applies the edit on top', async () => {
    const { page } = o.s;
    await page.goto(`/${o.slug}/tickets/CON-1`);
    await page.getByRole('heading', { name: 'Shared ticket' }).waitFor();
    await behindTheBack('CON-1', { title: 'Shared ticket (renamed by someone else)' });

    o.s.allow(new RegExp(`/api/v1/orgs/${o.slug}/tickets/CON-1$`), 412, 'PATCH');
    await page.getByLabel('Priority', { exact: true }).selectOption({ label: 'Highest' });
    const dialog = page.getByRole('dialog', { name: 'Someone else changed this ticket' });
    await dialog.waitFor();
    const diff = dialog.getByTestId('conflict-diff');
    await diff.getByRole('row', { name: /Title/ }).waitFor();
    expect(await diff.getByRole('row', { name: /Title/ }).textContent()).toContain('Shared ticket (renamed by someone else)');
    await dialog.getByRole('button', { name: 'Re-apply my edit' }).click();
    await expect.poll(async () => {
      const t = await getTicket(o.s.context, o.slug, 'CON-1');
      return [t.title, t.priority];
    }).toEqual(['Shared ticket (renamed by someone else)', 'highest']);
    await page.getByRole('heading', { name: 'Shared ticket (renamed by someone else)' }).waitFor();
    await o.s.assertClean();
  });

  test('a card move that races a change is rolled back with the reason, then succeeds', async () => {
    const { page } = o.s;
    await page.goto(`/${o.slug}/projects/CON/board`);
    await card(column(page, 'To Do'), 'CON-2').waitFor();

    // Someone else changes the ticket while it is being dragged.
    o.s.allow(new RegExp(`/api/v1/orgs/${o.slug}/tickets/CON-2/transitions$`), 412, 'POST');
    await mouseDrag(page, card(page, 'CON-2'), column(page, 'In Progress'), async () => {
      await page.waitForTimeout(300); // the hover's prefetch of the ticket has landed
      await behindTheBack('CON-2', { labels: ['raced'] });
    });
    const reason = page.getByRole('alert').filter({ hasText: /CON-2/ });
    await reason.waitFor();
    expect(await reason.textContent()).toMatch(/stayed in To Do.*changed by someone else/);
    await card(column(page, 'To Do'), 'CON-2').waitFor();
    expect((await getTicket(o.s.context, o.slug, 'CON-2')).status.name).toBe('To Do');

    // The board refreshed itself: the same move now goes through.
    await expect.poll(() => column(page, 'To Do').getByRole('listitem', { name: /^CON-2 / }).getByText('raced', { exact: true }).count()).toBe(1);
    await mouseDrag(page, card(page, 'CON-2'), column(page, 'In Progress'));
    await card(column(page, 'In Progress'), 'CON-2').waitFor();
    await expectStatus(o.s.context, o.slug, 'CON-2', 'In Progress');
    await o.s.assertClean();
  });

  test('the card menu "Move to…" moves a card without dragging', async () => {
    const { page } = o.s;
    await page.getByRole('button', { name: 'Move CON-3 to…' }).click();
    await page.getByRole('menuitem', { name: /^In Progress/ }).click();
    await card(column(page, 'In Progress'), 'CON-3').waitFor();
    await expectStatus(o.s.context, o.slug, 'CON-3', 'In Progress');
    // From In Progress the menu offers To Do and Done.
    await page.getByRole('button', { name: 'Move CON-3 to…' }).click();
    await page.getByRole('menuitem', { name: /^Done/ }).click();
    await card(column(page, 'Done'), 'CON-3').waitFor();
    await expectStatus(o.s.context, o.slug, 'CON-3', 'Done');
    await o.s.assertClean();
  });
});
