import { afterEach, describe, expect, it, vi } from "vitest";
import { act, renderHook, screen, waitFor } from "@testing-library/react";
import { qk } from "../../api/endpoints";
import type { SearchResponse, Ticket } from "../../api/types";
import { json, mockFetch, problem } from "../../test/fetchMock";
import { makeWrapper } from "../../test/wrapper";
import { baseTicket } from "../../test/fixtures";
import { pagesTickets, type PlanData } from "./layout";
import { backlogJql, sprintTicketsJql } from "./queries";
import { usePlanMove } from "./usePlanMove";

const sprint = { id: "sp1", name: "WEB Sprint 1" };
const t = (n: number, inSprint = false): Ticket => ({ ...baseTicket, id: `t${n}`, key: `WEB-${n}`, number: n, sprint: inSprint ? sprint : null, version: n });
function page(issues: Ticket[]): PlanData {
  const p: SearchResponse = { issues, isLast: true, nextPageToken: null, total: issues.length };
  return { pages: [p], pageParams: [null] };
}

function setup() {
  const { qc, Wrapper } = makeWrapper();
  const sprintKey = qk.search("acme", sprintTicketsJql("WEB"));
  const backlogKey = qk.search("acme", backlogJql("WEB"));
  qc.setQueryData(sprintKey, page([t(1, true), t(2, true)]));
  qc.setQueryData(backlogKey, page([t(3), t(4)]));
  const hook = renderHook(() => usePlanMove("acme", "WEB"), { wrapper: Wrapper });
  const sprintKeys = () => pagesTickets(qc.getQueryData<PlanData>(sprintKey)).map((x) => x.key);
  const backlogKeys = () => pagesTickets(qc.getQueryData<PlanData>(backlogKey)).map((x) => x.key);
  return { qc, hook, sprintKeys, backlogKeys, sprintKey, backlogKey };
}

afterEach(() => vi.unstubAllGlobals());

describe("moving a ticket on the backlog", () => {
  it("re-ranks at once with one rank request and keeps the server's copy", async () => {
    const { calls } = mockFetch(() => json(200, { ...t(2, true), rank: "a", version: 9 }, { ETag: '"9"' }));
    const { hook, sprintKeys, qc, sprintKey } = setup();
    act(() => hook.result.current.mutate({ ticket: t(2, true), from: sprint, to: sprint, place: { before: "WEB-1" } }));
    await waitFor(() => expect(sprintKeys()).toEqual(["WEB-2", "WEB-1"]));
    await waitFor(() => expect(hook.result.current.isSuccess).toBe(true));
    expect(calls.map((c) => [c.method, new URL(c.url, "http://x").pathname, c.body])).toEqual([
      ["POST", "/api/v1/orgs/acme/tickets/WEB-2/rank", { before: "WEB-1" }],
    ]);
    expect(pagesTickets(qc.getQueryData<PlanData>(sprintKey))[0]!.version).toBe(9);
  });

  it("plans a backlog ticket into a sprint, then ranks it next to its neighbour", async () => {
    const { calls } = mockFetch((c) =>
      c.url.endsWith("/tickets") ? json(200, { tickets: [{ ...t(4, true), version: 5 }] }) : json(200, { ...t(4, true), version: 6 }));
    const { hook, sprintKeys, backlogKeys } = setup();
    act(() => hook.result.current.mutate({ ticket: t(4), from: null, to: sprint, place: { after: "WEB-1" } }));
    await waitFor(() => expect(sprintKeys()).toEqual(["WEB-1", "WEB-4", "WEB-2"]));
    expect(backlogKeys()).toEqual(["WEB-3"]);
    await waitFor(() => expect(hook.result.current.isSuccess).toBe(true));
    expect(calls.map((c) => [new URL(c.url, "http://x").pathname, c.body])).toEqual([
      ["/api/v1/orgs/acme/sprints/sp1/tickets", { add: ["WEB-4"] }],
      ["/api/v1/orgs/acme/tickets/WEB-4/rank", { after: "WEB-1" }],
    ]);
  });

  it("takes a ticket out of its sprint with `remove`, and needs no rank in an empty backlog", async () => {
    const { calls } = mockFetch(() => json(200, { tickets: [t(1)] }));
    const { hook, qc, backlogKey, backlogKeys } = setup();
    qc.setQueryData(backlogKey, page([]));
    act(() => hook.result.current.mutate({ ticket: t(1, true), from: sprint, to: null, place: null }));
    await waitFor(() => expect(hook.result.current.isSuccess).toBe(true));
    expect(calls.map((c) => c.body)).toEqual([{ remove: ["WEB-1"] }]);
    expect(backlogKeys()).toEqual(["WEB-1"]);
  });

  it("rolls back with a toast naming the ticket and the reason, then asks the server again", async () => {
    let release!: (r: Response) => void;
    const { calls } = mockFetch(
      () => new Promise<Response>((r) => (release = r)),
      () => json(200, { issues: [], isLast: true, nextPageToken: null, total: 0 }),
    );
    const { hook, sprintKeys, backlogKeys } = setup();
    act(() => hook.result.current.mutate({ ticket: t(3), from: null, to: sprint, place: { before: "WEB-1" } }));
    await waitFor(() => expect(sprintKeys()).toEqual(["WEB-3", "WEB-1", "WEB-2"]));
    await act(async () => release(problem(409, "sprint-state", { detail: "the sprint is closed; this needs a future or active sprint" })));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("WEB-3 stayed in the backlog.");
    expect(alert.textContent).toContain("the sprint is closed");
    expect(sprintKeys()).toEqual(["WEB-1", "WEB-2"]);
    expect(backlogKeys()).toEqual(["WEB-3", "WEB-4"]);
    expect(calls).toHaveLength(1);
  });

  it("a second move of the same ticket keeps its place while the first one's answer arrives", async () => {
    const releases: Array<(r: Response) => void> = [];
    mockFetch(() => new Promise<Response>((r) => releases.push(r)));
    const { hook, qc, sprintKey } = setup();
    const other = { id: "sp2", name: "WEB Sprint 2" };
    const sprintOf = (key: string) => pagesTickets(qc.getQueryData<PlanData>(sprintKey)).find((x) => x.key === key)?.sprint?.id;
    // WEB-3 into Sprint 1, then (before the server answered) on into Sprint 2.
    act(() => hook.result.current.mutate({ ticket: t(3), from: null, to: sprint, place: { after: "WEB-2" } }));
    act(() => hook.result.current.mutate({ ticket: { ...t(3), sprint }, from: sprint, to: other, place: null }));
    await waitFor(() => expect(sprintOf("WEB-3")).toBe("sp2"));
    // The first move's answers: the ticket as the server had it then (in Sprint 1).
    await waitFor(() => expect(releases).toHaveLength(1));
    await act(async () => releases[0]!(json(200, { tickets: [{ ...t(3, true), version: 20 }] })));
    await waitFor(() => expect(releases).toHaveLength(2));
    await act(async () => releases[1]!(json(200, { ...t(3, true), version: 21 })));
    await waitFor(() => expect(releases).toHaveLength(3));
    expect(sprintOf("WEB-3")).toBe("sp2");
    // Then the second move's answer lands.
    await act(async () => releases[2]!(json(200, { tickets: [{ ...t(3), sprint: other, version: 22 }] })));
    await waitFor(() => expect(hook.result.current.isSuccess).toBe(true));
    expect(sprintOf("WEB-3")).toBe("sp2");
    expect(pagesTickets(qc.getQueryData<PlanData>(sprintKey)).find((x) => x.key === "WEB-3")?.version).toBe(22);
  });

  it("says so when the sprint change worked but the rank did not", async () => {
    mockFetch((c) => (c.url.endsWith("/tickets") ? json(200, { tickets: [t(4, true)] }) : problem(422, "validation", { field: "after", detail: "no such ticket" })));
    const { hook } = setup();
    act(() => hook.result.current.mutate({ ticket: t(4), from: null, to: sprint, place: { after: "WEB-1" } }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("WEB-4 is now in WEB Sprint 1, but its place there could not be saved: no such ticket");
  });
});
