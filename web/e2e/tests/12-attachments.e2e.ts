// Attachments on the ticket page against the real server in local mode (its own signed
// upload and download URLs): attach with the button and by dropping files, per-file
// progress and cancel, the list (size, uploader, a thumbnail only for raster images),
// download as an attachment, delete (the URL is dead afterwards), the history, a file
// over the per-file limit (the harness sets 2 MiB), and a viewer without controls.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, MOBILE, Session, forgetProblemsAfterFailure, launch, signInWithGitHub, uniqueLogin } from '../lib/browser.ts';
import { api } from '../lib/api.ts';
import { axe, horizontalOverflow } from '../lib/axe.ts';
import { EVIL_HTML, EVIL_SVG, bytes, gradientPng } from '../lib/files.ts';
import { createProject, createTicket, invite, newOwner, type Owner } from '../lib/flows.ts';

let browser: Browser;
let o: Owner;
let viewer: Session | undefined;
const viewerLogin = uniqueLogin('vera');

interface Attachment {
  id: string;
  file_name: string;
  size: number;
  content_type: string;
  state: string;
}

forgetProblemsAfterFailure(() => [o?.s, viewer]);
beforeAll(async () => {
  browser = await launch();
  o = await newOwner(browser, 'anna');
  await createProject(o.s.context, o.slug, 'ATT', 'Attachments');
  await createTicket(o.s.context, o.slug, 'ATT', { title: 'Login page mockups' }); // ATT-1
  await createTicket(o.s.context, o.slug, 'ATT', { title: 'Scratch ticket' }); // ATT-2
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

async function listed(key: string): Promise<Attachment[]> {
  const r = await api<{ items: Attachment[] }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/tickets/${key}/attachments`);
  expect(r.status).toBe(200);
  return r.body.items;
}

async function attach(page: Page, files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('region', { name: 'Attachments' }).getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(files);
}

const row = (page: Page, name: string) => page.getByRole('list', { name: 'Attached files' }).getByRole('listitem').filter({ hasText: name });

describe('attaching', () => {
  test('the button attaches several files: listed with size, uploader and date; only the PNG gets a thumbnail', async () => {
    const { page } = o.s;
    await open(page, 'ATT-1');
    const section = page.getByRole('region', { name: 'Attachments' });
    await section.getByText('No files yet.').waitFor();
    await attach(page, [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Login: big button, no captcha.\n') },
      { name: 'mockup.png', mimeType: 'image/png', buffer: gradientPng() },
      { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: EVIL_SVG },
      { name: 'page.html', mimeType: 'text/html', buffer: EVIL_HTML },
    ]);
    for (const name of ['notes.txt', 'mockup.png', 'logo.svg', 'page.html']) await row(page, name).waitFor();
    await expect.poll(async () => (await listed('ATT-1')).map((a) => `${a.file_name} ${a.state}`).sort())
      .toEqual(['logo.svg confirmed', 'mockup.png confirmed', 'notes.txt confirmed', 'page.html confirmed']);
    // Nothing is left in the uploads list once the files are in.
    await expect.poll(() => section.getByRole('list', { name: 'Uploads' }).count()).toBe(0);

    const notes = await row(page, 'notes.txt').textContent();
    expect(notes).toContain('31 B');
    expect(notes).toContain('Anna');
    expect(notes).toMatch(/now|second|minute/);
    // The PNG shows its pixels; the SVG and the HTML a tile, never their markup.
    const thumb = row(page, 'mockup.png').locator('img');
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(64);
    for (const name of ['logo.svg', 'page.html', 'notes.txt']) {
      expect(await row(page, name).locator('img, svg, iframe, object, embed').count()).toBe(0);
    }
    expect(await row(page, 'logo.svg').textContent()).toContain('SVG');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned ?? false)).toBe(false);
    await o.s.assertClean();
  });

  test('files dropped on the ticket are attached; the veil says where they go', async () => {
    const { page } = o.s;
    await open(page, 'ATT-2');
    const dt = await page.evaluateHandle(() => {
      const d = new DataTransfer();
      d.items.add(new File(['dropped on the ticket\n'], 'dropped.txt', { type: 'text/plain' }));
      return d;
    });
    const grid = page.locator('.ticket-grid');
    await grid.dispatchEvent('dragenter', { dataTransfer: dt });
    await page.getByText('Drop files to attach them to ATT-2').waitFor();
    await grid.dispatchEvent('dragover', { dataTransfer: dt });
    await grid.dispatchEvent('drop', { dataTransfer: dt });
    await page.getByText('Drop files to attach them to ATT-2').waitFor({ state: 'detached' });
    await row(page, 'dropped.txt').waitFor();
    await expect.poll(async () => (await listed('ATT-2')).map((a) => a.file_name)).toEqual(['dropped.txt']);
    await o.s.assertClean();
  });

  test('a slow upload shows its progress and can be cancelled: nothing is attached and its storage is given back', async () => {
    const { page } = o.s;
    await open(page, 'ATT-2');
    // Chromium's own network throttling (no stand-in for the server): about 256 KB/s up.
    const cdp = await o.s.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    try {
      await attach(page, [{ name: 'slow.bin', mimeType: 'application/octet-stream', buffer: bytes(1_900_000) }]);
      const bar = page.getByRole('progressbar', { name: 'Uploading slow.bin' });
      await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
      await page.getByRole('button', { name: 'Cancel the upload of slow.bin' }).click();
      const uploads = page.getByRole('list', { name: 'Uploads' });
      await uploads.getByText('Cancelled').waitFor();
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }
    // The pending upload was cancelled through the API (its audit entry says so), and never listed.
    await expect.poll(async () => {
      const r = await api<{ items: Array<{ action: string }> }>(o.s.context, 'GET', `/api/v1/orgs/${o.slug}/audit-log?action=attachment.cancel`);
      return r.body.items.length;
    }).toBe(1);
    expect((await listed('ATT-2')).map((a) => a.file_name)).toEqual(['dropped.txt']);
    await page.getByRole('button', { name: 'Dismiss slow.bin' }).click();
    await page.getByRole('list', { name: 'Uploads' }).waitFor({ state: 'detached' });
    await o.s.assertClean();
  });

  test('a file over the per-file limit is refused with the limit named; nothing is attached', async () => {
    const { page } = o.s;
    await open(page, 'ATT-2');
    o.s.allow(/\/tickets\/ATT-2\/attachments$/, 422, 'POST');
    await attach(page, [{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: bytes(3 * 1024 * 1024) }]);
    const error = page.getByTestId('upload-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('huge.bin is 3 MB; the largest file allowed is 2 MB.');
    expect(await error.getAttribute('role')).toBe('alert');
    expect((await listed('ATT-2')).map((a) => a.file_name)).toEqual(['dropped.txt']);
    await o.s.screenshot('ticket-attachment-too-large');
    await page.getByRole('button', { name: 'Dismiss huge.bin' }).click();
    await error.waitFor({ state: 'detached' });
    await o.s.assertClean();
  });
});

describe('downloading and deleting', () => {
  test('a download is served as an attachment; markup as octet-stream', async () => {
    const { page } = o.s;
    await open(page, 'ATT-1');
    for (const [name, type] of [['notes.txt', 'text/plain'], ['logo.svg', 'application/octet-stream'], ['page.html', 'application/octet-stream']] as const) {
      const download = page.waitForEvent('download');
      await row(page, name).getByRole('link', { name }).click();
      const d = await download;
      expect(d.suggestedFilename()).toBe(name);
      expect(new URL(d.url()).pathname).toMatch(/^\/api\/v1\/files\//);
      const res = await o.s.context.request.get(d.url());
      expect(res.status()).toBe(200);
      const h = res.headers();
      expect(h['content-disposition']).toMatch(new RegExp(`^attachment; filename="${name.replace('.', '\\.')}"`));
      expect(h['content-type']).toBe(type);
      expect(h['x-content-type-options']).toBe('nosniff');
      if (name === 'notes.txt') expect(await res.text()).toBe('Login: big button, no captcha.\n');
    }
    expect(page.url()).toMatch(/\/tickets\/ATT-1$/);
    await o.s.assertClean();
  });

  test('delete asks first, then the file is gone from the list, the API and its URL; the history says so', async () => {
    const { page } = o.s;
    await open(page, 'ATT-1');
    const download = page.waitForEvent('download');
    await row(page, 'notes.txt').getByRole('link', { name: 'notes.txt' }).click();
    const url = (await download).url();

    await page.getByRole('button', { name: 'Delete notes.txt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete notes.txt?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await listed('ATT-1')).some((a) => a.file_name === 'notes.txt')).toBe(true);

    await page.getByRole('button', { name: 'Delete notes.txt' }).click();
    await dialog.getByRole('button', { name: 'Delete file' }).click();
    await row(page, 'notes.txt').waitFor({ state: 'detached' });
    expect((await listed('ATT-1')).map((a) => a.file_name).sort()).toEqual(['logo.svg', 'mockup.png', 'page.html']);
    expect((await o.s.context.request.get(url)).status()).toBe(404);

    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByTestId('history');
    const deleted = history.getByRole('listitem').filter({ hasText: 'deleted a file' });
    await deleted.waitFor();
    expect(await deleted.locator('.diff-old').textContent()).toBe('notes.txt');
    const attached = history.locator('.history-entry').filter({ hasText: 'attached a file' });
    expect((await attached.allTextContents()).join(' ')).toContain('mockup.png');
    expect(await history.getByText('empty').count()).toBe(0);
    await page.getByRole('tab', { name: 'Comments' }).click();
    await o.s.screenshot('ticket-attachments');
    await o.s.assertClean();
  });
});

describe('screens', () => {
  for (const [label, viewport, dark] of [['1280', DESKTOP, false], ['1280 dark', DESKTOP, true], ['390', MOBILE, false]] as const) {
    test(`the attachments at ${label}: axe finds nothing serious, no sideways scroll`, async () => {
      const s = await Session.open(browser, { viewport, colorScheme: dark ? 'dark' : 'light', name: `attachments@${label}` });
      try {
        await s.context.addCookies(await o.s.context.cookies());
        await s.page.goto(`/${o.slug}/tickets/ATT-1`);
        await row(s.page, 'mockup.png').waitFor();
        await expect.poll(() => row(s.page, 'mockup.png').locator('img').evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(64);
        const result = await axe(s.page, `ticket attachments${dark ? ' (dark)' : ''}`);
        expect(result.serious, result.details.join('\n')).toBe(0);
        expect(await horizontalOverflow(s.page)).toBeLessThanOrEqual(0);
        if (viewport === MOBILE) {
          await s.page.getByRole('region', { name: 'Attachments' }).scrollIntoViewIfNeeded();
          await s.screenshot('ticket-attachments-390');
        } else if (dark) {
          await s.page.getByRole('region', { name: 'Attachments' }).scrollIntoViewIfNeeded();
          await s.screenshot('ticket-attachments-dark');
        }
        await s.assertClean();
      } finally {
        await s.close();
      }
    });
  }
});

describe('a viewer', () => {
  test('downloads but sees no attach or delete control, and a drop does nothing', async () => {
    await invite(o.s.context, o.slug, viewerLogin, 'viewer');
    viewer = await Session.open(browser, { name: 'viewer' });
    const { page } = viewer;
    await signInWithGitHub(viewer, viewerLogin);
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByRole('button', { name: /^Accept invitation to / }).click();
    await page.waitForURL(new RegExp(`/${o.slug}/projects$`));

    await page.goto(`/${o.slug}/tickets/ATT-1`);
    await row(page, 'mockup.png').waitFor();
    const section = page.getByRole('region', { name: 'Attachments' });
    expect(await section.getByRole('button').count()).toBe(0);
    expect(await page.getByTestId('attach-input').count()).toBe(0);
    // Uploaded at once, so their order (by creation) is whichever the server saw first.
    expect((await section.getByRole('link').allTextContents()).sort()).toEqual(['logo.svg', 'mockup.png', 'page.html']);

    const dt = await page.evaluateHandle(() => {
      const d = new DataTransfer();
      d.items.add(new File(['x'], 'sneaky.txt', { type: 'text/plain' }));
      return d;
    });
    await page.locator('.ticket-grid').dispatchEvent('dragenter', { dataTransfer: dt });
    await page.locator('.ticket-grid').dispatchEvent('drop', { dataTransfer: dt });
    expect(await page.getByText(/Drop files/).count()).toBe(0);
    expect(await page.getByRole('list', { name: 'Uploads' }).count()).toBe(0);

    const download = page.waitForEvent('download');
    await row(page, 'mockup.png').getByRole('link', { name: 'mockup.png' }).click();
    expect((await download).suggestedFilename()).toBe('mockup.png');
    expect((await listed('ATT-1')).length).toBe(3);
    await viewer.screenshot('ticket-attachments-viewer');
    await viewer.assertClean();
  });
});
