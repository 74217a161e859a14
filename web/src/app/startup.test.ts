import { afterEach, describe, expect, it, vi } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { json, mockFetch } from "../test/fetchMock";
import { bootstrapRoute } from "./startup";

afterEach(() => vi.unstubAllGlobals());

const me = { id: "u1", login: "alice", name: "Alice", email: null, orgs: [{ slug: "acme", name: "Acme", role: "owner" }], invitations: [] };
const project = { id: "p", key: "WEB", name: "Web", description: "", version: 1, created_at: "", updated_at: "", private: false, archived_at: null,
  statuses: [{ id: "s1", name: "To Do", category: "todo" }, { id: "s2", name: "Done", category: "done" }] };
const page = { issues: [], isLast: true, nextPageToken: null, total: 0 };

function at(path: string) {
  return { pathname: path.split("?")[0], search: path.includes("?") ? `?${path.split("?")[1]}` : "" } as Location;
}

describe("bootstrapRoute", () => {
  it("fetches a board's workflow and every column once /auth/me confirms the org", async () => {
    document.cookie = "trellis_csrf=x; path=/";
    const { calls } = mockFetch((c) => (c.url === "/auth/me" ? json(200, me) : c.url.includes("/search") ? json(200, page) : json(200, project)));
    bootstrapRoute(new QueryClient(), at("/acme/projects/web/board?jql=priority%20%3D%20high"));
    await vi.waitFor(() => expect(calls.filter((c) => c.url.includes("/search"))).toHaveLength(2));
    expect(calls[0]!.url).toBe("/auth/me");
    expect(calls[1]!.url).toBe("/api/v1/orgs/acme/projects/WEB");
    const jqls = calls.filter((c) => c.url.includes("/search")).map((c) => new URL(c.url, "http://x").searchParams.get("jql"));
    expect(jqls).toEqual([
      'project = WEB AND status = "To Do" AND (priority = high) ORDER BY priority DESC, created DESC',
      'project = WEB AND status = "Done" AND (priority = high) ORDER BY priority DESC, created DESC',
    ]);
  });

  it("scopes the columns to the active sprint, unless the URL asks for every ticket", async () => {
    document.cookie = "trellis_csrf=x; path=/";
    sessionStorage.setItem("trellis:orgs", JSON.stringify([["acme", "member"]]));
    const active = { id: "sp1", name: "WEB \"Sprint\" 2", state: "active", project: "WEB", goal: "", version: 1, created_at: "", updated_at: "" };
    const respond = (c: { url: string }) =>
      c.url.includes("/sprints") ? json(200, { items: [active], next_cursor: null }) : c.url.includes("/search") ? json(200, page) : json(200, project);
    let { calls } = mockFetch(respond);
    bootstrapRoute(new QueryClient(), at("/acme/projects/WEB/board"));
    await vi.waitFor(() => expect(calls.filter((c) => c.url.includes("/search"))).toHaveLength(2));
    expect(calls.find((c) => c.url.includes("/sprints"))!.url).toBe("/api/v1/orgs/acme/projects/WEB/sprints?state=active&limit=100");
    const jql = (cs: typeof calls) => cs.filter((c) => c.url.includes("/search")).map((c) => new URL(c.url, "http://x").searchParams.get("jql"));
    expect(jql(calls)[0]).toBe('project = WEB AND status = "To Do" AND sprint = "WEB \\"Sprint\\" 2" ORDER BY priority DESC, created DESC');

    ({ calls } = mockFetch(respond));
    bootstrapRoute(new QueryClient(), at("/acme/projects/WEB/board?sprint=all"));
    await vi.waitFor(() => expect(calls.filter((c) => c.url.includes("/search"))).toHaveLength(2));
    expect(calls.some((c) => c.url.includes("/sprints"))).toBe(false);
    expect(jql(calls)[0]).toBe('project = WEB AND status = "To Do" ORDER BY priority DESC, created DESC');
    sessionStorage.clear();
  });

  it("asks nothing about an org the person is not in", async () => {
    document.cookie = "trellis_csrf=x; path=/";
    const { calls } = mockFetch(() => json(200, me));
    bootstrapRoute(new QueryClient(), at("/globex/projects/WEB/board"));
    await new Promise((r) => setTimeout(r, 30));
    expect(calls.map((c) => c.url)).toEqual(["/auth/me"]);
  });
});

describe("bootstrapRoute with a remembered org", () => {
  it("starts the board's data without waiting for /auth/me", async () => {
    document.cookie = "trellis_csrf=x; path=/";
    sessionStorage.setItem("trellis:orgs", JSON.stringify([["acme", "member"]]));
    const { calls } = mockFetch((c) => (c.url.includes("/search") ? json(200, page) : json(200, project)));
    bootstrapRoute(new QueryClient(), at("/acme/projects/WEB/board"));
    await vi.waitFor(() => expect(calls.filter((c) => c.url.includes("/search"))).toHaveLength(2));
    expect(calls.some((c) => c.url === "/auth/me")).toBe(false);
    sessionStorage.clear();
  });
});
