import { afterEach, describe, expect, it, vi } from "vitest";
import { act, renderHook, screen, waitFor } from "@testing-library/react";
import { qk } from "../../api/endpoints";
import type { SearchResponse, Ticket, WorkflowStatus } from "../../api/types";
import { json, mockFetch, problem } from "../../test/fetchMock";
import { makeWrapper } from "../../test/wrapper";
import { baseTicket } from "../../test/fixtures";
import { columnTickets, type ColumnData } from "./boardCache";
import { useMoveCard } from "./useMoveCard";

const todo: WorkflowStatus = { id: "s1", name: "To Do", category: "todo" };
const doing: WorkflowStatus = { id: "s2", name: "In Progress", category: "in_progress" };
const done: WorkflowStatus = { id: "s3", name: "Done", category: "done" };

function page(issues: Ticket[]): ColumnData {
  const p: SearchResponse = { issues, isLast: true, nextPageToken: null, total: issues.length };
  return { pages: [p], pageParams: [null] };
}

function setup() {
  const { qc, Wrapper } = makeWrapper();
  const card = { ...baseTicket, key: "WEB-7", status: todo, version: 3 };
  qc.setQueryData(qk.column("acme", "WEB", "To Do", ""), page([card]));
  qc.setQueryData(qk.column("acme", "WEB", "In Progress", ""), page([]));
  qc.setQueryData(qk.column("acme", "WEB", "Done", ""), page([]));
  const hook = renderHook(() => useMoveCard("acme", "WEB", ""), { wrapper: Wrapper });
  const col = (s: string) => columnTickets(qc.getQueryData<ColumnData>(qk.column("acme", "WEB", s, "")));
  const total = (s: string) => qc.getQueryData<ColumnData>(qk.column("acme", "WEB", s, ""))!.pages[0]!.total;
  return { qc, card, hook, col, total };
}

afterEach(() => vi.unstubAllGlobals());

describe("moving a card on the board", () => {
  it("moves at once, then rolls back with the server's reason on 409", async () => {
    let release!: (r: Response) => void;
    const { calls } = mockFetch(() => new Promise<Response>((r) => (release = r)));
    const { card, hook, col, total } = setup();
    act(() => hook.result.current.mutate({ ticket: card, to: done }));
    await waitFor(() => expect(col("Done").map((t) => t.key)).toEqual(["WEB-7"]));
    expect(col("To Do")).toEqual([]);
    expect(total("Done")).toBe(1);
    expect(col("Done")[0]!.status.name).toBe("Done");
    expect(calls[0]!.body).toEqual({ to: "Done" });
    expect(calls[0]!.headers["if-match"]).toBe('"3"');

    await act(async () => release(problem(409, "transition-not-allowed", { field: "to", allowed: ["In Progress"] })));
    await waitFor(() => expect(col("To Do").map((t) => t.key)).toEqual(["WEB-7"]));
    expect(col("Done")).toEqual([]);
    expect(total("To Do")).toBe(1);
    expect(total("Done")).toBe(0);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("WEB-7");
    expect(alert.textContent).toContain("To Do → Done");
    expect(alert.textContent).toContain("In Progress");
  });

  it("rolls back on 412 and says someone else changed it", async () => {
    mockFetch(() => problem(412, "stale-version", { current_version: 4 }));
    const { card, hook, col } = setup();
    act(() => hook.result.current.mutate({ ticket: card, to: doing }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("changed by someone else");
    expect(col("To Do").map((t) => t.key)).toEqual(["WEB-7"]);
    expect(col("In Progress")).toEqual([]);
  });

  it("keeps the server's copy on success and forgets the old status's transitions", async () => {
    const { card, hook, col, qc } = setup();
    qc.setQueryData(qk.transitions("acme", "WEB-7"), { transitions: [{ id: "t", name: "Start", to: doing }] });
    const { calls } = mockFetch((c) =>
      c.url.endsWith("/transitions") && c.method === "GET"
        ? json(200, { transitions: [{ id: "t2", name: "Done", to: done }, { id: "t3", name: "Stop", to: todo }] })
        : json(200, { ...card, status: doing, version: 4 }, { ETag: '"4"' }),
    );
    act(() => hook.result.current.mutate({ ticket: card, to: doing }));
    await waitFor(() => expect(hook.result.current.isSuccess).toBe(true));
    expect(col("In Progress")[0]!.version).toBe(4);
    expect(qc.getQueryData<{ etag: string }>(qk.ticket("acme", "WEB-7"))!.etag).toBe('"4"');
    await waitFor(() => expect(calls.some((c) => c.method === "GET" && c.url.endsWith("/tickets/WEB-7/transitions"))).toBe(true));
    await waitFor(() =>
      expect(qc.getQueryData<{ transitions: { to: WorkflowStatus }[] }>(qk.transitions("acme", "WEB-7"))!.transitions.map((t) => t.to.name))
        .toEqual(["Done", "To Do"]));
  });
});
