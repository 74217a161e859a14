// A team: the owner invites a member in the UI and hands them the link; the member
// signs in through GitHub in their own browser, accepts and sees the project. A viewer
// accepts from their invitations and cannot edit: the controls are absent or disabled.
// A member demoted to viewer while their page is open tries a write: the 403 is shown
// and nothing changes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Session, forgetProblemsAfterFailure, launch, signInWithGitHub, uniqueLogin } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { card, column } from '../lib/board.ts';
import { createProject, createTicket, getTicket, invite, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let owner: Owner;
let member: Session;
let viewer: Session;
const memberLogin = uniqueLogin('mia');
const viewerLogin = uniqueLogin('victor');

forgetProblemsAfterFailure(() => [owner?.s, member, viewer]);
beforeAll(async () => {
  browser = await launch();
  owner = await newOwner(browser, 'tom');
  await createProject(owner.s.context, owner.slug, 'SHR', 'Shared work');
  await createTicket(owner.s.context, owner.slug, 'SHR', { title: 'Plan the launch', priority: 'medium' });
  member = await Session.open(browser, { name: 'member' });
  viewer = await Session.open(browser, { name: 'viewer' });
});
afterAll(async () => {
  await member?.close();
  await viewer?.close();
  await owner?.s.close();
  await browser?.close();
});

describe('team', () => {
  test('the owner creates an invitation in settings; the link is shown once', async () => {
    const { page } = owner.s;
    await page.goto(`/${owner.slug}/settings/invitations`);
    await page.getByLabel('GitHub login or e-mail').fill(memberLogin);
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = await page.getByLabel('Invitation link').inputValue();
    expect(link).toMatch(new RegExp(`^${owner.s.base}/invitations/tri_`));
    const list = await api<{ items: Array<{ github_login: string; status: string; link: string | null }> }>(
      owner.s.context, 'GET', `/api/v1/orgs/${owner.slug}/invitations`);
    expect(list.body.items).toEqual([expect.objectContaining({ github_login: memberLogin, status: 'pending' })]);
    expect(list.body.items[0]?.link ?? null).toBeNull(); // shown once, never listed
    await owner.s.assertClean();

    // The invitee, in their own browser: not signed in yet.
    const m = member.page;
    member.allowSignedOut();
    await m.goto(link);
    await m.getByRole('link', { name: 'Sign in to accept' }).click();
    await signInWithGitHub(member, memberLogin, m.url());
    await m.waitForURL(/\/invitations\/tri_/);
    await m.getByRole('button', { name: 'Accept invitation' }).click();
    await m.waitForURL(new RegExp(`/${owner.slug}/projects$`));
    await m.getByRole('link', { name: 'Shared work' }).click();
    await card(column(m, 'To Do'), 'SHR-1').waitFor();
    expect(await card(m, 'SHR-1').getAttribute('aria-roledescription')).toBe('draggable ticket');
    const me = await api<{ orgs: Array<{ slug: string; role: string }> }>(member.context, 'GET', '/auth/me');
    expect(me.body.orgs).toEqual(expect.arrayContaining([expect.objectContaining({ slug: owner.slug, role: 'member' })]));
    await member.assertClean();
  });

  test('the org switcher lists both organizations with the role and switches between them', async () => {
    const m = member.page;
    await m.getByRole('button', { name: /^Organization: / }).click();
    const items = m.getByRole('menuitem');
    await items.filter({ hasText: '(owner)' }).waitFor();
    expect(await items.filter({ hasText: '(member)' }).count()).toBe(1);
    await items.filter({ hasText: '(owner)' }).click();
    await m.waitForURL(new RegExp(`/${memberLogin}/projects$`));
    await m.getByRole('heading', { name: /^Welcome to / }).waitFor();
    await m.getByRole('button', { name: /^Organization: / }).click();
    await m.getByRole('menuitem').filter({ hasText: '(member)' }).click();
    await m.waitForURL(new RegExp(`/${owner.slug}/projects$`));
    await m.getByRole('link', { name: 'Shared work' }).waitFor();
    await member.assertClean();
  });

  test('a viewer accepts from their invitations and cannot edit anything', async () => {
    await invite(owner.s.context, owner.slug, viewerLogin, 'viewer');
    const { page } = viewer;
    await signInWithGitHub(viewer, viewerLogin);
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByRole('button', { name: /^Accept invitation to / }).click();
    await expect
      .poll(async () => (await api<{ orgs: Array<{ slug: string; role: string }> }>(viewer.context, 'GET', '/auth/me')).body.orgs.find((o) => o.slug === owner.slug)?.role)
      .toBe('viewer');

    await page.goto(`/${owner.slug}/projects/SHR/board`);
    const body = card(column(page, 'To Do'), 'SHR-1');
    await body.waitFor();
    expect(await body.getAttribute('aria-roledescription')).toBe('ticket');
    expect(await page.getByRole('button', { name: 'Create ticket' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New ticket' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Move SHR-1 to/ }).count()).toBe(0);
    // Dragging does nothing.
    const box = await body.boundingBox();
    const target = await column(page, 'In Progress').boundingBox();
    if (!box || !target) throw new Error('not visible');
    await page.mouse.move(box.x + 20, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(target.x + 40, target.y + 80, { steps: 8 });
    await page.mouse.up();
    // The `c` shortcut explains instead of opening the dialog.
    await page.locator('body').press('c');
    await page.getByText('Your role can read tickets but not create them.').waitFor();
    expect(await page.getByRole('dialog', { name: 'Create ticket' }).count()).toBe(0);

    await page.goto(`/${owner.slug}/tickets/SHR-1`);
    await page.getByRole('heading', { name: 'Plan the launch' }).waitFor();
    for (const field of ['Type', 'Priority', 'Assignee', 'Labels', 'Due date']) {
      expect(await page.getByLabel(field, { exact: true }).isDisabled(), field).toBe(true);
    }
    expect(await page.getByRole('button', { name: /Edit title/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit description' }).count()).toBe(0);
    expect(await page.getByLabel('Add a comment', { exact: true }).count()).toBe(0);
    await page.getByText('Your role can read comments but not write them.').waitFor();
    expect(await page.locator('[data-testid^="transition-"]').count()).toBe(0);

    // Forced: re-enable the disabled Priority control by hand and use it. The server
    // answers 403; the page says it was not saved and shows the stored value again.
    viewer.allow(new RegExp(`/api/v1/orgs/${owner.slug}/tickets/SHR-1$`), 403, 'PATCH');
    const priority = page.getByLabel('Priority', { exact: true });
    await priority.evaluate((el) => el.removeAttribute('disabled'));
    await priority.selectOption({ label: 'Highest' });
    const alert = page.getByRole('alert').filter({ hasText: /Not saved/ });
    await alert.waitFor();
    await expect.poll(() => priority.inputValue()).toBe('medium');
    expect((await getTicket(owner.s.context, owner.slug, 'SHR-1')).priority).toBe('medium');

    await page.goto(`/${owner.slug}/settings/audit`);
    await page.getByText('Only owners and admins read the audit log.').waitFor();
    expect((await getTicket(owner.s.context, owner.slug, 'SHR-1')).status.name).toBe('To Do');
    await viewer.assertClean();
  });

  test('a member demoted while their page is open: the forced write shows the 403 and changes nothing', async () => {
    const m = member.page;
    await m.goto(`/${owner.slug}/tickets/SHR-1`);
    const priority = m.getByLabel('Priority', { exact: true });
    await m.getByRole('heading', { name: 'Plan the launch' }).waitFor();
    expect(await priority.isDisabled()).toBe(false);
    const demote = await api(owner.s.context, 'PATCH', `/api/v1/orgs/${owner.slug}/members/${memberLogin}`, { role: 'viewer' });
    expect(demote.status, JSON.stringify(demote.body)).toBe(204);

    member.allow(new RegExp(`/api/v1/orgs/${owner.slug}/tickets/SHR-1$`), 403, 'PATCH');
    await priority.selectOption({ label: 'Highest' });
    const alert = m.getByRole('alert').filter({ hasText: /Not saved/ });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/permission|not allowed|forbidden|role/i);
    await expect.poll(() => priority.inputValue()).toBe('medium');
    expect((await getTicket(owner.s.context, owner.slug, 'SHR-1')).priority).toBe('medium');
    await member.assertClean();
  });
});
