import { describe, expect, it } from "vitest";
import type { CustomField } from "../api/types";
import {
  checkOptions, columnFields, fieldsForProject, formatValue, isWholeDate, moveRow, newOptionRow, optionRows,
  problemFieldKey, projectsLabel, sameValue, toApiValue, toFormValue, toggleColumn,
} from "./fields";

function field(over: Partial<CustomField>): CustomField {
  return {
    id: "f1", number: 10001, name: "Customer", description: "", type: "text", required: false, projects: null,
    options: [], version: 1, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", ...over,
  };
}
const tier = field({
  id: "f2", number: 10002, name: "Tier", type: "select",
  options: [{ id: "o1", value: "Gold" }, { id: "o2", value: "Silver" }, { id: "o3", value: "Bronze" }],
});
const tags = field({ ...tier, id: "f3", number: 10003, name: "Tags", type: "multi_select" });
const people = [{ id: "u1", login: "alice", name: "Alice" }, { id: "u2", login: "bob", name: "Bob" }];

describe("fieldsForProject", () => {
  it("keeps fields of every project and those naming the project (any case), in order", () => {
    const all = field({ id: "a", name: "A" });
    const web = field({ id: "b", name: "B", projects: ["WEB", "OPS"] });
    const ops = field({ id: "c", name: "C", projects: ["OPS"] });
    const none = field({ id: "d", name: "D", projects: [] });
    expect(fieldsForProject([all, web, ops, none], "web").map((f) => f.id)).toEqual(["a", "b"]);
    expect(fieldsForProject([all, web, ops, none], "OPS").map((f) => f.id)).toEqual(["a", "b", "c"]);
  });

  it("labels the projects", () => {
    expect(projectsLabel({ projects: null })).toBe("All projects");
    expect(projectsLabel({ projects: ["WEB", "OPS"] })).toBe("WEB, OPS");
    expect(projectsLabel({ projects: [] })).toBe("No project");
  });
});

describe("toApiValue", () => {
  it("clears empty values with null", () => {
    expect(toApiValue(field({}), "  ")).toEqual({ ok: true, value: null });
    expect(toApiValue(tags, [])).toEqual({ ok: true, value: null });
    expect(toApiValue(tier, "")).toEqual({ ok: true, value: null });
  });

  it("sends numbers as numbers and refuses what is not one", () => {
    const n = field({ type: "number" });
    expect(toApiValue(n, " 3.5 ")).toEqual({ ok: true, value: 3.5 });
    expect(toApiValue(n, "-12")).toEqual({ ok: true, value: -12 });
    expect(toApiValue(n, "1e3")).toEqual({ ok: true, value: 1000 });
    expect(toApiValue(n, "12abc")).toMatchObject({ ok: false });
    expect(toApiValue(n, "0x10")).toMatchObject({ ok: false });
    expect(toApiValue(n, "2e15")).toEqual({ ok: false, error: "A number between -1e15 and 1e15." });
  });

  it("sends whole dates only", () => {
    const d = field({ type: "date" });
    expect(toApiValue(d, "2026-12-31")).toEqual({ ok: true, value: "2026-12-31" });
    expect(toApiValue(d, "2026-02-30")).toMatchObject({ ok: false });
    expect(toApiValue(d, "0002-01-01")).toMatchObject({ ok: false });
    expect(isWholeDate("2024-02-29")).toBe(true);
    expect(isWholeDate("2023-02-29")).toBe(false);
  });

  it("sends option ids, lists of them, logins and trimmed text", () => {
    expect(toApiValue(tier, "o2")).toEqual({ ok: true, value: "o2" });
    expect(toApiValue(tags, ["o1", "o3"])).toEqual({ ok: true, value: ["o1", "o3"] });
    expect(toApiValue(field({ type: "user" }), "bob")).toEqual({ ok: true, value: "bob" });
    expect(toApiValue(field({}), " Acme ")).toEqual({ ok: true, value: "Acme" });
  });
});

describe("toFormValue and formatValue", () => {
  it("reads stored values into editor values", () => {
    expect(toFormValue(field({ type: "number" }), 42)).toBe("42");
    expect(toFormValue(tier, "o2")).toBe("o2");
    expect(toFormValue(tier, "gone")).toBe("");
    expect(toFormValue(tags, ["o3", "gone", "o1"])).toEqual(["o1", "o3"]);
    expect(toFormValue(field({ type: "user" }), "u2", people)).toBe("bob");
    expect(toFormValue(tags, undefined)).toEqual([]);
  });

  it("shows values for people", () => {
    expect(formatValue(tier, "o1")).toBe("Gold");
    expect(formatValue(tier, "gone")).toBe("(a deleted option)");
    expect(formatValue(tags, ["o3", "o1"])).toBe("Gold, Bronze");
    expect(formatValue(field({ type: "number" }), 1234.5)).toBe("1,234.5");
    expect(formatValue(field({ type: "user" }), "u1", people)).toBe("Alice (@alice)");
    // The optimistic copy holds the login just sent until the server answers with the id.
    expect(formatValue(field({ type: "user" }), "bob", people)).toBe("Bob (@bob)");
    expect(formatValue(field({ type: "user" }), "u9", people)).toBe("A former member");
    expect(formatValue(field({}), undefined)).toBe("");
  });

  it("compares stored values, empty ones alike", () => {
    expect(sameValue(undefined, null)).toBe(true);
    expect(sameValue([], null)).toBe(true);
    expect(sameValue(["o1"], ["o1"])).toBe(true);
    expect(sameValue(3, 4)).toBe(false);
  });
});

describe("problemFieldKey", () => {
  it("finds the field a 422 names", () => {
    expect(problemFieldKey("custom_fields.10001")).toBe("10001");
    expect(problemFieldKey("custom_fields.10003[1]")).toBe("10003");
    expect(problemFieldKey("title")).toBeNull();
    expect(problemFieldKey(null)).toBeNull();
  });
});

describe("the option list", () => {
  it("moves rows up and down, never out of the list", () => {
    const rows = optionRows(tier);
    expect(moveRow(rows, 2, -1).map((r) => r.value)).toEqual(["Gold", "Bronze", "Silver"]);
    expect(moveRow(rows, 0, -1).map((r) => r.value)).toEqual(["Gold", "Silver", "Bronze"]);
    expect(moveRow(rows, 2, 1).map((r) => r.value)).toEqual(["Gold", "Silver", "Bronze"]);
  });

  it("keeps the ids of kept options, adds new ones without, drops blank rows", () => {
    const rows = [...optionRows(tier).slice(1), newOptionRow(" Platinum "), newOptionRow("  ")];
    rows[0] = { ...rows[0]!, value: "Silver+" };
    expect(checkOptions(rows)).toEqual({ ok: true, options: [{ id: "o2", value: "Silver+" }, { id: "o3", value: "Bronze" }, { value: "Platinum" }] });
  });

  it("refuses the same value twice, ignoring case", () => {
    expect(checkOptions([newOptionRow("Gold"), newOptionRow("gold ")])).toEqual({ ok: false, index: 1, error: "“gold” is listed twice." });
  });
});

describe("list columns", () => {
  const seats = field({ id: "f4", number: 10004, name: "Seats", type: "number", projects: ["OPS"] });
  it("shows the named fields that exist, in the order named, only those of the project in a project's list", () => {
    expect(columnFields([tier, tags, seats], "10004,10002,99999,10002", null).map((f) => f.number)).toEqual([10004, 10002]);
    expect(columnFields([tier, tags, seats], "10004,10002", "WEB").map((f) => f.number)).toEqual([10002]);
    expect(columnFields([tier], null, null)).toEqual([]);
  });
  it("adds and removes a column", () => {
    expect(toggleColumn(null, tier)).toBe("10002");
    expect(toggleColumn("10002,10003", tier)).toBe("10003");
    expect(toggleColumn("10003", tier)).toBe("10003,10002");
    expect(toggleColumn("10002", tier)).toBe("");
  });
});
