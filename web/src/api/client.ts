// A thin typed fetch for the Trellis API: session cookies, the CSRF header on every
// unsafe method, one silent refresh on 401, ETag/If-Match, and RFC 9457 problems.

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id?: string;
  field?: string | null;
  // Members some kinds add (docs/API.md "Errors").
  column?: number;
  expected?: string[] | string;
  allowed?: string[];
  current_version?: number;
  upgrade?: string;
  portal?: string;
  limit_kind?: string;
  plan?: string;
  limit?: number;
  usage?: number;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds from `Retry-After` on a 429 (or 503). */
  readonly retryAfter: number | null;
  readonly requestId: string | null;

  constructor(status: number, problem: Problem, retryAfter: number | null, requestId: string | null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
    this.requestId = problem.request_id ?? requestId;
  }

  /** The problem kind after `urn:trellis:problem:` (`stale-version`, `jql`, ...). */
  get kind(): string {
    return this.problem.type.replace(/^urn:trellis:problem:/, "");
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Base URL of the API; empty when the app and the API share an origin (the usual case). */
export const API_BASE: string = (import.meta.env?.VITE_API_URL as string | undefined) ?? "";

export function readCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type Query = Record<string, string | number | boolean | null | undefined | string[]>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  /** Sent as `If-Match`: a version number (quoted for you) or a raw ETag. */
  ifMatch?: string | number | null;
  signal?: AbortSignal;
  /**
   * Sent as `Idempotency-Key` (creating POSTs): a retry with the same key and body gets
   * the first response again instead of writing twice (docs/API.md "Idempotency-Key").
   */
  idempotencyKey?: string;
  /** Do not try `/auth/refresh` on a 401 (used by the refresh call itself and /auth/me probing). */
  noRefresh?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  etag: string | null;
  status: number;
  headers: Headers;
}

type Listener = () => void;
let onUnauthenticated: Listener = () => {};
/** The app decides what "signed out" means (navigate to /signin). */
export function setUnauthenticatedHandler(fn: Listener): void {
  onUnauthenticated = fn;
}

let refreshing: Promise<boolean> | null = null;

/** POST /auth/refresh once for however many requests hit a 401 at the same moment. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch(`${API_BASE}/auth/refresh`, {
          method: "POST",
          credentials: "include",
          headers: csrfHeaders(),
        });
        return res.ok;
      } catch {
        return false;
      }
    })().finally(() => {
      // Requests that hit the 401 while this was in flight share it; the next expiry refreshes anew.
      refreshing = null;
    });
  }
  return refreshing;
}

function csrfHeaders(): Record<string, string> {
  const token = readCookie("trellis_csrf");
  return token ? { "X-CSRF-Token": token } : {};
}

export function buildUrl(path: string, query?: Query): string {
  let url = `${API_BASE}${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === "") continue;
      params.set(k, Array.isArray(v) ? v.join(",") : String(v));
    }
    const s = params.toString();
    if (s) url += `?${s}`;
  }
  return url;
}

export function etagOf(version: number | string): string {
  const s = String(version);
  return s.startsWith('"') || s.startsWith("W/") || s === "*" ? s : `"${s}"`;
}

/** The version number in a strong ETag such as `"3"`. */
export function versionOfEtag(etag: string | null): number | null {
  if (!etag) return null;
  const m = /^"(\d+)"$/.exec(etag.trim());
  return m ? Number(m[1]) : null;
}

async function parseProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => "");
  try {
    const json = JSON.parse(text) as Partial<Problem>;
    if (json && typeof json === "object" && typeof json.type === "string") {
      return { title: res.statusText, detail: "", status: res.status, ...json } as Problem;
    }
  } catch {
    /* not JSON: fall through */
  }
  return {
    type: `urn:trellis:problem:http-${res.status}`,
    title: res.statusText || `HTTP ${res.status}`,
    status: res.status,
    detail: text.slice(0, 300) || `The server answered ${res.status}.`,
    request_id: res.headers.get("X-Request-Id") ?? undefined,
  };
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const m = method.toUpperCase();
  const send = () => {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (UNSAFE.has(m)) Object.assign(headers, csrfHeaders());
    if (opts.ifMatch !== undefined && opts.ifMatch !== null) headers["If-Match"] = etagOf(opts.ifMatch);
    if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
    return fetch(buildUrl(path, opts.query), {
      method: m,
      headers,
      credentials: "include",
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
    });
  };

  let res = await send();
  if (res.status === 401 && !opts.noRefresh) {
    if (await refreshSession()) res = await send();
    if (res.status === 401) onUnauthenticated();
  }
  if (!res.ok) {
    const problem = await parseProblem(res);
    const ra = res.headers.get("Retry-After");
    const retryAfter = ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra) : null;
    throw new ApiError(res.status, problem, retryAfter, res.headers.get("X-Request-Id"));
  }
  let data: unknown = undefined;
  if (res.status !== 204) {
    const text = await res.text();
    data = text ? JSON.parse(text) : undefined;
  }
  return { data: data as T, etag: res.headers.get("ETag"), status: res.status, headers: res.headers };
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, opts).then((r) => r.data),
  getWithEtag: <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("POST", path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PUT", path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PATCH", path, { ...opts, body }),
  del: <T = void>(path: string, opts?: RequestOptions) => request<T>("DELETE", path, opts),
};

/**
 * A fresh `Idempotency-Key`: a random UUID (crypto.randomUUID needs a secure context, so
 * plain-HTTP deployments get one built from getRandomValues).
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A sentence for a person, for any error. */
export function describeError(e: unknown): string {
  if (isApiError(e)) {
    if (e.status === 429) {
      return `Too many requests. Try again ${e.retryAfter !== null ? `in ${e.retryAfter} s` : "shortly"}.`;
    }
    if (e.status >= 500) {
      return `The server had a problem (${e.problem.title}).${e.requestId ? ` Request id ${e.requestId}.` : ""}`;
    }
    if (e.kind === "transition-not-allowed" && e.problem.allowed) {
      return `${e.problem.detail || "This move is not allowed."} Allowed: ${e.problem.allowed.join(", ") || "none"}.`;
    }
    return e.problem.detail || e.problem.title;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
