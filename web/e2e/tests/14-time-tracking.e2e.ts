// Time tracking on the ticket page: log work against an estimate (the totals follow), a
// bad duration refused at the field (in the page, and the API's 422 for more than a
// week), edit and delete (confirmed), a double click and a retry after a network error
// that each log once (Idempotency-Key), a viewer with no controls, and axe on the
// summary, the Work log tab and the dialog.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, MOBILE, Session, forgetProblemsAfterFailure, launch, signInWithGitHub, uniqueLogin } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { axe, horizontalOverflow } from '../lib/axe.ts';
import { createProject, createTicket, invite, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let o: Owner;
/** The fake GitHub names `tim` "Tim". */
let me: string;
let viewer: Session | undefined;
const viewerLogin = uniqueLogin('tess');

interface Worklog {
  id: string;
  minutes: number;
  comment: string;
  version: number;
}
interface Times {
  time_spent: number;
  remaining_estimate: number | null;
  original_estimate: number | null;
}

forgetProblemsAfterFailure(() => [o?.s, viewer]);
beforeAll(async () => {
  browser = await launch();
  o = await newOwner(browser, 'tim');
  me = o.login[0]!.toUpperCase() + o.login.slice(1);
  await createProject(o.s.context, o.slug, 'TIM', 'Time tracking');
  await createTicket(o.s.context, o.slug, 'TIM', { title: 'Duration parser', original_estimate: 480 }); // TIM-1
  await createTicket(o.s.context, o.slug, 'TIM', { title: 'Retry logic', original_estimate: 960 }); // TIM-2
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

async function worklogs(key: string): Promise<Worklog[]> {
  const r = await api<{ items: Worklog[] }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/tickets/${key}/worklogs`);
  expect(r.status).toBe(200);
  return r.body.items;
}

async function times(key: string): Promise<[number, number | null]> {
  const r = await api<Times>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/tickets/${key}`);
  return [r.body.time_spent, r.body.remaining_estimate];
}

const summary = (page: Page) => page.getByRole('region', { name: 'Time tracking' });
const summaryText = (page: Page) => page.getByTestId('time-summary').textContent();

describe('logging work', () => {
  test('log time against the estimate; a bad duration is refused at the field; the totals follow', async () => {
    const { page } = o.s;
    await open(page, 'TIM-1');
    await expect.poll(() => summaryText(page)).toBe('0m logged, 1d remaining of 1d estimate');
    expect(await summary(page).getByRole('progressbar', { name: 'Time logged' }).getAttribute('aria-valuetext')).toBe('0m logged, 1d remaining of 1d estimate');

    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/worklogs')) posts.push(r.url()); });
    await summary(page).getByRole('button', { name: 'Log time' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log time on TIM-1' });
    const spent = dialog.getByLabel('Time spent');
    await expect.poll(() => spent.evaluate((e) => e === document.activeElement)).toBe(true);
    // Started at defaults to now (the browser's zone is UTC here).
    const startedAt = Date.parse(`${await dialog.getByLabel('Started at').inputValue()}Z`);
    expect(Math.abs(startedAt - Date.now())).toBeLessThan(120_000);
    expect(await dialog.getByLabel('Adjust automatically').isChecked()).toBe(true);

    await spent.fill('two hours');
    await dialog.getByRole('button', { name: 'Log time' }).click();
    await dialog.getByText('“two hours” is not a duration').waitFor();
    expect(await spent.getAttribute('aria-invalid')).toBe('true');
    expect(posts).toEqual([]);

    await spent.fill('3h 30m');
    await expect.poll(() => dialog.getByTestId('remaining-preview').textContent()).toBe('Remaining: 1d → 4h 30m');
    await dialog.getByLabel('Comment (optional)').fill('Wrote the parser');
    // Keyboard: Enter in the field submits the form.
    await spent.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => summaryText(page)).toBe('3h 30m logged, 4h 30m remaining of 1d estimate');
    expect(await times('TIM-1')).toEqual([210, 270]);
    expect(await summary(page).getByTestId('time-spent').textContent()).toBe('3h 30m');
    expect(await summary(page).getByTestId('time-remaining').textContent()).toBe('4h 30m');

    await page.getByRole('tab', { name: /Work log/ }).click();
    const entry = page.getByRole('listitem', { name: `Worklog by ${me}: 3h 30m` });
    await entry.getByText('Wrote the parser').waitFor();
    await o.s.assertClean();
  });

  test('more than a week is the API’s 422, shown at the time field; nothing logged', async () => {
    const { page } = o.s;
    await open(page, 'TIM-1');
    o.s.allow(/\/tickets\/TIM-1\/worklogs$/, 422, 'POST');
    await summary(page).getByRole('button', { name: 'Log time' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log time on TIM-1' });
    await dialog.getByLabel('Time spent').fill('22d');
    await dialog.getByRole('button', { name: 'Log time' }).click();
    const field = dialog.getByLabel('Time spent');
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    const error = page.locator(`[id="${await field.getAttribute('id')}-error"]`);
    expect(await error.textContent()).toMatch(/\S/);
    expect(await dialog.getByTestId('worklog-error').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await worklogs('TIM-1')).length).toBe(1);
    await o.s.assertClean();
  });

  test('edit the worklog (set the remaining estimate), then delete it after confirming', async () => {
    const { page } = o.s;
    await open(page, 'TIM-1');
    await page.getByRole('tab', { name: /Work log/ }).click();
    const entry = page.getByRole('listitem', { name: `Worklog by ${me}: 3h 30m` });
    await entry.getByRole('button', { name: /^Actions for the worklog by / }).click();
    await page.getByRole('menuitem', { name: 'Edit worklog' }).click();
    const dialog = page.getByRole('dialog', { name: `Edit worklog of ${me}` });
    expect(await dialog.getByLabel('Time spent').inputValue()).toBe('3h 30m');
    expect(await dialog.getByLabel('Comment (optional)').inputValue()).toBe('Wrote the parser');
    await dialog.getByLabel('Time spent').fill('4h');
    await dialog.getByLabel('Set to').check();
    await dialog.getByLabel('New remaining estimate').fill('2h');
    await dialog.getByRole('button', { name: 'Save worklog' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => summaryText(page)).toBe('4h logged, 2h remaining of 1d estimate');
    expect(await times('TIM-1')).toEqual([240, 120]);
    await page.getByRole('listitem', { name: `Worklog by ${me}: 4h` }).waitFor();

    await page.getByRole('listitem', { name: `Worklog by ${me}: 4h` }).getByRole('button', { name: /^Actions for the worklog by / }).click();
    await page.getByRole('menuitem', { name: 'Delete worklog' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this worklog?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await worklogs('TIM-1')).length).toBe(1);
    await page.getByRole('listitem', { name: `Worklog by ${me}: 4h` }).getByRole('button', { name: /^Actions for the worklog by / }).click();
    await page.getByRole('menuitem', { name: 'Delete worklog' }).click();
    await confirm.getByRole('button', { name: 'Delete worklog' }).click();
    await page.getByTestId('work-log-empty').waitFor();
    // `auto`: the deleted minutes go back to the remaining estimate.
    await expect.poll(() => summaryText(page)).toBe('0m logged, 6h remaining of 1d estimate');
    expect(await times('TIM-1')).toEqual([0, 360]);
    expect(await worklogs('TIM-1')).toEqual([]);
    await o.s.assertClean();
  });

  test('a stale worklog edit (412) is reloaded with a message, nothing overwritten', async () => {
    const { page } = o.s;
    const r = await api<Worklog>(o.s.context, 'POST', `/api/v1/orgs/${o.slug}/tickets/TIM-1/worklogs`, { minutes: 30, comment: 'first' });
    expect(r.status).toBe(201);
    await open(page, 'TIM-1');
    await page.getByRole('tab', { name: /Work log/ }).click();
    const entry = page.getByRole('listitem', { name: `Worklog by ${me}: 30m` });
    await entry.getByText('first').waitFor();
    // Someone changes it meanwhile.
    const other = await api(o.s.context, 'PATCH', `/api/v1/orgs/${o.slug}/tickets/TIM-1/worklogs/${r.body.id}`, { comment: 'theirs' }, { 'if-match': `"${r.body.version}"` });
    expect(other.status).toBe(200);
    o.s.allow(/\/worklogs\/[0-9a-f-]+$/, 412, 'PATCH');
    await entry.getByRole('button', { name: /^Actions for the worklog by / }).click();
    await page.getByRole('menuitem', { name: 'Edit worklog' }).click();
    const dialog = page.getByRole('dialog', { name: `Edit worklog of ${me}` });
    await dialog.getByLabel('Comment (optional)').fill('mine');
    await dialog.getByRole('button', { name: 'Save worklog' }).click();
    await page.getByText('This worklog was changed by someone else; it has been reloaded.').waitFor();
    await entry.getByText('theirs').waitFor();
    expect((await worklogs('TIM-1'))[0]!.comment).toBe('theirs');
    await o.s.assertClean();
  });
});

describe('logging once', () => {
  test('a double click logs once; a retry after a network error sends the same key and logs once', async () => {
    const { page } = o.s;
    await open(page, 'TIM-2');
    const keys: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/TIM-2/worklogs')) keys.push(r.headers()['idempotency-key'] ?? '');
    });

    await summary(page).getByRole('button', { name: 'Log time' }).click();
    let dialog = page.getByRole('dialog', { name: 'Log time on TIM-2' });
    await dialog.getByLabel('Time spent').fill('1h');
    await dialog.getByRole('button', { name: 'Log time' }).dblclick();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await worklogs('TIM-2')).length).toBe(1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);

    // The server logs it, but the answer never reaches the page (the connection drops).
    let dropped = false;
    await page.route(/\/tickets\/TIM-2\/worklogs$/, async (route) => {
      if (dropped || route.request().method() !== 'POST') return route.continue();
      dropped = true;
      await route.fetch();
      await route.abort('aborted');
    });
    keys.length = 0;
    await summary(page).getByRole('button', { name: 'Log time' }).click();
    dialog = page.getByRole('dialog', { name: 'Log time on TIM-2' });
    await dialog.getByLabel('Time spent').fill('2h');
    await dialog.getByLabel('Comment (optional)').fill('Backoff');
    await dialog.getByRole('button', { name: 'Log time' }).click();
    await dialog.getByTestId('worklog-error').waitFor();
    expect((await worklogs('TIM-2')).length).toBe(2);
    const replayed = page.waitForResponse((r) => r.url().endsWith('/TIM-2/worklogs') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Log time' }).click();
    expect((await replayed).headers()['idempotent-replayed']).toBe('true');
    await dialog.waitFor({ state: 'detached' });
    await page.unroute(/\/tickets\/TIM-2\/worklogs$/);
    expect(keys.length).toBe(2);
    expect(keys[0]).toBe(keys[1]);
    expect((await worklogs('TIM-2')).map((w) => w.minutes)).toEqual([60, 120]);
    await expect.poll(() => summaryText(page)).toBe('3h logged, 1d 5h remaining of 2d estimate');

    await page.getByRole('tab', { name: /Work log/ }).click();
    await page.getByRole('listitem', { name: `Worklog by ${me}: 2h` }).getByText('Backoff').waitFor();
    // A fresh load for the picture (no toasts over the details).
    await page.reload();
    await page.getByRole('tab', { name: /Work log/ }).click();
    await page.getByRole('listitem', { name: `Worklog by ${me}: 2h` }).getByText('Backoff').waitFor();
    await summary(page).scrollIntoViewIfNeeded();
    await o.s.screenshot('ticket-time-tracking');
    await o.s.assertClean();
  });
});

describe('screens', () => {
  for (const [label, viewport, dark] of [['1280', DESKTOP, false], ['1280 dark', DESKTOP, true], ['390', MOBILE, false]] as const) {
    test(`time tracking at ${label}: axe finds nothing serious in the page or the dialog, no sideways scroll`, async () => {
      const s = await Session.open(browser, { viewport, colorScheme: dark ? 'dark' : 'light', name: `time@${label}` });
      try {
        await s.context.addCookies(await o.s.context.cookies());
        await s.page.goto(`/${o.slug}/tickets/TIM-2`);
        await s.page.getByRole('tab', { name: /Work log/ }).click();
        await s.page.getByRole('listitem', { name: /^Worklog by / }).nth(1).waitFor();
        const page = await axe(s.page, `ticket time tracking${dark ? ' (dark)' : ''}`);
        expect(page.serious, page.details.join('\n')).toBe(0);
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        await summary(s.page).getByRole('button', { name: 'Log time' }).click();
        const dialog = s.page.getByRole('dialog', { name: 'Log time on TIM-2' });
        await dialog.getByLabel('Set to').check();
        const modal = await axe(s.page, `log time dialog${dark ? ' (dark)' : ''}`, 'dialog[open]');
        expect(modal.serious, modal.details.join('\n')).toBe(0);
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        if (viewport === MOBILE) await s.screenshot('ticket-time-tracking-390');
        else if (!dark) await s.screenshot('ticket-log-time');
        await s.assertClean();
      } finally {
        await s.close();
      }
    });
  }
});

describe('a viewer', () => {
  test('sees the summary and the work log, with no Log, Edit or Delete control', async () => {
    await invite(o.s.context, o.slug, viewerLogin, 'viewer');
    viewer = await Session.open(browser, { name: 'viewer' });
    const { page } = viewer;
    await signInWithGitHub(viewer, viewerLogin);
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByRole('button', { name: /^Accept invitation to / }).click();
    await page.waitForURL(new RegExp(`/${o.slug}/projects$`));

    await page.goto(`/${o.slug}/tickets/TIM-2`);
    await page.getByTestId('ticket-key').waitFor();
    await expect.poll(() => summaryText(page)).toBe('3h logged, 1d 5h remaining of 2d estimate');
    expect(await summary(page).getByRole('button').count()).toBe(0);
    await page.getByRole('tab', { name: /Work log/ }).click();
    await page.getByRole('listitem', { name: /^Worklog by / }).nth(1).waitFor();
    expect(await page.getByRole('region', { name: 'Work log' }).getByRole('button').count()).toBe(0);
    await viewer.assertClean();
  });
});
