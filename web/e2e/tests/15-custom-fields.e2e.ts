// Custom fields against the real server: the owner defines a required select (in one
// project) and a number field in Settings → Custom fields, edits the options (rename,
// reorder, add, remove: ids kept), a stale edit (412) reloads their version into the
// form; the create dialog asks for the required field and sends both; the ticket page
// edits them (a bad number refused before sending, the API's 422 shown at the field);
// JQL by the field's name finds the ticket, the field shows as a list column; a viewer sees the values and no editor;
// delete after confirming; axe at 1280 and 390 on the settings, dialogs and ticket.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, MOBILE, Session, forgetProblemsAfterFailure, launch, signInWithGitHub, uniqueLogin } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { axe, horizontalOverflow } from '../lib/axe.ts';
import { createProject, createTicket, invite, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let o: Owner;
let viewer: Session | undefined;
const viewerLogin = uniqueLogin('felix');

interface Field {
  id: string;
  number: number;
  name: string;
  description: string;
  type: string;
  required: boolean;
  projects: string[] | null;
  options: Array<{ id: string; value: string }>;
  version: number;
}
interface TicketValues {
  key: string;
  version: number;
  custom_fields: Record<string, unknown>;
}

forgetProblemsAfterFailure(() => [o?.s, viewer]);
beforeAll(async () => {
  browser = await launch();
  o = await newOwner(browser, 'fiona');
  await createProject(o.s.context, o.slug, 'CRM', 'Customer deals');
  await createProject(o.s.context, o.slug, 'OPS', 'Operations');
});
afterAll(async () => {
  await viewer?.close();
  await o?.s.close();
  await browser?.close();
});

async function fields(): Promise<Field[]> {
  const r = await api<{ items: Field[] }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/custom-fields`);
  expect(r.status).toBe(200);
  return r.body.items;
}
async function field(name: string): Promise<Field> {
  const f = (await fields()).find((x) => x.name === name);
  expect(f, `no field ${name}`).toBeDefined();
  return f!;
}
async function values(key: string): Promise<Record<string, unknown>> {
  const r = await api<TicketValues>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/tickets/${key}`);
  expect(r.status).toBe(200);
  return r.body.custom_fields;
}
const optionId = (f: Field, value: string) => f.options.find((x) => x.value === value)!.id;

async function openSettings(page: Page): Promise<void> {
  await page.goto(`/${o.slug}/settings/custom-fields`);
  await page.getByRole('heading', { name: /settings$/ }).waitFor();
  await page.getByText('Loading custom fields').waitFor({ state: 'detached' });
}
async function openTicket(page: Page, key: string): Promise<void> {
  await page.goto(`/${o.slug}/tickets/${key}`);
  await page.getByTestId('ticket-key').filter({ hasText: key }).waitFor();
  await page.getByRole('region', { name: 'Custom fields' }).waitFor();
}
const panel = (page: Page) => page.getByRole('region', { name: 'Custom fields' });

describe('defining fields (owner)', () => {
  test('create a required select in one project and a number field in every project through the UI', async () => {
    const { page } = o.s;
    await openSettings(page);
    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Custom fields' }).waitFor();
    await page.getByRole('heading', { name: 'No custom fields yet' }).waitFor();

    await page.getByRole('button', { name: 'New field' }).click();
    let dialog = page.getByRole('dialog', { name: 'New custom field' });
    await dialog.getByLabel('Name').fill('Tier');
    await dialog.getByLabel('Type').selectOption('select');
    await dialog.getByLabel('Description').fill('The customer’s support plan.');
    await dialog.getByLabel('Option 1', { exact: true }).fill('Gold');
    await dialog.getByLabel('Option 2', { exact: true }).fill('Silver');
    await dialog.getByRole('button', { name: 'Add option' }).click();
    await dialog.getByLabel('Option 3', { exact: true }).fill('Bronze');
    // Enter in an option adds a row after it.
    await dialog.getByLabel('Option 3', { exact: true }).press('Enter');
    await dialog.getByLabel('Option 4', { exact: true }).fill('Lead');
    await dialog.getByLabel(/^Required/).check();
    await dialog.getByLabel('Only these projects').check();
    // A project must be chosen: refused before sending.
    await dialog.getByRole('button', { name: 'Create field' }).click();
    await dialog.getByText('Choose at least one project, or all projects.').waitFor();
    expect(await fields()).toEqual([]);
    await dialog.getByLabel('CRM · Customer deals').check();
    await dialog.getByRole('button', { name: 'Create field' }).click();
    await dialog.waitFor({ state: 'detached' });

    const tier = await field('Tier');
    expect(tier).toMatchObject({ type: 'select', required: true, projects: ['CRM'], description: 'The customer’s support plan.' });
    expect(tier.options.map((x) => x.value)).toEqual(['Gold', 'Silver', 'Bronze', 'Lead']);
    const row = page.getByTestId('custom-field-Tier');
    await row.getByText('Gold, Silver, Bronze, Lead').waitFor();
    expect(await row.textContent()).toContain(`cf[${tier.number}]`);
    expect(await row.textContent()).toContain('Required');

    await page.getByRole('button', { name: 'New field' }).click();
    dialog = page.getByRole('dialog', { name: 'New custom field' });
    await dialog.getByLabel('Name').fill('Seats');
    await dialog.getByLabel('Type').selectOption('number');
    // A number field has no options.
    expect(await dialog.getByLabel('Option 1', { exact: true }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Create field' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await field('Seats')).toMatchObject({ type: 'number', required: false, projects: null, options: [] });
    await page.getByTestId('custom-field-Seats').getByText('All projects').waitFor();
    await o.s.assertClean();
  });

  test('edit the options: rename, reorder, add and remove (kept options keep their ids)', async () => {
    const { page } = o.s;
    const before = await field('Tier');
    await openSettings(page);
    await page.getByRole('button', { name: 'Edit Tier' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Tier' });
    expect(await dialog.getByLabel('Type').isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Remove option 4' }).click();
    await dialog.getByRole('button', { name: 'Move option 3 up' }).click();
    await dialog.getByLabel('Option 1', { exact: true }).fill('Golden');
    await dialog.getByRole('button', { name: 'Add option' }).click();
    await dialog.getByLabel('Option 4', { exact: true }).fill('Platinum');
    expect(await dialog.getByLabel('Option 2', { exact: true }).inputValue()).toBe('Bronze');
    await dialog.getByRole('button', { name: 'Save field' }).click();
    await dialog.waitFor({ state: 'detached' });

    const after = await field('Tier');
    expect(after.options.map((x) => x.value)).toEqual(['Golden', 'Bronze', 'Silver', 'Platinum']);
    expect(optionId(after, 'Golden')).toBe(optionId(before, 'Gold'));
    expect(optionId(after, 'Bronze')).toBe(optionId(before, 'Bronze'));
    expect(optionId(after, 'Silver')).toBe(optionId(before, 'Silver'));
    expect(after.version).toBe(before.version + 1);
    await page.getByTestId('custom-field-Tier').getByText('Golden, Bronze, Silver, Platinum').waitFor();
    await o.s.assertClean();
  });

  test('a stale edit (412) loads their version into the form; saving again applies mine on top', async () => {
    const { page } = o.s;
    await openSettings(page);
    await page.getByRole('button', { name: 'Edit Seats' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Seats' });
    await dialog.getByLabel('Name').waitFor();
    // Someone else changes the description meanwhile.
    const seats = await field('Seats');
    const other = await api(o.s.context, 'PATCH', `/api/v1/orgs/${o.slug}/custom-fields/${seats.id}`, { description: 'Licensed seats' }, { 'if-match': `"${seats.version}"` });
    expect(other.status, JSON.stringify(other.body)).toBe(200);

    o.s.allow(/\/custom-fields\/[0-9a-f-]+$/, 412, 'PATCH');
    await dialog.getByLabel(/^Required/).check();
    await dialog.getByRole('button', { name: 'Save field' }).click();
    await dialog.getByTestId('custom-field-conflict').waitFor();
    expect(await dialog.getByTestId('custom-field-conflict').textContent()).toMatch(/Someone else changed this field meanwhile/);
    expect(await dialog.getByLabel('Description').inputValue()).toBe('Licensed seats');
    expect(await dialog.getByLabel(/^Required/).isChecked()).toBe(false);
    expect((await field('Seats')).required).toBe(false);

    await dialog.getByLabel(/^Required/).check();
    await dialog.getByRole('button', { name: 'Save field' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await field('Seats')).toMatchObject({ required: true, description: 'Licensed seats' });
    // Back to optional for the tickets below.
    await page.getByRole('button', { name: 'Edit Seats' }).click();
    await dialog.getByLabel(/^Required/).uncheck();
    await dialog.getByRole('button', { name: 'Save field' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await field('Seats')).required).toBe(false);
    await page.getByTestId('custom-field-Seats').getByText('Licensed seats').waitFor();
    // A fresh load for the picture (no toasts over the table).
    await openSettings(page);
    await page.getByTestId('custom-field-Seats').getByText('Licensed seats').waitFor();
    await o.s.screenshot('custom-fields-settings');
    await o.s.assertClean();
  });
});

describe('values on tickets', () => {
  test('the create dialog asks for the required field of the chosen project and sends both', async () => {
    const { page } = o.s;
    const tier = await field('Tier');
    const seats = await field('Seats');
    await page.goto(`/${o.slug}/projects/CRM/board`);
    await page.getByTestId('board').waitFor();
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/tickets')) posts.push(r.url()); });
    await page.getByRole('button', { name: 'Create ticket' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create ticket' });
    await dialog.getByLabel('Tier').waitFor();
    // Tier is only in CRM; Seats in every project.
    await dialog.getByLabel('Project').selectOption('OPS');
    await dialog.getByLabel('Seats').waitFor();
    expect(await dialog.getByLabel('Tier').count()).toBe(0);
    await dialog.getByLabel('Project').selectOption('CRM');
    await dialog.getByLabel('Title').fill('Renewal for Acme');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.getByText('Tier is required.').waitFor();
    expect(await dialog.getByLabel('Tier').getAttribute('aria-invalid')).toBe('true');
    expect(posts).toEqual([]);

    await dialog.getByLabel('Tier').selectOption({ label: 'Golden' });
    await dialog.getByLabel('Seats').fill('12');
    const axeRow = await axe(page, 'create dialog with custom fields', 'dialog[open]');
    expect(axeRow.serious, axeRow.details.join('\n')).toBe(0);
    await dialog.getByRole('heading', { name: 'Custom fields' }).scrollIntoViewIfNeeded();
    await o.s.screenshot('create-dialog-custom-fields');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(posts.length).toBe(1);
    expect(await values('CRM-1')).toEqual({ [String(tier.number)]: optionId(tier, 'Golden'), [String(seats.number)]: 12 });
    await o.s.assertClean();
  });

  test('edit the values on the ticket page: a select, a number (refused in the page when not one), the API’s 422 at the field', async () => {
    const { page } = o.s;
    const tier = await field('Tier');
    const seats = await field('Seats');
    const t = String(tier.number);
    const n = String(seats.number);
    await openTicket(page, 'CRM-1');
    const tierSelect = panel(page).getByLabel('Tier');
    expect(await tierSelect.inputValue()).toBe(optionId(tier, 'Golden'));
    expect(await panel(page).getByLabel('Seats').inputValue()).toBe('12');

    const patches: unknown[] = [];
    page.on('request', (r) => { if (r.method() === 'PATCH' && r.url().endsWith('/tickets/CRM-1')) patches.push(r.postDataJSON()); });
    await tierSelect.selectOption({ label: 'Silver' });
    await expect.poll(async () => (await values('CRM-1'))[t]).toBe(optionId(tier, 'Silver'));
    expect(patches).toEqual([{ custom_fields: { [t]: optionId(tier, 'Silver') } }]);

    const seatsInput = panel(page).getByLabel('Seats');
    await seatsInput.fill('forty');
    await seatsInput.press('Enter');
    await panel(page).getByText('A number, such as 12 or 3.5.').waitFor();
    expect(await seatsInput.getAttribute('aria-invalid')).toBe('true');
    expect(patches.length).toBe(1);
    await seatsInput.fill('40');
    await seatsInput.press('Enter');
    await expect.poll(async () => (await values('CRM-1'))[n]).toBe(40);
    expect(await seatsInput.getAttribute('aria-invalid')).toBeNull();

    // Clearing a required field: the API refuses with a 422 naming it; shown there, rolled back.
    o.s.allow(/\/tickets\/CRM-1$/, 422, 'PATCH');
    await tierSelect.selectOption({ label: 'None' });
    await expect.poll(() => tierSelect.getAttribute('aria-invalid')).toBe('true');
    const error = page.locator(`[id="${await tierSelect.getAttribute('id')}-error"]`);
    expect(await error.textContent()).toMatch(/Tier.*required/);
    await expect.poll(() => tierSelect.inputValue()).toBe(optionId(tier, 'Silver'));
    expect((await values('CRM-1'))[t]).toBe(optionId(tier, 'Silver'));
    // A good edit clears the message.
    await tierSelect.selectOption({ label: 'Platinum' });
    await expect.poll(async () => (await values('CRM-1'))[t]).toBe(optionId(tier, 'Platinum'));
    await expect.poll(() => tierSelect.getAttribute('aria-invalid')).toBeNull();
    await tierSelect.selectOption({ label: 'Silver' });
    await expect.poll(async () => (await values('CRM-1'))[t]).toBe(optionId(tier, 'Silver'));

    await page.reload();
    await panel(page).getByLabel('Seats').waitFor();
    await expect.poll(() => panel(page).getByLabel('Seats').inputValue()).toBe('40');
    await panel(page).scrollIntoViewIfNeeded();
    await o.s.screenshot('ticket-custom-fields');
    await o.s.assertClean();
  });

  test('JQL by the field’s name or cf[N] finds the ticket in the list; the field as a sortable column', async () => {
    const { page } = o.s;
    const tier = await field('Tier');
    await createTicket(o.s.context, o.slug, 'CRM', { title: 'Upsell Globex', custom_fields: { [String(tier.number)]: 'Golden' } }); // CRM-2
    await page.goto(`/${o.slug}/issues`);
    const bar = page.getByRole('combobox', { name: 'Search with JQL' });
    await bar.fill('"Tier" = Silver');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByTestId('row-CRM-1').waitFor();
    await expect.poll(() => page.getByTestId('result-total').textContent()).toBe('1 ticket');
    expect(await page.getByTestId('row-CRM-2').count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('jql')).toBe('"Tier" = Silver');

    await bar.fill(`cf[${tier.number}] = Golden`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByTestId('row-CRM-2').waitFor();
    expect(await page.getByTestId('row-CRM-1').count()).toBe(0);

    // The field as a column (kept in the URL), sortable by cf[N].
    await bar.fill('project = CRM');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByTestId('row-CRM-1').waitFor();
    await page.getByTestId('columns-menu').click();
    await page.getByRole('menuitem', { name: 'Show Tier' }).click();
    await expect.poll(() => page.getByTestId(`cell-CRM-1-cf-${tier.number}`).textContent()).toBe('Silver');
    expect(await page.getByTestId(`cell-CRM-2-cf-${tier.number}`).textContent()).toBe('Golden');
    expect(new URL(page.url()).searchParams.get('cf')).toBe(String(tier.number));
    const table = page.getByRole('table', { name: 'Search results' });
    await table.getByRole('columnheader', { name: /Tier/ }).getByRole('button').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('jql')).toBe(`project = CRM ORDER BY cf[${tier.number}] DESC`);
    await expect.poll(() => table.getByRole('columnheader', { name: /Tier/ }).getAttribute('aria-sort')).toBe('descending');
    await page.getByTestId(`cell-CRM-2-cf-${tier.number}`).waitFor();
    await page.getByTestId('columns-menu').click();
    await page.getByRole('menuitem', { name: 'Hide Tier' }).click();
    await page.getByTestId(`cell-CRM-1-cf-${tier.number}`).waitFor({ state: 'detached' });
    await o.s.assertClean();
  });
});

describe('screens', () => {
  for (const [label, viewport] of [['1280', DESKTOP], ['390', MOBILE]] as const) {
    test(`custom fields at ${label}: axe finds nothing on the settings, the field dialog and the ticket; no sideways scroll`, async () => {
      const s = await Session.open(browser, { viewport, name: `cf@${label}` });
      try {
        await s.context.addCookies(await o.s.context.cookies());
        await openSettings(s.page);
        await s.page.getByTestId('custom-field-Tier').waitFor();
        const settings = await axe(s.page, 'custom fields settings');
        expect(settings.serious, settings.details.join('\n')).toBe(0);
        expect(settings.violations, settings.details.join('\n')).toBe(0);
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        if (viewport === MOBILE) await s.screenshot('custom-fields-settings-390');

        await s.page.getByRole('button', { name: 'Edit Tier' }).click();
        await s.page.getByRole('dialog', { name: 'Edit Tier' }).getByLabel('Option 1', { exact: true }).waitFor();
        const modal = await axe(s.page, 'custom field dialog', 'dialog[open]');
        expect(modal.serious, modal.details.join('\n')).toBe(0);
        expect(modal.violations, modal.details.join('\n')).toBe(0);
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        if (viewport === MOBILE) await s.screenshot('custom-fields-dialog-390');
        await s.page.getByRole('dialog', { name: 'Edit Tier' }).getByRole('button', { name: 'Close dialog' }).click();

        await openTicket(s.page, 'CRM-1');
        const ticket = await axe(s.page, 'ticket with custom fields');
        expect(ticket.serious, ticket.details.join('\n')).toBe(0);
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        if (viewport === MOBILE) {
          await panel(s.page).scrollIntoViewIfNeeded();
          await s.screenshot('ticket-custom-fields-390');
        }
        await s.assertClean();
      } finally {
        await s.close();
      }
    });
  }
});

describe('a viewer', () => {
  test('sees the values as text and the field list, with no editor and no edit control', async () => {
    await invite(o.s.context, o.slug, viewerLogin, 'viewer');
    viewer = await Session.open(browser, { name: 'viewer' });
    const { page } = viewer;
    await signInWithGitHub(viewer, viewerLogin);
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByRole('button', { name: /^Accept invitation to / }).click();
    await page.waitForURL(new RegExp(`/${o.slug}/projects$`));

    const tier = await field('Tier');
    const seats = await field('Seats');
    await page.goto(`/${o.slug}/tickets/CRM-1`);
    await page.getByTestId('ticket-key').waitFor();
    const box = panel(page);
    await box.waitFor();
    expect(await box.getByTestId(`cf-${tier.number}`).textContent()).toBe('TierSilver');
    expect(await box.getByTestId(`cf-${seats.number}`).textContent()).toBe('Seats40');
    for (const role of ['combobox', 'textbox', 'spinbutton', 'checkbox', 'button'] as const) {
      expect(await box.getByRole(role).count(), role).toBe(0);
    }
    await box.scrollIntoViewIfNeeded();
    await viewer.screenshot('ticket-custom-fields-viewer');

    await page.goto(`/${o.slug}/settings/custom-fields`);
    await page.getByTestId('custom-field-Tier').waitFor();
    await page.getByTestId('custom-fields-read-only').waitFor();
    expect(await page.getByRole('button', { name: 'New field' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    const row = await axe(page, 'custom fields settings (viewer)');
    expect(row.serious, row.details.join('\n')).toBe(0);
    await viewer.assertClean();
  });
});

describe('deleting a field', () => {
  test('asks first; then the field and every ticket’s value of it are gone', async () => {
    const { page } = o.s;
    const seats = await field('Seats');
    await openSettings(page);
    await page.getByRole('button', { name: 'Delete Seats' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Seats?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect((await fields()).map((f) => f.name)).toContain('Seats');

    await page.getByRole('button', { name: 'Delete Seats' }).click();
    await confirm.getByRole('button', { name: 'Delete field' }).click();
    await page.getByTestId('custom-field-Seats').waitFor({ state: 'detached' });
    expect((await fields()).map((f) => f.name)).toEqual(['Tier']);
    expect(Object.keys(await values('CRM-1'))).not.toContain(String(seats.number));

    await openTicket(page, 'CRM-1');
    expect(await panel(page).getByLabel('Seats').count()).toBe(0);
    await panel(page).getByLabel('Tier').waitFor();
    await o.s.assertClean();
  });
});
