// The API as the browser's user: requests through the context's own cookie jar, with
// the CSRF header and Origin the server requires of a session's writes; or with a
// bearer token.
import type { BrowserContext } from 'playwright-core';
import { inject } from 'vitest';

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

async function csrf(context: BrowserContext): Promise<string> {
  const cookies = await context.cookies(inject('base'));
  return cookies.find((c) => c.name === 'trellis_csrf')?.value ?? '';
}

export async function api<T = Record<string, unknown>>(
  context: BrowserContext,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  const base = inject('base');
  const unsafe = !['GET', 'HEAD'].includes(method);
  const res = await context.request.fetch(`${base}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(unsafe ? { 'x-csrf-token': await csrf(context), origin: base } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    data: body === undefined ? undefined : JSON.stringify(body),
    failOnStatusCode: false,
  });
  const text = await res.text();
  let parsed: unknown = {};
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { text };
    }
  }
  return { status: res.status(), body: parsed as T, headers: res.headers() };
}

export async function tokenApi<T = Record<string, unknown>>(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  const res = await fetch(`${inject('base')}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : {}) as T,
    headers: Object.fromEntries(res.headers.entries()),
  };
}

export interface Ticket {
  key: string;
  title: string;
  status: { name: string; category: string };
  version: number;
  labels: string[];
  priority: string;
  type: string;
}
