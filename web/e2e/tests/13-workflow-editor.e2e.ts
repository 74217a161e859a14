// The workflow editor in a project's settings against the real server: add a status and
// a transition limited to leads, move a ticket through them on the board (a member is
// not offered the leads' move and sees the editor read-only), reorder by keyboard and
// by mouse, rename, an invariant the API refuses (shown inline, nothing changed), delete
// a status holding tickets with a target (tickets moved, checked through the API and in
// their history), and copy another project's workflow with the mapping the API requires.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { Session, forgetProblemsAfterFailure, launch, signInWithGitHub, uniqueLogin } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { card, column } from '../lib/board.ts';
import { createProject, createTicket, expectStatus, getTicket, invite, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let o: Owner;
let member: Session | undefined;
const memberLogin = uniqueLogin('walt');

interface Workflow {
  statuses: Array<{ id: string; name: string; category: string; tickets: number }>;
  transitions: Array<{ name: string; from: { name: string }; to: { name: string }; allowed_roles: string[] }>;
}

forgetProblemsAfterFailure(() => [o?.s, member]);
beforeAll(async () => {
  browser = await launch();
  o = await newOwner(browser, 'wanda');
  await createProject(o.s.context, o.slug, 'WFL', 'Workflow lab');
  for (const title of ['Ship the login page', 'Fix the footer', 'Write the changelog', 'Tidy the CSS']) {
    await createTicket(o.s.context, o.slug, 'WFL', { title });
  }
});
afterAll(async () => {
  await member?.close();
  await o?.s.close();
  await browser?.close();
});

async function workflow(project: string): Promise<Workflow> {
  const r = await api<Workflow>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/projects/${project}/workflow`);
  expect(r.status).toBe(200);
  return r.body;
}
const names = async (project: string) => (await workflow(project)).statuses.map((s) => s.name);

async function transition(key: string, to: string): Promise<void> {
  const r = await api(o.s.context, 'POST', `/api/v1/orgs/${o.slug}/tickets/${key}/transitions`, { to });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function openEditor(page: Page, project: string): Promise<void> {
  await page.goto(`/${o.slug}/projects/${project}/settings/workflow`);
  await page.getByTestId('workflow-editor').waitFor();
}

const statusRow = (page: Page, name: string): Locator => page.getByTestId(`status-${name}`);

describe('statuses and transitions', () => {
  test('add a status and a transition only leads may take; a lead moves a ticket through them on the board', async () => {
    const { page } = o.s;
    await openEditor(page, 'WFL');
    expect(await page.getByRole('list', { name: 'Statuses' }).getByRole('listitem').allTextContents()).toHaveLength(3);

    const add = page.getByRole('form', { name: 'Add a status' });
    await add.getByLabel('Status name').fill('Review');
    await add.getByLabel('Category').selectOption('in_progress');
    await add.getByRole('group', { name: 'Tickets enter it from' }).getByLabel('To Do').uncheck();
    await add.getByRole('group', { name: 'Tickets enter it from' }).getByLabel('In Progress').check();
    await add.getByRole('button', { name: 'Add status' }).click();
    await statusRow(page, 'Review').waitFor();
    expect(await statusRow(page, 'Review').textContent()).toContain('0 tickets');
    let wf = await workflow('WFL');
    expect(wf.statuses.map((s) => `${s.name}:${s.category}`)).toEqual(['To Do:todo', 'In Progress:in_progress', 'Done:done', 'Review:in_progress']);
    expect(wf.transitions.some((t) => t.from.name === 'In Progress' && t.to.name === 'Review')).toBe(true);

    const tr = page.getByRole('form', { name: 'Add a transition' });
    await tr.getByLabel('From').selectOption('Review');
    await tr.getByLabel('To', { exact: true }).selectOption('Done');
    await tr.getByLabel('Transition name').fill('Approve');
    await tr.getByLabel('Leads (and org owners and admins)').check();
    await tr.getByRole('button', { name: 'Add transition' }).click();
    const row = page.getByTestId('transition-Review-Done');
    await row.waitFor();
    expect(await row.textContent()).toContain('Leads only');
    wf = await workflow('WFL');
    expect(wf.transitions.find((t) => t.name === 'Approve')).toMatchObject({ from: { name: 'Review' }, to: { name: 'Done' }, allowed_roles: ['lead'] });
    await o.s.screenshot('workflow');

    // The board has the new column; the owner (a lead everywhere) takes the leads' move.
    await page.goto(`/${o.slug}/projects/WFL/board`);
    await column(page, 'Review').waitFor();
    await transition('WFL-1', 'In Progress');
    await page.reload();
    await card(column(page, 'In Progress'), 'WFL-1').waitFor();
    await page.getByRole('button', { name: 'Move WFL-1 to…' }).click();
    await page.getByRole('menuitem', { name: /^Review/ }).click();
    await card(column(page, 'Review'), 'WFL-1').waitFor();
    await expectStatus(o.s.context, o.slug, 'WFL-1', 'Review');
    await page.getByRole('button', { name: 'Move WFL-1 to…' }).click();
    await page.getByRole('menuitem', { name: 'Done (Approve)' }).click();
    await card(column(page, 'Done'), 'WFL-1').waitFor();
    await expectStatus(o.s.context, o.slug, 'WFL-1', 'Done');
    await o.s.assertClean();
  });

  test('a project member is not offered the leads’ move, and sees the workflow read-only', async () => {
    await invite(o.s.context, o.slug, memberLogin, 'member');
    member = await Session.open(browser, { name: 'member' });
    const { page } = member;
    await signInWithGitHub(member, memberLogin);
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByRole('button', { name: /^Accept invitation to / }).click();
    await page.waitForURL(new RegExp(`/${o.slug}/projects$`));
    const r = await api(o.s.context, 'PUT', `/api/v1/orgs/${o.slug}/projects/WFL/members/${memberLogin}`, { role: 'member' });
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    await transition('WFL-2', 'In Progress');
    await transition('WFL-2', 'Review');

    await page.goto(`/${o.slug}/projects/WFL/board`);
    await card(column(page, 'Review'), 'WFL-2').waitFor();
    await page.getByRole('button', { name: 'Move WFL-2 to…' }).click();
    const done = page.getByTestId('move-to-Done');
    await expect.poll(() => done.getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Escape');

    await page.goto(`/${o.slug}/projects/WFL/settings/workflow`);
    await page.getByTestId('workflow-editor').waitFor();
    await page.getByTestId('workflow-read-only').waitFor();
    await statusRow(page, 'Review').waitFor();
    expect(await page.getByRole('form').count()).toBe(0);
    expect(await page.getByTestId('workflow-editor').getByRole('button').count()).toBe(0);
    expect(await page.getByTestId('workflow-editor').getByRole('combobox').count()).toBe(0);
    expect(await page.getByTestId('transition-Review-Done').textContent()).toContain('Leads only');
    await member.screenshot('workflow-read-only');
    await member.assertClean();
  });

  test('reorder by keyboard and by mouse drag; the API keeps the order', async () => {
    const { page } = o.s;
    await openEditor(page, 'WFL');
    const handle = page.getByRole('button', { name: /^Reorder Review, position 4 of 4/ });
    await handle.focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => names('WFL')).toEqual(['To Do', 'In Progress', 'Review', 'Done']);
    await page.getByText('Review moved to position 3 of 4.').waitFor({ state: 'attached' });
    // Focus stays on the handle, so the next press moves it again.
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => names('WFL')).toEqual(['To Do', 'Review', 'In Progress', 'Done']);

    const from = await page.getByRole('button', { name: /^Reorder Review,/ }).boundingBox();
    const to = await statusRow(page, 'Done').boundingBox();
    if (!from || !to) throw new Error('the rows are not visible');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, from.y + 12, { steps: 3 });
    await page.mouse.move(from.x + from.width / 2, to.y + to.height / 2, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => names('WFL')).toEqual(['To Do', 'In Progress', 'Done', 'Review']);
    await page.reload();
    await page.getByTestId('workflow-editor').waitFor();
    expect(await page.getByRole('list', { name: 'Statuses' }).locator('strong').allTextContents()).toEqual(['To Do', 'In Progress', 'Done', 'Review']);
    await o.s.assertClean();
  });

  test('rename a status; a change that would leave no done status is refused inline with the API’s message', async () => {
    const { page } = o.s;
    await openEditor(page, 'WFL');
    await page.getByRole('button', { name: 'Rename Review' }).click();
    await page.getByLabel('New name for Review').fill('Code review');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await statusRow(page, 'Code review').waitFor();
    expect(await names('WFL')).toContain('Code review');

    o.s.allow(/\/workflow\/statuses\/[0-9a-f-]+$/, 422, 'PATCH');
    await page.getByLabel('Category of Done').selectOption('in_progress');
    const problem = page.getByTestId('status-problem');
    await problem.waitFor();
    const text = await problem.textContent();
    expect(text).toContain('This change would break the workflow, so nothing was changed.');
    expect(text).toMatch(/at least one `done` status/);
    expect(await problem.getAttribute('role')).toBe('alert');
    expect((await workflow('WFL')).statuses.find((s) => s.name === 'Done')?.category).toBe('done');
    await expect.poll(() => page.getByLabel('Category of Done').inputValue()).toBe('done');
    await o.s.screenshot('workflow-invariant');
    await o.s.assertClean();
  });

  test('deleting a status that holds tickets asks where they go; they move there, with history', async () => {
    const { page } = o.s;
    for (const key of ['WFL-3', 'WFL-4']) {
      await transition(key, 'In Progress');
      await transition(key, 'Code review');
    }
    await openEditor(page, 'WFL');
    expect(await statusRow(page, 'Code review').textContent()).toContain('3 tickets');
    await page.getByRole('button', { name: 'Delete Code review' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Code review?' });
    await dialog.getByText('Code review holds 3 tickets.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Delete status' }).click();
    await dialog.getByText('Choose where its tickets go.').waitFor();
    await dialog.getByLabel('Move its 3 tickets to').selectOption('In Progress');
    await dialog.getByRole('button', { name: 'Delete status' }).click();
    await dialog.waitFor({ state: 'detached' });
    await statusRow(page, 'Code review').waitFor({ state: 'detached' });

    const wf = await workflow('WFL');
    expect(wf.statuses.map((s) => s.name)).toEqual(['To Do', 'In Progress', 'Done']);
    expect(wf.transitions.some((t) => t.name === 'Approve')).toBe(false);
    expect(wf.statuses.find((s) => s.name === 'In Progress')?.tickets).toBe(3);
    for (const key of ['WFL-2', 'WFL-3', 'WFL-4']) expect((await getTicket(o.s.context, o.slug, key)).status.name).toBe('In Progress');
    expect(await statusRow(page, 'In Progress').textContent()).toContain('3 tickets');

    await page.goto(`/${o.slug}/tickets/WFL-3`);
    await page.getByRole('tab', { name: 'History' }).click();
    const moved = page.getByTestId('history').locator('.history-entry').first();
    await expect.poll(() => moved.textContent()).toMatch(/Status\s*Code review\s*→?\s*to\s*In Progress/);
    await o.s.assertClean();
  });

  test('copy the workflow of another project, mapping the status it lacks that holds tickets', async () => {
    const { page } = o.s;
    await createProject(o.s.context, o.slug, 'CPY', 'Copy target');
    const r = await api(o.s.context, 'POST', `/api/v1/orgs/${o.slug}/projects/CPY/workflow/statuses`, { name: 'Blocked', category: 'in_progress', from: ['To Do'], to: ['To Do'] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await createTicket(o.s.context, o.slug, 'CPY', { title: 'Waiting on legal' });
    await transition('CPY-1', 'Blocked');
    // WFL gets a status CPY lacks, so the copy adds one too.
    const q = await api(o.s.context, 'POST', `/api/v1/orgs/${o.slug}/projects/WFL/workflow/statuses`, { name: 'QA', category: 'in_progress', from: ['In Progress'], to: ['Done'] });
    expect(q.status, JSON.stringify(q.body)).toBe(201);

    await openEditor(page, 'CPY');
    await page.getByRole('button', { name: 'Copy workflow from project…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Copy workflow from project' });
    await dialog.getByLabel('Copy from').selectOption('WFL');
    const plan = dialog.locator('.wf-plan');
    await plan.waitFor();
    expect(await plan.textContent()).toBe('KeptTo Do, In Progress, DoneAddedQADeletedBlocked');
    await dialog.getByRole('button', { name: 'Replace this workflow' }).click();
    await dialog.getByText('Choose a status.').waitFor();
    expect(await names('CPY')).toContain('Blocked');
    await dialog.getByLabel('Blocked (1 ticket) moves to').selectOption('QA');
    await dialog.getByRole('button', { name: 'Replace this workflow' }).click();
    await dialog.waitFor({ state: 'detached' });
    await statusRow(page, 'QA').waitFor();
    expect(await names('CPY')).toEqual(await names('WFL'));
    expect((await getTicket(o.s.context, o.slug, 'CPY-1')).status.name).toBe('QA');
    await o.s.assertClean();
  });
});
