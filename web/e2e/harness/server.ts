// The real Trellis server on a fresh database: create `trellis_e2e_<random>` with the
// superuser URL, `trellis migrate` as its owner, let `trellis_app` log in, then
// `trellis serve` (local mode: it seeds the demo org `acme` and prints a one-time
// sign-in link and an API token for alice) pointed at the fake GitHub and Stripe.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { CLIENT_ID, CLIENT_SECRET } from './fake-github.ts';
import { PRICE_BUSINESS, PRICE_TEAM, STRIPE_SECRET_KEY, WEBHOOK_SECRET } from './fake-stripe.ts';

export interface Server {
  base: string;
  dbName: string;
  ownerUrl: string;
  appUrl: string;
  /** The one-time local login link for alice (acme's owner), from stdout. */
  loginLink: string;
  /** alice's API token in acme, from stdout. */
  aliceToken: string;
  log: () => string;
  stop(): Promise<void>;
  env: NodeJS.ProcessEnv;
}

export function trellisBin(): string {
  return resolve(process.env.TRELLIS_BIN ?? resolve(import.meta.dirname, '../../../target/debug/trellis'));
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
  });
}

function withDb(url: string, db: string, user?: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  if (user) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

/** psql from PATH, else the newest PostgreSQL's own (what local mode starts servers from). */
function psqlBin(): string {
  if (spawnSync('psql', ['--version']).status === 0) return 'psql';
  const dirs = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  const found = dirs.map((d) => `/usr/lib/postgresql/${d}/bin/psql`).find((p) => existsSync(p));
  if (!found) throw new Error('psql not found (install postgresql-client)');
  return found;
}

export function psql(url: string, sql: string): string {
  const r = spawnSync(psqlBin(), ['-v', 'ON_ERROR_STOP=1', '-qAtX', '-d', url, '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed (${sql}): ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}

export async function startServer(opts: {
  githubBase: string;
  stripeBase: string;
  /** Bulk-load benchmark orgs `load-1..N` (`trellis seed --orgs --tickets`) before serving. */
  seed?: { orgs: number; tickets: number };
}): Promise<Server> {
  const bin = trellisBin();
  if (!existsSync(bin)) throw new Error(`TRELLIS_BIN ${bin} does not exist (build it with cargo build)`);
  const superUrl = process.env.TRELLIS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.TRELLIS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dbName = `trellis_e2e_${randomBytes(6).toString('hex')}`;
  psql(superUrl, `CREATE DATABASE ${dbName}`);
  const ownerUrl = withDb(superUrl, dbName);
  const appUrl = withDb(superUrl, dbName, 'trellis_app');
  const dataDir = mkdtempSync(resolve(tmpdir(), 'trellis-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    try {
      psql(superUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    } catch (e) {
      console.error(String(e));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TRELLIS_ENV: 'local',
      DATABASE_URL: appUrl,
      DATABASE_OWNER_URL: ownerUrl,
      REDIS_URL: redisUrl,
      TRELLIS_SECRET_KEY: randomBytes(32).toString('hex'),
      TRELLIS_DATA_DIR: dataDir,
      TRELLIS_LISTEN: `127.0.0.1:${port}`,
      TRELLIS_PUBLIC_URL: base,
      TRELLIS_WEB_URL: base,
      TRELLIS_RATE_LIMIT_AUTH_PER_MINUTE: '10000',
      TRELLIS_RATE_LIMIT_TOKENS_PER_HOUR: '10000',
      TRELLIS_RATE_LIMIT_API_PER_MINUTE: '100000',
      GITHUB_CLIENT_ID: CLIENT_ID,
      GITHUB_CLIENT_SECRET: CLIENT_SECRET,
      GITHUB_AUTHORIZE_URL: `${opts.githubBase}/login/oauth/authorize`,
      GITHUB_TOKEN_URL: `${opts.githubBase}/login/oauth/access_token`,
      GITHUB_API_URL: opts.githubBase,
      STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET,
      STRIPE_API_BASE: `${opts.stripeBase}/`,
      STRIPE_PRICE_TEAM: PRICE_TEAM,
      STRIPE_PRICE_BUSINESS: PRICE_BUSINESS,
      TRELLIS_BILLING_GRACE: '7d',
      // Small, so a file over the per-file limit is quick to make (12-attachments).
      TRELLIS_ATTACHMENT_MAX_BYTES: String(2 * 1024 * 1024),
      TRELLIS_LOG: process.env.TRELLIS_LOG ?? 'warn',
    };
    const migrate = spawnSync(bin, ['migrate'], { env, encoding: 'utf8' });
    if (migrate.status !== 0) throw new Error(`trellis migrate failed:\n${migrate.stdout}\n${migrate.stderr}`);
    psql(ownerUrl, 'ALTER ROLE trellis_app LOGIN');
    if (opts.seed) {
      const seed = spawnSync(bin, ['seed', '--orgs', String(opts.seed.orgs), '--tickets', String(opts.seed.tickets)], { env, encoding: 'utf8' });
      if (seed.status !== 0) throw new Error(`trellis seed failed:\n${seed.stdout}\n${seed.stderr}`);
      output += seed.stderr;
    }
    child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 90_000;
    let ready = false;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`trellis serve exited (${child.exitCode}):\n${output}`);
      try {
        const r = await fetch(`${base}/readyz`);
        if (r.ok && /one-time link[\s\S]*API token:\s+trl_\S+/.test(output)) {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!ready) throw new Error(`trellis serve did not become ready:\n${output}`);
    const link = /(https?:\/\/\S+\/auth\/local-login\?token=\S+)/.exec(output)?.[1];
    const token = /API token:\s+(trl_\S+)/.exec(output)?.[1];
    if (!link || !token) throw new Error(`no login link or token in the output:\n${output}`);
    return { base, dbName, ownerUrl, appUrl, loginLink: link, aliceToken: token, log: () => output, stop, env };
  } catch (e) {
    await stop();
    throw e;
  }
}
