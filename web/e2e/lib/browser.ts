// Chromium through playwright-core (Debian's /usr/bin/chromium, no download), and a
// Session per browser context that records every console error, page error, failed
// request and unexpected 4xx/5xx response: a test ends with `await s.assertClean()`.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterEach, inject } from 'vitest';

export const SCREENSHOTS = resolve(import.meta.dirname, '../../../docs/screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

interface Allowance {
  url: RegExp;
  status: number;
  method?: string;
}

export class Session {
  readonly problems: string[] = [];
  private allowed: Allowance[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly base: string,
  ) {}

  static async open(
    browser: Browser,
    opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; name?: string } = {},
  ): Promise<Session> {
    const base = inject('base');
    const context = await browser.newContext({
      viewport: opts.viewport ?? DESKTOP,
      colorScheme: opts.colorScheme ?? 'light',
      baseURL: base,
      locale: 'en-US',
      timezoneId: 'UTC',
      reducedMotion: 'reduce',
    });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(20_000);
    // The closed network: only our server and the fakes answer. Stripe's hosted pages
    // are stood in for, so a redirect to them is observable without leaving the machine.
    await context.route(/^https:\/\/(checkout|billing)\.stripe\.com\//, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><html lang="en"><title>Stripe (fake)</title><h1>Stripe hosted page</h1></html>',
      }),
    );
    const page = await context.newPage();
    const s = new Session(context, page, base);
    const label = opts.name ? `[${opts.name}] ` : '';
    context.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      // Chromium logs every 4xx/5xx as "Failed to load resource"; the response
      // listener judges those (it knows the URL and what the test expects).
      if (/^Failed to load resource: the server responded with a status of \d+/.test(text)) return;
      s.problems.push(`${label}console error: ${text} (${msg.location().url})`);
    });
    context.on('weberror', (err) => s.problems.push(`${label}page error: ${err.error().message}`));
    context.on('requestfailed', (req) => {
      const failure = req.failure()?.errorText ?? '';
      // A fetch cancelled by the app (navigation, a superseded query) is not a failure.
      if (failure === 'net::ERR_ABORTED') return;
      s.problems.push(`${label}request failed: ${req.method()} ${req.url()} ${failure}`);
    });
    context.on('response', (res) => s.onResponse(res, label));
    return s;
  }

  private onResponse(res: Response, label: string): void {
    const status = res.status();
    if (status < 400) return;
    const req = res.request();
    const url = res.url();
    const ok = this.allowed.some(
      (a) => a.status === status && a.url.test(url) && (!a.method || a.method === req.method()),
    );
    if (!ok) this.problems.push(`${label}unexpected ${status}: ${req.method()} ${url}`);
  }

  /** The test expects this response (e.g. the 403 of a forced write). */
  allow(url: RegExp, status: number, method?: string): void {
    this.allowed.push({ url, status, method });
  }

  /** What a signed-out browser sees on its way to the sign-in screen. */
  allowSignedOut(): void {
    this.allow(/\/auth\/me$/, 401);
    this.allow(/\/auth\/refresh$/, 401);
    this.allow(/\/auth\/refresh$/, 403);
  }

  async assertClean(): Promise<void> {
    if (this.problems.length) {
      const seen = this.problems.splice(0);
      throw new Error(`the browser saw problems:\n  ${seen.join('\n  ')}`);
    }
  }

  /** After a failed test: its leftover problems belong to it, not to the next test. */
  forgetProblems(): void {
    this.problems.length = 0;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** Adds alice's session (the demo owner of acme, from the one-time link). */
  async asAlice(): Promise<void> {
    const url = new URL(this.base);
    await this.context.addCookies(
      inject('aliceCookies').map((c) => ({
        name: c.name,
        value: c.value,
        domain: url.hostname,
        path: '/',
        httpOnly: c.name !== 'trellis_csrf',
        sameSite: 'Lax' as const,
        secure: false,
      })),
    );
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
  }
}

/** Signs in through the fake GitHub as `login` (the first time also signs up). */
export async function signInWithGitHub(s: Session, login: string, path = '/'): Promise<void> {
  const { page } = s;
  s.allowSignedOut();
  await page.goto(path);
  await page.getByRole('link', { name: /sign in with github/i }).or(page.getByRole('button', { name: /sign in with github/i })).first().click();
  await page.getByLabel('Username or email address').fill(login);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL((u) => u.origin === s.base && !u.pathname.startsWith('/auth/'));
}

const used = new Map<string, number>();
/**
 * A GitHub login unique in this run. Each run has a fresh database and every test file
 * uses its own prefixes, so the names (and the screenshots showing them) are stable.
 */
export function uniqueLogin(prefix: string): string {
  const n = (used.get(prefix) ?? 0) + 1;
  used.set(prefix, n);
  return n === 1 ? prefix : `${prefix}-${n}`;
}

/**
 * For files whose tests share sessions: when a test fails, the problems its browser
 * recorded are dropped, so the next test is judged on its own. (A passing test's late
 * problems stay and fail the next one.)
 */
export function forgetProblemsAfterFailure(sessions: () => Array<Session | undefined>): void {
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') for (const s of sessions()) s?.forgetProblems();
  });
}
