// Every main screen at one width: axe-core finds no serious or critical violation,
// the page does not scroll sideways, and the browser logs no error and no unexpected
// failed request. The results table is printed at the end of each file.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, MOBILE, Session, launch } from './browser.ts';
import { RESULTS_DIR, axe, axeFile, horizontalOverflow, type AxeRow } from './axe.ts';

interface Screen {
  name: string;
  signedOut?: boolean;
  /** prefers-color-scheme: dark (colours differ, layout does not: checked at 1280 only). */
  dark?: boolean;
  /** A modal: axe checks the dialog (the page behind it is inert and checked on its own). */
  modal?: string;
  open(page: Page): Promise<void>;
}

const SCREENS: Screen[] = [
  {
    name: 'sign-in',
    signedOut: true,
    open: async (p) => {
      await p.goto('/signin');
      await p.getByRole('heading', { name: 'Sign in to Trellis' }).waitFor();
    },
  },
  {
    name: 'projects',
    open: async (p) => {
      await p.goto('/acme/projects');
      await p.getByRole('list', { name: 'Projects' }).getByRole('link', { name: 'Website' }).waitFor();
    },
  },
  {
    name: 'board',
    open: async (p) => {
      await p.goto('/acme/projects/WEB/board');
      await p.getByRole('region', { name: 'Done', exact: true }).getByRole('button', { name: /^WEB-\d+ / }).first().waitFor();
    },
  },
  {
    name: 'board (dark)',
    dark: true,
    open: async (p) => {
      await p.goto('/acme/projects/WEB/board');
      await p.getByRole('region', { name: 'Done', exact: true }).getByRole('button', { name: /^WEB-\d+ / }).first().waitFor();
    },
  },
  {
    name: 'list with JQL',
    open: async (p) => {
      await p.goto(`/acme/issues?jql=${encodeURIComponent('project = WEB AND statusCategory != done ORDER BY priority DESC')}`);
      await p.getByRole('table', { name: 'Search results' }).getByRole('row').nth(3).waitFor();
    },
  },
  {
    name: 'ticket',
    open: async (p) => {
      await p.goto('/acme/tickets/WEB-12');
      await p.getByTestId('ticket-key').waitFor();
      await p.getByRole('tab', { name: 'Comments' }).waitFor();
    },
  },
  {
    name: 'create dialog',
    modal: 'Create ticket',
    open: async (p) => {
      await p.goto('/acme/projects/WEB/board');
      await p.getByRole('region', { name: 'To Do', exact: true }).getByRole('button', { name: /^WEB-\d+ / }).first().waitFor();
      await p.getByRole('button', { name: 'Create ticket' }).click();
      await p.getByRole('dialog', { name: 'Create ticket' }).getByLabel('Assignee').locator('option', { hasText: 'bob' }).waitFor({ state: 'attached' });
    },
  },
  {
    name: 'keyboard shortcuts',
    modal: 'Keyboard shortcuts',
    open: async (p) => {
      await p.goto('/acme/projects');
      await p.getByRole('list', { name: 'Projects' }).waitFor();
      await p.getByRole('button', { name: 'Keyboard shortcuts' }).click();
      await p.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    },
  },
  {
    name: 'backlog',
    open: async (p) => {
      await p.goto('/acme/projects/WEB/backlog');
      await p.getByTestId('backlog-section').waitFor();
      await p.getByTestId(/^plan-row-WEB-/).first().waitFor();
    },
  },
  {
    name: 'create sprint dialog',
    modal: 'Create sprint',
    open: async (p) => {
      await p.goto('/acme/projects/WEB/backlog');
      await p.getByTestId(/^plan-row-WEB-/).first().waitFor();
      await p.getByTestId('create-sprint').click();
      await p.getByRole('dialog', { name: 'Create sprint' }).waitFor();
    },
  },
  {
    name: 'workflow editor',
    open: async (p) => {
      await p.goto('/acme/projects/WEB/settings/workflow');
      await p.getByTestId('status-In Progress').waitFor();
      await p.getByTestId('transition-To Do-In Progress').waitFor();
    },
  },
  {
    name: 'workflow editor (dark)',
    dark: true,
    open: async (p) => {
      await p.goto('/acme/projects/WEB/settings/workflow');
      await p.getByTestId('status-In Progress').waitFor();
      await p.getByTestId('transition-To Do-In Progress').waitFor();
    },
  },
  {
    name: 'delete status dialog',
    modal: 'Delete In Progress?',
    open: async (p) => {
      await p.goto('/acme/projects/WEB/settings/workflow');
      await p.getByRole('button', { name: 'Delete In Progress' }).click();
      await p.getByRole('dialog', { name: 'Delete In Progress?' }).getByLabel(/^Move its \d+ tickets to$/).waitFor();
    },
  },
  {
    name: 'org members',
    open: async (p) => {
      await p.goto('/acme/settings/members');
      await p.getByTestId('members-table').waitFor();
    },
  },
  {
    name: 'invitations',
    open: async (p) => {
      await p.goto('/acme/settings/invitations');
      await p.getByRole('heading', { name: 'Invite someone' }).waitFor();
      await p.getByText('Loading invitations').waitFor({ state: 'detached' });
    },
  },
  {
    name: 'API tokens',
    open: async (p) => {
      await p.goto('/acme/settings/tokens');
      await p.getByRole('heading', { name: 'Create an API token' }).waitFor();
      await p.getByText('Loading tokens').waitFor({ state: 'detached' });
    },
  },
  {
    name: 'audit log',
    open: async (p) => {
      await p.goto('/acme/settings/audit');
      await p.getByRole('heading', { name: /settings$/ }).waitFor();
      await p.getByText('Loading the audit log').waitFor({ state: 'detached' });
      await p.getByRole('table').first().waitFor();
    },
  },
  {
    name: 'billing',
    open: async (p) => {
      await p.goto('/acme/billing');
      await p.getByTestId('billing-plan').waitFor();
    },
  },
  {
    name: 'invitation link',
    open: async (p) => {
      await p.goto('/invitations/tri_notarealinvitationtoken');
      await p.getByRole('heading', { name: 'You’re invited to Trellis' }).waitFor();
    },
  },
  {
    name: 'not found',
    open: async (p) => {
      await p.goto('/acme/no-such-page');
      await p.getByRole('heading', { name: 'Not found' }).waitFor();
    },
  },
];

export function screensAt(viewport: { width: number; height: number }): void {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    const file = axeFile(viewport.width);
    if (existsSync(file)) {
      const rows = (JSON.parse(readFileSync(file, 'utf8')) as AxeRow[]).filter((r) => r.width === viewport.width);
      const lines = rows
        .sort((x, y) => x.screen.localeCompare(y.screen))
        .map((r) => `  ${r.screen.padEnd(20)} ${String(r.width).padStart(4)} px  serious/critical ${r.serious}  all ${r.violations}${r.details.length ? `\n      ${r.details.join('\n      ')}` : ''}`);
      console.log(`axe-core results (${file}):\n${lines.join('\n')}`);
    }
  });

  describe(`${viewport.width} px`, () => {
    for (const screen of SCREENS.filter((x) => !x.dark || viewport === DESKTOP)) {
      test(screen.name, async () => {
        const s = await Session.open(browser, { viewport, colorScheme: screen.dark ? 'dark' : 'light', name: `${screen.name}@${viewport.width}` });
        try {
          if (!screen.signedOut) await s.asAlice();
          try {
            await screen.open(s.page);
          } catch (e) {
            await s.page.screenshot({ path: resolve(RESULTS_DIR, `failed-${screen.name.replace(/\W+/g, '-')}-${viewport.width}.png`) });
            throw e;
          }
          const row = await axe(s.page, screen.name, screen.modal ? 'dialog[open]' : undefined);
          expect(row.serious, row.details.join('\n')).toBe(0);
          expect(await horizontalOverflow(s.page), 'the page scrolls sideways').toBeLessThanOrEqual(0);
          if (viewport.width === MOBILE.width && ['board', 'list with JQL', 'ticket', 'backlog', 'workflow editor'].includes(screen.name)) {
            await s.screenshot(`${screen.name.replace(/ .*/, '')}-390`);
          }
          if (screen.name === 'workflow editor (dark)') await s.screenshot('workflow-dark');
          if (screen.name === 'delete status dialog' && viewport.width === DESKTOP.width) await s.screenshot('workflow-delete-status');
          await s.assertClean();
        } finally {
          await s.close();
        }
      });
    }
  });
}
