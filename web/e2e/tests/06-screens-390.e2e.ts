// Every main screen at 390 px (a phone): axe-core (0 serious/critical), no sideways
// scroll, no console error or unexpected failed request. The screens are in lib/screens.ts.
import { describe, test } from 'vitest';
import { MOBILE, Session, launch } from '../lib/browser.ts';
import { screensAt } from '../lib/screens.ts';

screensAt(MOBILE);

describe('390 px navigation', () => {
  test('the menu button opens the navigation; a link in it goes to its page', async () => {
    const browser = await launch();
    const s = await Session.open(browser, { viewport: MOBILE, name: 'nav@390' });
    try {
      await s.asAlice();
      await s.page.goto('/acme/projects');
      await s.page.getByRole('list', { name: 'Projects' }).waitFor();
      const toggle = s.page.getByRole('button', { name: 'Open navigation' });
      await toggle.click();
      await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Issues & filters' }).click();
      await s.page.waitForURL(/\/acme\/issues$/);
      await s.page.getByRole('heading', { name: 'Issues' }).waitFor();
      await s.assertClean();
    } finally {
      await s.close();
      await browser.close();
    }
  });
});
