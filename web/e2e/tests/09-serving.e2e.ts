// How the binary serves the app: deep links answer index.html (no-cache) under a strict
// CSP, assets are content-hashed, immutable and precompressed, API and asset misses are
// problems rather than the SPA; and the app runs under that CSP without a violation.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { Session, launch } from '../lib/browser.ts';

function fetchRaw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(`${inject('base')}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', fail);
    req.end();
  });
}

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('serving the app', () => {
  test('deep links answer index.html, no-cache, with a CSP that allows no inline script and no eval', async () => {
    for (const path of ['/', '/acme/projects/WEB/board', '/acme/tickets/WEB-12', '/signin']) {
      const r = await fetchRaw(path);
      expect(r.status, path).toBe(200);
      expect(String(r.headers['content-type']), path).toMatch(/^text\/html/);
      expect(String(r.headers['cache-control']), path).toMatch(/no-cache|no-store/);
      const csp = String(r.headers['content-security-policy'] ?? '');
      const script = /script-src ([^;]*)/.exec(csp)?.[1] ?? /default-src ([^;]*)/.exec(csp)?.[1] ?? '';
      expect(script, `${path}: ${csp}`).toContain("'self'");
      expect(script, csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(r.body, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    }
  });

  test('assets are content-hashed, immutable and precompressed; misses are 404 problems', async () => {
    const index = await fetchRaw('/');
    const assets = [...index.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset).toMatch(/-[A-Za-z0-9_-]{8,}\.(js|css)$/);
      for (const encoding of ['br', 'gzip']) {
        const r = await fetchRaw(asset, { 'accept-encoding': encoding });
        expect(r.status, asset).toBe(200);
        expect(String(r.headers['cache-control']), asset).toMatch(/immutable/);
        expect(r.headers['content-encoding'], `${asset} ${encoding}`).toBe(encoding);
      }
    }
    for (const path of ['/assets/index-doesnotexist.js', '/api/v1/no-such-route']) {
      const r = await fetchRaw(path);
      expect(r.status, path).toBe(404);
      expect(String(r.headers['content-type']), path).toMatch(/application\/problem\+json/);
    }
  });

  test('the app runs under that CSP: no violation is reported', async () => {
    const s = await Session.open(browser, { name: 'csp' });
    try {
      await s.asAlice();
      await s.page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          (window as unknown as { __csp: string[] }).__csp ??= [];
          (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      for (const path of ['/acme/projects/WEB/board', '/acme/tickets/WEB-12', '/acme/issues?jql=project%20%3D%20WEB']) {
        await s.page.goto(path);
        await s.page.getByRole('main').getByRole('heading').first().waitFor();
        await s.page.waitForTimeout(300);
        expect(await s.page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []), path).toEqual([]);
      }
      await s.assertClean();
    } finally {
      await s.close();
    }
  });
});
