// Work items on the ticket page: links (seen from both ends, removed, the API's 409
// inline), watchers (toggle, count and list), components, parent and
// the children's progress, estimates ("1d 4h" stored as minutes), and a viewer who sees
// them all read-only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Session, forgetProblemsAfterFailure, launch, signInWithGitHub, uniqueLogin } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { createProject, createTicket, getTicket, invite, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let o: Owner;
let viewer: Session | undefined;
const viewerLogin = uniqueLogin('wendy');

forgetProblemsAfterFailure(() => [o?.s, viewer]);
beforeAll(async () => {
  browser = await launch();
  o = await newOwner(browser, 'wilma');
  await createProject(o.s.context, o.slug, 'WRK', 'Work items');
  await createTicket(o.s.context, o.slug, 'WRK', { title: 'Checkout epic', type: 'epic' }); // WRK-1
  await createTicket(o.s.context, o.slug, 'WRK', { title: 'Payment form', type: 'story' }); // WRK-2
  await createTicket(o.s.context, o.slug, 'WRK', { title: 'Card validation', type: 'story' }); // WRK-3
  for (const name of ['Backend', 'Frontend', 'Docs']) {
    const r = await api(o.s.context, 'POST', `/api/v1/orgs/${o.slug}/projects/WRK/components`, { name });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
});
afterAll(async () => {
  await viewer?.close();
  await o?.s.close();
  await browser?.close();
});

async function open(page: Page, key: string): Promise<void> {
  await page.goto(`/${o.slug}/tickets/${key}`);
  await page.getByTestId('ticket-key').filter({ hasText: key }).waitFor();
}

async function links(key: string): Promise<string[]> {
  const r = await api<{ items: Array<{ link: string; ticket: { key: string } }> }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/tickets/${key}/links`);
  return r.body.items.map((l) => `${l.link} ${l.ticket.key}`);
}

describe('links', () => {
  test('link two tickets, see it from both ends, a duplicate is refused inline, remove it', async () => {
    const { page } = o.s;
    await open(page, 'WRK-2');
    const section = page.getByRole('region', { name: 'Links' });
    await section.getByText('No links.').waitFor();
    await section.getByRole('button', { name: 'Add link' }).click();
    await section.getByLabel('Link type').selectOption('is blocked by');
    await page.getByTestId('link-ticket').fill('Card valid');
    await page.getByRole('option', { name: /WRK-3/ }).click();
    expect(await page.getByTestId('link-ticket').inputValue()).toBe('WRK-3');
    await section.getByRole('button', { name: 'Link', exact: true }).click();
    const group = section.getByRole('list', { name: 'is blocked by' });
    await group.getByRole('link', { name: 'WRK-3' }).waitFor();
    await group.getByText('Card validation').waitFor();
    await group.getByText('To Do').waitFor();
    expect(await links('WRK-2')).toEqual(['is blocked by WRK-3']);

    // The same link written from the other side is the API's 409, shown in the form.
    await open(page, 'WRK-3');
    const other = page.getByRole('region', { name: 'Links' });
    await other.getByRole('list', { name: 'blocks' }).getByRole('link', { name: 'WRK-2' }).waitFor();
    o.s.allow(/\/tickets\/WRK-3\/links$/, 409, 'POST');
    await other.getByRole('button', { name: 'Add link' }).click();
    await other.getByLabel('Link type').selectOption('blocks');
    await page.getByTestId('link-ticket').fill('wrk-2');
    await other.getByRole('button', { name: 'Link', exact: true }).click();
    await expect.poll(() => page.getByTestId('link-error').textContent()).toMatch(/\S/);
    await other.getByRole('button', { name: 'Cancel' }).click();

    await other.getByRole('button', { name: 'Remove link: blocks WRK-2' }).click();
    await other.getByText('No links.').waitFor();
    expect(await links('WRK-2')).toEqual([]);
    await open(page, 'WRK-2');
    await page.getByRole('region', { name: 'Links' }).getByText('No links.').waitFor();
    await o.s.assertClean();
  });
});

describe('watchers', () => {
  test('the reporter watches from the start; unwatch and watch change the count; the list shows the watcher', async () => {
    const { page } = o.s;
    await open(page, 'WRK-1');
    const toggle = page.getByTestId('watch-toggle');
    const count = page.getByTestId('watcher-count');
    await expect.poll(() => toggle.textContent()).toBe('Unwatch');
    await expect.poll(() => count.textContent()).toBe('1 watching');
    await toggle.click();
    await expect.poll(() => toggle.textContent()).toBe('Watch');
    await expect.poll(() => count.textContent()).toBe('0 watching');
    const w = await api<{ count: number; watching: boolean }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/tickets/WRK-1/watchers`);
    expect(w.body).toMatchObject({ count: 0, watching: false });
    await toggle.click();
    await expect.poll(() => toggle.textContent()).toBe('Unwatch');
    await count.click();
    const pop = page.getByRole('region', { name: 'Watcher list' });
    await pop.getByText(`@${o.login}`).waitFor();
    await o.s.assertClean();
  });
});

describe('fields', () => {
  test('components, estimates and start date are saved and survive a reload', async () => {
    const { page } = o.s;
    await open(page, 'WRK-2');
    const comps = page.getByTestId('ticket-components');
    await comps.getByLabel('Frontend').click();
    await expect.poll(async () => (await getTicket(o.s.context, o.slug, 'WRK-2') as unknown as { components: string[] }).components).toEqual(['Frontend']);
    await comps.getByLabel('Backend').click();
    await expect.poll(async () => (await getTicket(o.s.context, o.slug, 'WRK-2') as unknown as { components: string[] }).components).toEqual(['Backend', 'Frontend']);

    await page.getByLabel('Story points').fill('5');
    await page.getByLabel('Story points').press('Enter');
    await page.getByLabel('Original estimate').fill('1d 4h');
    await page.getByLabel('Original estimate').press('Enter');
    await page.getByLabel('Start date').fill('2026-12-07');
    type Est = { story_points: number | null; original_estimate: number | null; start_date: string | null };
    await expect.poll(async () => {
      const t = (await getTicket(o.s.context, o.slug, 'WRK-2')) as unknown as Est;
      return [t.story_points, t.original_estimate, t.start_date];
    }).toEqual([5, 720, '2026-12-07']);

    // An unreadable estimate is refused in the page, nothing sent.
    await page.getByLabel('Original estimate').fill('soon');
    await page.getByLabel('Original estimate').press('Enter');
    await page.getByText('Write it like "1d 4h"').waitFor();

    await page.reload();
    await page.getByTestId('ticket-key').waitFor();
    await expect.poll(() => page.getByLabel('Original estimate').inputValue()).toBe('1d 4h');
    expect(await page.getByLabel('Story points').inputValue()).toBe('5');
    expect(await page.getByTestId('ticket-components').getByLabel('Backend').isChecked()).toBe(true);
    expect(await page.getByTestId('ticket-components').getByLabel('Docs').isChecked()).toBe(false);
    await o.s.assertClean();
  });

  test('set a parent; the parent shows the children progress and the child issues', async () => {
    const { page } = o.s;
    for (const key of ['WRK-2', 'WRK-3']) {
      await open(page, key);
      await page.getByTestId('parent-input').fill('WRK-1');
      await page.getByTestId('parent-input').press('Enter');
      await page.getByTestId('ticket-parent').getByRole('link', { name: 'WRK-1' }).waitFor();
    }
    await expect.poll(async () => ((await getTicket(o.s.context, o.slug, 'WRK-3')) as unknown as { parent: string }).parent).toBe('WRK-1');
    const r = await api(o.s.context, 'POST', `/api/v1/orgs/${o.slug}/tickets/WRK-3/transitions`, { to: 'In Progress' });
    expect(r.status).toBe(200);
    expect((await api(o.s.context, 'POST', `/api/v1/orgs/${o.slug}/tickets/WRK-3/transitions`, { to: 'Done' })).status).toBe(200);

    await open(page, 'WRK-1');
    const kids = page.getByRole('region', { name: 'Child issues' });
    await expect.poll(() => page.getByTestId('children-progress').textContent()).toBe('1 of 2 done');
    expect(await kids.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('1');
    await kids.getByRole('link', { name: 'WRK-2' }).waitFor();
    await kids.getByRole('link', { name: 'WRK-3' }).waitFor();

    // A link on the epic for the viewer and the screenshot.
    expect((await api(o.s.context, 'POST', `/api/v1/orgs/${o.slug}/tickets/WRK-1/links`, { link: 'relates to', ticket: 'WRK-2' })).status).toBe(201);
    await page.reload();
    await page.getByRole('region', { name: 'Links' }).getByRole('link', { name: 'WRK-2' }).waitFor();
    await o.s.screenshot('ticket-work-items');

    // The board's cards show the children's progress and the story points.
    await page.goto(`/${o.slug}/projects/WRK/board`);
    await page.getByRole('listitem', { name: /^WRK-1 / }).getByTitle('Child issues: 1 of 2 done').waitFor();
    expect(await page.getByRole('listitem', { name: /^WRK-2 / }).getByTitle('Story points: 5').textContent()).toBe(', story points 5');
    await o.s.assertClean();
  });
});

describe('a viewer', () => {
  test('sees links, watchers, components, parent and estimates with no edit controls, and may watch', async () => {
    await invite(o.s.context, o.slug, viewerLogin, 'viewer');
    viewer = await Session.open(browser, { name: 'viewer' });
    const { page } = viewer;
    await signInWithGitHub(viewer, viewerLogin);
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByRole('button', { name: /^Accept invitation to / }).click();
    await page.waitForURL(new RegExp(`/${o.slug}/projects$`));

    await page.goto(`/${o.slug}/tickets/WRK-2`);
    await page.getByTestId('ticket-key').waitFor();
    const section = page.getByRole('region', { name: 'Links' });
    await section.getByRole('list', { name: 'relates to' }).getByRole('link', { name: 'WRK-1' }).waitFor();
    expect(await section.getByRole('button').count()).toBe(0);
    await page.getByTestId('ticket-components').getByText('Backend').waitFor();
    expect(await page.getByTestId('ticket-components').getByRole('checkbox').count()).toBe(0);
    expect(await page.getByLabel('Story points').isDisabled()).toBe(true);
    expect(await page.getByLabel('Original estimate').isDisabled()).toBe(true);
    expect(await page.getByLabel('Original estimate').inputValue()).toBe('1d 4h');
    expect(await page.getByTestId('parent-input').count()).toBe(0);
    await page.getByTestId('ticket-parent').getByRole('link', { name: 'WRK-1' }).waitFor();

    const toggle = page.getByTestId('watch-toggle');
    await expect.poll(() => toggle.textContent()).toBe('Watch');
    await toggle.click();
    await expect.poll(() => toggle.textContent()).toBe('Unwatch');
    await page.getByTestId('watcher-count').click();
    const pop = page.getByRole('region', { name: 'Watcher list' });
    await pop.getByText(`@${viewerLogin}`).waitFor();
    expect(await pop.getByRole('button').count()).toBe(0);
    expect(await pop.getByLabel('Add watcher').count()).toBe(0);
    await viewer.screenshot('ticket-viewer');
    await viewer.assertClean();
  });
});
