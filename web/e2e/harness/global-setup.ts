// Starts the fakes and the server once for the whole run; tests reach them over HTTP.
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { axeFile } from '../lib/axe.ts';
import { startFakeGitHub } from './fake-github.ts';
import { startFakeStripe } from './fake-stripe.ts';
import { startServer } from './server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    base: string;
    githubBase: string;
    stripeBase: string;
    ownerDbUrl: string;
    aliceToken: string;
    /** Session cookies of alice (acme's owner) from the one-time link, without the refresh cookie. */
    aliceCookies: Array<{ name: string; value: string }>;
    /** The environment the server runs with, for the `trellis` CLI (token create). */
    cliEnv: Record<string, string>;
  }
}

/** Fails at once, and says why, when the server has no web app to serve. */
async function preflight(base: string): Promise<void> {
  const res = await fetch(`${base}/acme/projects/WEB/board`);
  const html = await res.text();
  if (res.status !== 200 || !/<script[^>]+src="\/assets\/[^"]+\.js"/.test(html)) {
    throw new Error(
      `the server at ${base} serves no web app (GET a deep link answered ${res.status}: ${html.replace(/\s+/g, ' ').slice(0, 160)}). ` +
        'Build the binary with the app (cargo build with npm available, not TRELLIS_SKIP_WEB_BUILD), or set TRELLIS_WEB_DIR to a built web/dist.',
    );
  }
}

async function redeem(link: string): Promise<Array<{ name: string; value: string }>> {
  const res = await fetch(link, { redirect: 'manual' });
  if (res.status >= 400) throw new Error(`local login link answered ${res.status}: ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => {
      const [pair] = c.split(';');
      const i = (pair ?? '').indexOf('=');
      return { name: (pair ?? '').slice(0, i).trim(), value: (pair ?? '').slice(i + 1).trim() };
    })
    .filter((c) => c.value !== '' && c.name !== 'trellis_refresh');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  for (const w of [1280, 390]) rmSync(axeFile(w), { force: true });
  const github = await startFakeGitHub();
  const stripe = await startFakeStripe();
  let server;
  try {
    const seed = /^(\d+)x(\d+)$/.exec(process.env.E2E_SEED ?? '');
    server = await startServer({
      githubBase: github.base,
      stripeBase: stripe.base,
      seed: seed ? { orgs: Number(seed[1]), tickets: Number(seed[2]) } : undefined,
    });
  } catch (e) {
    await github.close();
    await stripe.close();
    throw e;
  }
  const stopAll = async () => {
    await server.stop();
    await github.close();
    await stripe.close();
  };
  try {
    await preflight(server.base);
    const cookies = await redeem(server.loginLink);
    if (!cookies.some((c) => c.name === 'trellis_session')) throw new Error('the local login link set no session cookie');
    project.provide('base', server.base);
    project.provide('githubBase', github.base);
    project.provide('stripeBase', stripe.base);
    project.provide('ownerDbUrl', server.ownerUrl);
    project.provide('aliceToken', server.aliceToken);
    project.provide('aliceCookies', cookies);
    project.provide(
      'cliEnv',
      Object.fromEntries(
        ['TRELLIS_ENV', 'DATABASE_URL', 'DATABASE_OWNER_URL', 'REDIS_URL', 'TRELLIS_SECRET_KEY', 'TRELLIS_DATA_DIR'].map((k) => [k, server.env[k] ?? '']),
      ),
    );
  } catch (e) {
    await stopAll();
    throw e;
  }
  console.log(`[e2e] server ${server.base} on ${server.dbName} ready in ${Date.now() - started} ms`);
  const onSignal = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return async () => {
    if (process.env.E2E_SERVER_LOG) console.log(server.log());
    await stopAll();
  };
}
