import { vi } from "vitest";

export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Responder = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const ct = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": ct, ...headers } });
}

export function problem(status: number, kind: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return json(status, { type: `urn:trellis:problem:${kind}`, title: kind, status, detail: `${kind} happened`, request_id: "req-123", ...extra }, headers);
}

/** Replaces global fetch with a queue of responders; records every call. */
export function mockFetch(...responders: Responder[]) {
  const calls: Call[] = [];
  const queue = [...responders];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k.toLowerCase()] = v));
    const call: Call = {
      url: String(input),
      method: (init?.method ?? "GET").toUpperCase(),
      headers,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const next = queue.length > 1 ? queue.shift()! : queue[0];
    if (!next) throw new Error(`unexpected fetch ${call.method} ${call.url}`);
    return next(call);
  });
  vi.stubGlobal("fetch", fn);
  return { calls, fn };
}

export function setCookie(value: string) {
  document.cookie = value;
}
