// A new team's first minutes: sign up through GitHub, create the first project,
// create a ticket, move it across the board by mouse and by keyboard (and not where
// the workflow forbids), open it, edit a field, comment, and reload deep links.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Session, forgetProblemsAfterFailure, launch, signInWithGitHub, uniqueLogin } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { card, column, keys, mouseDrag } from '../lib/board.ts';
import { createTicket, expectStatus, getTicket } from '../lib/flows.ts';

let browser: Browser;
let s: Session;
const login = uniqueLogin('olivia');
const slug = login;

forgetProblemsAfterFailure(() => [s]);
beforeAll(async () => {
  browser = await launch();
  s = await Session.open(browser, { name: 'owner' });
});
afterAll(async () => {
  await s?.close();
  await browser?.close();
});

describe('owner journey', () => {
  test('signs up through GitHub and lands on onboarding in their own organization', async () => {
    const { page } = s;
    s.allowSignedOut();
    await page.goto('/');
    await page.waitForURL(/\/signin/);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to Trellis' }).isVisible()).toBe(true);
    await s.screenshot('signin');
    await signInWithGitHub(s, login);
    await page.waitForURL(new RegExp(`/${slug}/projects$`));
    await page.getByRole('heading', { name: /^Welcome to / }).waitFor();
    const me = await api<{ login: string; orgs: Array<{ slug: string; role: string }> }>(s.context, 'GET', '/auth/me');
    expect(me.body.login).toBe(login);
    expect(me.body.orgs.map((o) => [o.slug, o.role])).toEqual([[slug, 'owner']]);
    await s.assertClean();
  });

  test('creates the first project and sees its empty board', async () => {
    const { page } = s;
    await page.getByLabel('Name', { exact: true }).fill('Apollo App');
    await page.getByLabel('Key', { exact: true }).fill('APP');
    await page.getByRole('button', { name: 'Create your first project' }).click();
    await page.waitForURL(new RegExp(`/${slug}/projects/APP/board$`));
    await page.getByRole('heading', { name: 'Apollo App board' }).waitFor();
    for (const status of ['To Do', 'In Progress', 'Done']) await column(page, status).waitFor();
    const project = await api(s.context, 'GET', `/api/v1/orgs/${slug}/projects/APP`);
    expect(project.status).toBe(200);
    expect(project.body).toMatchObject({ key: 'APP', name: 'Apollo App' });
    await s.assertClean();
  });

  test('creates a ticket in the dialog; it appears in To Do', async () => {
    const { page } = s;
    await page.getByRole('button', { name: 'Create ticket' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create ticket' });
    await dialog.waitFor();
    await dialog.getByLabel('Title').fill('Checkout button overlaps the footer');
    await dialog.getByLabel('Type').selectOption({ label: 'Bug' });
    await dialog.getByLabel('Priority').selectOption({ label: 'High' });
    await dialog.getByLabel('Labels').fill('frontend, layout');
    await dialog.getByLabel('Description', { exact: true }).fill('Seen on **mobile** Safari.\n\n- open checkout\n- scroll down');
    await s.screenshot('create-dialog');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await card(column(page, 'To Do'), 'APP-1').waitFor();
    const t = await getTicket(s.context, slug, 'APP-1');
    expect(t).toMatchObject({
      title: 'Checkout button overlaps the footer',
      type: 'bug',
      priority: 'high',
      labels: ['frontend', 'layout'],
      status: { name: 'To Do' },
    });
    await s.assertClean();
  });

  test('a forbidden column says why and takes no drop; a mouse drag to In Progress transitions', async () => {
    const { page } = s;
    const writes: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => {
      if (r.method() !== 'GET' && /\/tickets\/APP-1\//.test(r.url())) writes.push(r.url());
    };
    page.on('request', onRequest);
    // To Do -> Done is not in the default workflow.
    await mouseDrag(page, card(page, 'APP-1'), column(page, 'Done'), async () => {
      await column(page, 'Done').getByRole('note').filter({ hasText: /Not allowed/ }).waitFor();
      await expect.poll(() => column(page, 'Done').getAttribute('data-forbidden')).toBe('true');
    });
    await page.waitForTimeout(300);
    expect(writes).toEqual([]);
    expect((await getTicket(s.context, slug, 'APP-1')).status.name).toBe('To Do');
    await card(column(page, 'To Do'), 'APP-1').waitFor();
    page.off('request', onRequest);

    await mouseDrag(page, card(page, 'APP-1'), column(page, 'In Progress'));
    await card(column(page, 'In Progress'), 'APP-1').waitFor();
    await expectStatus(s.context, slug, 'APP-1', 'In Progress');
    await s.assertClean();
  });

  test('a card moved once moves again (In Progress -> Done by keyboard)', async () => {
    const { page } = s;
    // APP-1 was moved by mouse above, in this same page: its allowed moves changed.
    await card(column(page, 'In Progress'), 'APP-1').focus();
    await keys(page, ['Space', 'ArrowRight', 'Space']);
    await card(column(page, 'Done'), 'APP-1').waitFor();
    await expectStatus(s.context, slug, 'APP-1', 'Done');
    expect((await getTicket(s.context, slug, 'APP-1')).status.category).toBe('done');
    await s.assertClean();
  });

  test('a keyboard move (focus, Space, arrow, Space) transitions a card', async () => {
    const { page } = s;
    await createTicket(s.context, slug, 'APP', { title: 'Keyboard-only move', type: 'task' });
    await page.reload();
    await card(column(page, 'To Do'), 'APP-2').focus();
    await keys(page, ['Space', 'ArrowRight', 'Space']);
    await card(column(page, 'In Progress'), 'APP-2').waitFor();
    await expectStatus(s.context, slug, 'APP-2', 'In Progress');
    await s.assertClean();
  });

  test('opens the ticket, edits a field in place and comments (Markdown rendered, HTML as text)', async () => {
    const { page } = s;
    await card(page, 'APP-1').click();
    await page.waitForURL(new RegExp(`/${slug}/tickets/APP-1$`));
    await page.getByRole('heading', { name: 'Checkout button overlaps the footer' }).waitFor();
    const status = (await getTicket(s.context, slug, 'APP-1')).status.name;
    await expect.poll(() => page.getByTestId('ticket-status').textContent()).toBe(status);

    await page.getByLabel('Priority').selectOption({ label: 'Highest' });
    await expect.poll(async () => (await getTicket(s.context, slug, 'APP-1')).priority, { timeout: 10_000 }).toBe('highest');

    const body = 'Fixed in **staging**. <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    await page.getByLabel('Add a comment', { exact: true }).fill(body);
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const comment = page.getByRole('listitem', { name: /^Comment by / }).last();
    await comment.locator('strong', { hasText: 'staging' }).waitFor();
    expect(await comment.locator('script, img[onerror]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const comments = await api<{ items: Array<{ body: string }> }>(s.context, 'GET', `/api/v1/orgs/${slug}/tickets/APP-1/comments`);
    expect(comments.body.items.map((c) => c.body)).toEqual([body]);

    // Edit it, then add and delete a second one.
    await comment.getByRole('button', { name: /^Actions for the comment by / }).click();
    await page.getByRole('menuitem', { name: 'Edit comment' }).click();
    await page.getByLabel('Edit comment', { exact: true }).fill('Fixed in staging and production.');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await comment.getByText('Fixed in staging and production.').waitFor();
    await page.getByLabel('Add a comment', { exact: true }).fill('A comment to delete');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const second = page.getByRole('listitem', { name: /^Comment by / }).filter({ hasText: 'A comment to delete' });
    await second.waitFor();
    await expect.poll(() => second.getByRole('button', { name: /^Actions for the comment by / }).count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await second.getByRole('button', { name: /^Actions for the comment by / }).click();
    await page.getByRole('menuitem', { name: 'Delete comment' }).click();
    await second.waitFor({ state: 'detached' });
    await expect
      .poll(async () => (await api<{ items: Array<{ body: string }> }>(s.context, 'GET', `/api/v1/orgs/${slug}/tickets/APP-1/comments`)).body.items.map((c) => c.body))
      .toEqual(['Fixed in staging and production.']);
    await s.assertClean();
  });

  test('the History tab shows the audit trail: the moves and the priority change', async () => {
    const { page } = s;
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByTestId('history');
    await history.waitFor();
    const entries = history.locator('.history-entry');
    await entries.filter({ hasText: /Priority\s+high\b.*\bhighest/ }).first().waitFor();
    expect(await entries.filter({ hasText: 'moved the ticket' }).count()).toBeGreaterThanOrEqual(2);
    await s.assertClean();
  });

  test('deep links reload to the same screen', async () => {
    const { page } = s;
    await page.reload();
    await page.getByRole('heading', { name: 'Checkout button overlaps the footer' }).waitFor();
    expect(await page.getByTestId('ticket-key').textContent()).toBe('APP-1');
    await page.goto(`/${slug}/projects/APP/board`);
    await page.reload();
    await page.getByRole('heading', { name: 'Apollo App board' }).waitFor();
    await card(column(page, (await getTicket(s.context, slug, 'APP-1')).status.name), 'APP-1').waitFor();
    await s.assertClean();
  });
});
