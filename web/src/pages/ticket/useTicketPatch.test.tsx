import { afterEach, describe, expect, it, vi } from "vitest";
import { act, renderHook, waitFor } from "@testing-library/react";
import { qk } from "../../api/endpoints";
import type { TicketEntry } from "../../api/hooks";
import { json, mockFetch, problem } from "../../test/fetchMock";
import { makeWrapper } from "../../test/wrapper";
import { baseTicket } from "../../test/fixtures";
import { useTicketPatch } from "./useTicketPatch";

afterEach(() => vi.unstubAllGlobals());

describe("editing a ticket field", () => {
  it("sends If-Match from the ETag and paints optimistically", async () => {
    const { qc, Wrapper } = makeWrapper();
    qc.setQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"), { data: baseTicket, etag: '"1"' });
    let release!: (r: Response) => void;
    const { calls } = mockFetch(() => new Promise<Response>((r) => (release = r)));
    const { result } = renderHook(() => useTicketPatch("acme", "WEB-1"), { wrapper: Wrapper });
    act(() => result.current.patch({ priority: "high" }));
    await waitFor(() => expect(qc.getQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"))!.data.priority).toBe("high"));
    expect(calls[0]!.headers["if-match"]).toBe('"1"');
    expect(calls[0]!.body).toEqual({ priority: "high" });
    await act(async () => release(json(200, { ...baseTicket, priority: "high", version: 2 }, { ETag: '"2"' })));
    await waitFor(() => expect(qc.getQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"))!.etag).toBe('"2"'));
  });

  it("on 412 rolls back, shows what changed on the server, and re-applies on request", async () => {
    const { qc, Wrapper } = makeWrapper();
    qc.setQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"), { data: baseTicket, etag: '"1"' });
    const server = { ...baseTicket, title: "Renamed by Bob", version: 2 };
    const { calls } = mockFetch(
      () => problem(412, "stale-version", { field: "If-Match", current_version: 2 }),
      () => json(200, server, { ETag: '"2"' }),
      () => json(200, { ...server, priority: "high", version: 3 }, { ETag: '"3"' }),
    );
    const { result } = renderHook(() => useTicketPatch("acme", "WEB-1"), { wrapper: Wrapper });
    act(() => result.current.patch({ priority: "high" }));
    await waitFor(() => expect(result.current.conflict).not.toBeNull());
    const c = result.current.conflict!;
    expect(c.changes).toEqual([{ field: "title", label: "Title", before: "Old title", after: "Renamed by Bob" }]);
    expect(qc.getQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"))!.data).toEqual(server);

    act(() => result.current.reapply());
    await waitFor(() => expect(calls).toHaveLength(3));
    expect(calls[2]!.headers["if-match"]).toBe('"2"');
    expect(calls[2]!.body).toEqual({ priority: "high" });
    await waitFor(() => expect(qc.getQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"))!.data.version).toBe(3));
    expect(result.current.conflict).toBeNull();
  });

  it("keeps a 422 naming a custom field at that field (rolled back, no toast), and clears it on the next edit of it", async () => {
    const { qc, Wrapper } = makeWrapper();
    const t = { ...baseTicket, custom_fields: { "10001": "Acme" } };
    qc.setQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"), { data: t, etag: '"1"' });
    mockFetch(
      () => problem(422, "validation", { field: "custom_fields.10001", detail: "`Customer` is required" }),
      () => json(200, { ...t, custom_fields: { "10001": "Globex" }, version: 2 }, { ETag: '"2"' }),
    );
    const { result } = renderHook(() => useTicketPatch("acme", "WEB-1"), { wrapper: Wrapper });
    act(() => result.current.patch({ custom_fields: { "10001": null } }));
    await waitFor(() => expect(result.current.fieldErrors).toEqual({ "10001": "`Customer` is required" }));
    expect(qc.getQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"))!.data.custom_fields).toEqual({ "10001": "Acme" });
    expect(document.body.textContent).not.toContain("Not saved");
    act(() => result.current.patch({ custom_fields: { "10001": "Globex" } }));
    await waitFor(() => expect(result.current.fieldErrors).toEqual({}));
    await waitFor(() => expect(qc.getQueryData<TicketEntry>(qk.ticket("acme", "WEB-1"))!.etag).toBe('"2"'));
  });
});
