// A fake GitHub over HTTP, behaving like github.com where Trellis depends on it
// (see backend/src/test_support/github.rs): the authorize page asks who signs in
// (a login field and an "Authorize" button, so each browser context chooses its
// user), then redirects to the callback with a single-use code bound to the PKCE
// challenge and the same `state`; the token endpoint answers a bad code with
// `200 {"error":"bad_verification_code"}`; `/user` has `email: null` and the address
// comes from `/user/emails`; a bad token gets 401.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CLIENT_ID = 'Iv1.fakee2eclient';
export const CLIENT_SECRET = 'fake-e2e-client-secret';
const CODE_TTL_MS = 600_000;

interface Account {
  id: number;
  login: string;
  name: string;
  emails: Array<{ email: string; verified: boolean }>;
}

interface Code {
  login: string;
  challenge: string;
  redirectUri: string;
  issued: number;
  used: boolean;
}

export interface FakeGitHub {
  base: string;
  close(): Promise<void>;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function nameOf(login: string): string {
  return login
    .split(/[-_]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const accounts = new Map<string, Account>();
  const codes = new Map<string, Code>();
  const tokens = new Map<string, string>();
  let nextId = 7_000_000 + Math.floor(Math.random() * 1_000_000);

  const account = (login: string): Account => {
    let a = accounts.get(login);
    if (!a) {
      a = {
        id: nextId++,
        login,
        name: nameOf(login),
        emails: [{ email: `${login}@example.test`, verified: true }],
      };
      accounts.set(login, a);
    }
    return a;
  };

  const bearer = (req: IncomingMessage): Account | undefined => {
    const h = req.headers.authorization ?? '';
    const m = /^(?:Bearer|token) (.+)$/.exec(h);
    const login = m ? tokens.get(m[1]) : undefined;
    return login ? accounts.get(login) : undefined;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake-github');
      const path = url.pathname.replace(/^\/api(?=\/user)/, '');
      const q = url.searchParams;
      if (req.method === 'GET' && path === '/login/oauth/authorize') {
        if (q.get('client_id') !== CLIENT_ID || q.get('code_challenge_method') !== 'S256') {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end('bad authorize request');
          return;
        }
        const hidden = ['redirect_uri', 'state', 'code_challenge', 'scope']
          .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q.get(k) ?? '')}">`)
          .join('');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Authorize application</title></head><body><main>
<h1>Sign in to GitHub to continue to Trellis</h1>
<form method="post" action="/login/oauth/authorize/consent">${hidden}
<label for="login">Username or email address</label>
<input id="login" name="login" autocomplete="username" required>
<button type="submit" name="decision" value="allow">Authorize</button>
<button type="submit" name="decision" value="deny" formnovalidate>Cancel</button>
</form></main></body></html>`);
        return;
      }
      if (req.method === 'POST' && path === '/login/oauth/authorize/consent') {
        const form = new URLSearchParams(await readBody(req));
        const redirectUri = form.get('redirect_uri') ?? '';
        const state = form.get('state') ?? '';
        const target = new URL(redirectUri);
        if (form.get('decision') === 'deny') {
          target.searchParams.set('error', 'access_denied');
          target.searchParams.set('error_description', 'The user has denied your application access.');
        } else {
          const login = (form.get('login') ?? '').trim();
          account(login);
          const code = `code_${randomBytes(12).toString('hex')}`;
          codes.set(code, {
            login,
            challenge: form.get('code_challenge') ?? '',
            redirectUri,
            issued: Date.now(),
            used: false,
          });
          target.searchParams.set('code', code);
        }
        target.searchParams.set('state', state);
        res.writeHead(302, { location: target.toString() });
        res.end();
        return;
      }
      if (req.method === 'POST' && path === '/login/oauth/access_token') {
        const form = new URLSearchParams(await readBody(req));
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        const creds = basic ? decodeURIComponent(Buffer.from(basic[1], 'base64').toString('utf8')) : '';
        const authenticated =
          creds === `${CLIENT_ID}:${CLIENT_SECRET}` ||
          (form.get('client_id') === CLIENT_ID && form.get('client_secret') === CLIENT_SECRET);
        if (!authenticated) return json(res, 200, { error: 'incorrect_client_credentials' });
        const bad = () =>
          json(res, 200, {
            error: 'bad_verification_code',
            error_description: 'The code passed is incorrect or expired.',
          });
        const entry = codes.get(form.get('code') ?? '');
        if (!entry || entry.used || Date.now() - entry.issued > CODE_TTL_MS) return bad();
        entry.used = true;
        const challenge = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (challenge !== entry.challenge || form.get('redirect_uri') !== entry.redirectUri) return bad();
        const token = `gho_${randomBytes(18).toString('hex')}`;
        tokens.set(token, entry.login);
        return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      }
      if (req.method === 'GET' && (path === '/user' || path === '/user/emails')) {
        const a = bearer(req);
        if (!a) return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
        if (path === '/user') {
          return json(res, 200, { id: a.id, login: a.login, name: a.name, email: null, type: 'User', site_admin: false });
        }
        return json(
          res,
          200,
          a.emails.map((e, i) => ({ email: e.email, primary: i === 0, verified: e.verified, visibility: i === 0 ? 'private' : 'public' })),
        );
      }
      json(res, 404, { message: 'Not Found' });
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
