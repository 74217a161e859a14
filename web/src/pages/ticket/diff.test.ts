import { describe, expect, it } from "vitest";
import { baseTicket } from "../../test/fixtures";
import { applyPatch, ticketDiff } from "./diff";



describe("ticketDiff", () => {
  it("lists the fields that changed, in words", () => {
    const server = { ...baseTicket, title: "New title", assignee: { id: "u2", login: "bob", name: "Bob" }, labels: ["ui"], version: 2 };
    const d = ticketDiff(baseTicket, server);
    expect(d.map((c) => c.field)).toEqual(["title", "assignee", "labels"]);
    expect(d[1]).toMatchObject({ before: "Unassigned", after: "Bob (@bob)" });
  });
  it("is empty when only the version moved", () => {
    expect(ticketDiff(baseTicket, { ...baseTicket, version: 5 })).toEqual([]);
  });
});

describe("applyPatch", () => {
  it("applies present fields and clears nullable ones", () => {
    const t = applyPatch({ ...baseTicket, due_date: "2026-02-01" }, { title: "X", due_date: null, assignee: "bob" }, () => ({ id: "u2", login: "bob", name: "Bob" }));
    expect(t.title).toBe("X");
    expect(t.due_date).toBeNull();
    expect(t.assignee?.name).toBe("Bob");
    expect(t.priority).toBe("medium");
  });
});
