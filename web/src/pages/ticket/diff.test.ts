import { describe, expect, it } from "vitest";
import { baseTicket } from "../../test/fixtures";
import type { CustomField } from "../../api/types";
import { applyPatch, patchFields, ticketDiff } from "./diff";

const tier: CustomField = {
  id: "f2", number: 10002, name: "Tier", description: "", type: "select", required: false, projects: null,
  options: [{ id: "o1", value: "Gold" }, { id: "o2", value: "Silver" }], version: 1, created_at: "", updated_at: "",
};



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

describe("custom fields in the diff and the patch", () => {
  it("names a changed custom field and its values", () => {
    const before = { ...baseTicket, custom_fields: { "10002": "o1" } };
    const after = { ...baseTicket, custom_fields: { "10002": "o2" } };
    expect(ticketDiff(before, after, [tier])).toEqual([{ field: "custom_fields.10002", label: "Tier", before: "Gold", after: "Silver" }]);
    expect(ticketDiff(before, { ...baseTicket, custom_fields: {} }, [tier])[0]).toMatchObject({ before: "Gold", after: "None" });
    expect(ticketDiff(before, before, [tier])).toEqual([]);
  });
  it("sets and clears values optimistically, keeping the others", () => {
    const t = applyPatch({ ...baseTicket, custom_fields: { "10001": "Acme", "10002": "o1" } }, { custom_fields: { "10002": null, "10003": ["o1"] } });
    expect(t.custom_fields).toEqual({ "10001": "Acme", "10003": ["o1"] });
  });
  it("lists the custom fields an edit touches by name", () => {
    expect(patchFields({ title: "x", custom_fields: { "10002": "o1", "10009": 1 } }, [tier])).toEqual(["title", "Tier", "cf[10009]"]);
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
