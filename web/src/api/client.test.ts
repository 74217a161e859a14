import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, api, buildUrl, describeError, etagOf, newIdempotencyKey, setUnauthenticatedHandler, versionOfEtag } from "./client";
import { json, mockFetch, problem } from "../test/fetchMock";

beforeEach(() => {
  document.cookie = "trellis_csrf=csrf-abc; path=/";
});
afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthenticatedHandler(() => {});
});

describe("CSRF header", () => {
  it("is sent on every unsafe method with the cookie's value", async () => {
    const { calls } = mockFetch(() => json(200, { ok: true }));
    await api.post("/api/v1/x", { a: 1 });
    await api.put("/api/v1/x", { a: 1 });
    await api.patch("/api/v1/x", { a: 1 });
    await api.del("/api/v1/x");
    expect(calls.map((c) => c.headers["x-csrf-token"])).toEqual(["csrf-abc", "csrf-abc", "csrf-abc", "csrf-abc"]);
    expect(calls[0]!.headers["content-type"]).toBe("application/json");
  });

  it("is not sent on GET", async () => {
    const { calls } = mockFetch(() => json(200, { ok: true }));
    await api.get("/api/v1/x");
    expect(calls[0]!.headers["x-csrf-token"]).toBeUndefined();
  });
});

describe("401 handling", () => {
  it("refreshes the session once, with the CSRF header, and retries", async () => {
    const { calls } = mockFetch(
      () => problem(401, "unauthenticated"),
      () => new Response(null, { status: 204 }),
      () => json(200, { hello: "again" }),
    );
    const out = await api.get<{ hello: string }>("/api/v1/orgs/acme");
    expect(out).toEqual({ hello: "again" });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "GET /api/v1/orgs/acme",
      "POST /auth/refresh",
      "GET /api/v1/orgs/acme",
    ]);
    expect(calls[1]!.headers["x-csrf-token"]).toBe("csrf-abc");
  });

  it("shares one refresh between concurrent 401s", async () => {
    let refreshes = 0;
    const seen: string[] = [];
    mockFetch((c) => {
      seen.push(`${c.method} ${c.url}`);
      if (c.url === "/auth/refresh") {
        refreshes++;
        return new Response(null, { status: 204 });
      }
      return refreshes === 0 ? problem(401, "unauthenticated") : json(200, { url: c.url });
    });
    const [a, b] = await Promise.all([api.get("/a"), api.get("/b")]);
    expect(seen.slice(0, 2)).toEqual(["GET /a", "GET /b"]);
    expect(a).toEqual({ url: "/a" });
    expect(b).toEqual({ url: "/b" });
    expect(refreshes).toBe(1);
  });

  it("goes to sign-in when the refresh fails", async () => {
    const onOut = vi.fn();
    setUnauthenticatedHandler(onOut);
    const { calls } = mockFetch(
      () => problem(401, "unauthenticated"),
      () => problem(401, "unauthenticated"),
    );
    await expect(api.get("/api/v1/orgs/acme")).rejects.toBeInstanceOf(ApiError);
    expect(onOut).toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(2);
  });
});

describe("If-Match and ETag", () => {
  it("quotes a bare version and passes a tag through", async () => {
    const { calls } = mockFetch(() => json(200, { version: 4 }, { ETag: '"4"' }));
    const r = await api.patch("/t", { title: "x" }, { ifMatch: 3 });
    await api.patch("/t", { title: "x" }, { ifMatch: '"7"' });
    expect(calls[0]!.headers["if-match"]).toBe('"3"');
    expect(calls[1]!.headers["if-match"]).toBe('"7"');
    expect(r.etag).toBe('"4"');
    expect(versionOfEtag(r.etag)).toBe(4);
  });

  it("sends no If-Match when none is given", async () => {
    const { calls } = mockFetch(() => json(200, {}));
    await api.patch("/t", {});
    expect(calls[0]!.headers["if-match"]).toBeUndefined();
  });

  it("etagOf leaves weak tags and * alone", () => {
    expect(etagOf("*")).toBe("*");
    expect(etagOf('W/"2"')).toBe('W/"2"');
    expect(etagOf(5)).toBe('"5"');
  });
});

describe("Idempotency-Key", () => {
  it("is sent when asked for, and the same on the retry after a refresh", async () => {
    const { calls } = mockFetch(
      () => problem(401, "unauthenticated"),
      () => new Response(null, { status: 204 }),
      () => json(201, { id: "w1" }),
    );
    await api.post("/api/v1/orgs/acme/tickets/WEB-1/worklogs", { minutes: 30 }, { idempotencyKey: "key-1" });
    expect(calls.map((c) => c.headers["idempotency-key"])).toEqual(["key-1", undefined, "key-1"]);
  });

  it("is not sent otherwise", async () => {
    const { calls } = mockFetch(() => json(201, { id: "c1" }));
    await api.post("/api/v1/x", { a: 1 });
    expect(calls[0]!.headers["idempotency-key"]).toBeUndefined();
  });

  it("new keys are distinct UUIDs", () => {
    const a = newIdempotencyKey();
    const b = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});

describe("problems", () => {
  it("parses a problem document with its extra members", async () => {
    mockFetch(() => problem(412, "stale-version", { field: "If-Match", current_version: 9 }));
    const e = await api.patch("/t", {}, { ifMatch: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect(err.status).toBe(412);
    expect(err.kind).toBe("stale-version");
    expect(err.problem.current_version).toBe(9);
    expect(err.requestId).toBe("req-123");
  });

  it("reads Retry-After on a 429", async () => {
    mockFetch(() => problem(429, "rate-limited", {}, { "Retry-After": "17" }));
    const e = (await api.get("/x").catch((x: unknown) => x)) as ApiError;
    expect(e.retryAfter).toBe(17);
    expect(describeError(e)).toContain("17 s");
  });

  it("turns a non-JSON error into a problem with the request id header", async () => {
    mockFetch(() => new Response("<html>bad gateway</html>", { status: 502, headers: { "X-Request-Id": "rid-9" } }));
    const e = (await api.get("/x").catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(502);
    expect(e.requestId).toBe("rid-9");
    expect(describeError(e)).toContain("rid-9");
  });

  it("says which moves are allowed on transition-not-allowed", async () => {
    mockFetch(() => problem(409, "transition-not-allowed", { allowed: ["In Progress"] }));
    const e = await api.post("/t", { to: "Done" }).catch((x: unknown) => x);
    expect(describeError(e)).toContain("Allowed: In Progress");
  });
});

describe("buildUrl", () => {
  it("drops empty values and joins lists", () => {
    expect(buildUrl("/s", { jql: "a = b", x: undefined, y: null, z: "", f: ["title", "status"], n: 5 })).toBe(
      "/s?jql=a+%3D+b&f=title%2Cstatus&n=5",
    );
  });
});
