import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import { json, mockFetch, problem } from "../../test/fetchMock";
import { makeWrapper } from "../../test/wrapper";
import { History, historyValue } from "./History";

afterEach(() => vi.unstubAllGlobals());

describe("History", () => {
  it("lists who changed what, newest first", async () => {
    const { calls } = mockFetch(() => json(200, {
      items: [
        { id: "a2", at: "2026-12-01T10:00:00Z", actor: { id: "u2", login: "bob", name: "Bob" }, action: "ticket.transition", comment_id: null,
          changes: [{ field: "status", from: "To Do", to: "In Progress" }] },
        { id: "a1", at: "2026-12-01T09:00:00Z", actor: { id: "u1", login: "alice", name: "Alice" }, action: "ticket.update", comment_id: null,
          changes: [{ field: "assignee", from: null, to: "bob" }, { field: "labels", from: [], to: ["ui", "ux"] }] },
      ],
      next_cursor: null,
    }));
    const { Wrapper } = makeWrapper();
    render(<History org="acme" ticketKey="WEB-1" role="member" createdAt="2026-12-01T08:00:00Z" reporter="Alice" />, { wrapper: Wrapper });
    const list = await screen.findByTestId("history");
    expect(calls[0]!.url).toBe("/api/v1/orgs/acme/tickets/WEB-1/history?limit=100");
    const items = list.querySelectorAll(".history-entry");
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain("Bob");
    expect(items[0]!.textContent).toContain("moved the ticket");
    expect(items[0]!.textContent).toMatch(/Status\s*To Do\s*→?\s*to\s*In Progress/);
    expect(items[1]!.textContent).toContain("Assignee");
    expect(items[1]!.textContent).toContain("empty");
    expect(items[1]!.textContent).toContain("ui, ux");
  });

  it("shows the placeholder on a server without the route", async () => {
    mockFetch(() => problem(404, "not-found"));
    const { Wrapper } = makeWrapper();
    render(<History org="acme" ticketKey="WEB-1" role="member" createdAt="2026-12-01T08:00:00Z" reporter="Alice" />, { wrapper: Wrapper });
    expect(await screen.findByTestId("history-placeholder")).toBeInTheDocument();
  });

  it("words values", () => {
    expect(historyValue(null)).toBe("empty");
    expect(historyValue([])).toBe("none");
    expect(historyValue("x".repeat(200)).length).toBe(141);
  });
});

describe("History of attachments", () => {
  it("says a file was attached or deleted, by name, not 'empty → name'", async () => {
    mockFetch(() => json(200, {
      items: [
        { id: "h2", at: "2026-12-01T10:00:00Z", actor: { id: "u1", login: "alice", name: "Alice" }, action: "attachment.delete", comment_id: null,
          attachment_id: "f1", changes: [{ field: "attachment", from: "plan.pdf", to: null }] },
        { id: "h1", at: "2026-12-01T09:00:00Z", actor: { id: "u1", login: "alice", name: "Alice" }, action: "attachment.confirm", comment_id: null,
          attachment_id: "f1", changes: [{ field: "attachment", from: null, to: "plan.pdf" }] },
      ],
      next_cursor: null,
    }));
    const { Wrapper } = makeWrapper();
    render(<History org="acme" ticketKey="WEB-1" role="member" createdAt="2026-12-01T08:00:00Z" reporter="Alice" />, { wrapper: Wrapper });
    const items = (await screen.findByTestId("history")).querySelectorAll(".history-entry");
    expect(items[0]!.textContent).toContain("deleted a file");
    expect(items[0]!.querySelector(".diff-old")!.textContent).toBe("plan.pdf");
    expect(items[1]!.textContent).toContain("attached a file");
    expect(items[1]!.querySelector(".diff-new")!.textContent).toBe("plan.pdf");
    expect(items[1]!.textContent).not.toContain("empty");
  });
});
