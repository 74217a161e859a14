import { describe, expect, it } from "vitest";
import { applySuggestion, caretLine, parseOrderBy, quote, scopeQuery, toggleSort, userColumn, withOrderBy } from "./jql";

describe("caretLine", () => {
  it("puts the caret under the 1-based column", () => {
    expect(caretLine("project = ", 11)).toBe(" ".repeat(10) + "^");
    expect(caretLine("abc", 1)).toBe("^");
  });
  it("clamps to the text", () => {
    expect(caretLine("abc", 99)).toBe("   ^");
    expect(caretLine("abc", 0)).toBe("^");
  });
  it("keeps tabs so monospace rendering lines up", () => {
    expect(caretLine("\ta =", 3)).toBe("\t ^");
  });
});

describe("ORDER BY rewriting", () => {
  it("parses, replaces and toggles", () => {
    expect(parseOrderBy("status = Done ORDER BY priority DESC, created ASC")).toEqual({ field: "priority", dir: "DESC" });
    expect(withOrderBy("status = Done order by created", { field: "updated", dir: "ASC" })).toBe("status = Done ORDER BY updated ASC");
    expect(toggleSort("", "priority")).toBe("ORDER BY priority DESC");
    expect(toggleSort("ORDER BY priority DESC", "priority")).toBe("ORDER BY priority ASC");
    expect(toggleSort("a = b ORDER BY priority ASC", "priority")).toBe("a = b ORDER BY priority DESC");
  });
  it("knows a custom field's cf[N]", () => {
    expect(parseOrderBy("a = b ORDER BY cf[10001] ASC")).toEqual({ field: "cf[10001]", dir: "ASC" });
    expect(toggleSort("a = b ORDER BY cf[10001] DESC", "cf[10001]")).toBe("a = b ORDER BY cf[10001] ASC");
  });
});

describe("scopeQuery / userColumn", () => {
  it("wraps the user's where clause and maps error columns back", () => {
    const user = "assignee = ";
    const q = scopeQuery("project = WEB", user);
    expect(q.jql).toBe("project = WEB AND (assignee =)");
    // The server reports the column in the scoped query: the ")" right after "=".
    const serverColumn = q.jql.indexOf(")") + 1;
    expect(userColumn(q, serverColumn, user)).toBe(11);
  });
  it("keeps the user's ORDER BY outside the parentheses", () => {
    const q = scopeQuery("project = WEB", "status = Done ORDER BY priority DESC");
    expect(q.jql).toBe("project = WEB AND (status = Done) ORDER BY priority DESC");
  });
  it("maps columns inside ORDER BY", () => {
    const user = "a = b ORDER BY nope";
    const q = scopeQuery("project = WEB", user);
    const col = q.jql.indexOf("nope") + 1;
    expect(userColumn(q, col, user)).toBe(user.indexOf("nope") + 1);
  });
  it("uses the default order when the user has none", () => {
    expect(scopeQuery("project = WEB", "", "ORDER BY created DESC").jql).toBe("project = WEB ORDER BY created DESC");
  });
});

describe("applySuggestion", () => {
  it("replaces from the server's column to the caret", () => {
    expect(applySuggestion("proj", 4, 1, "project")).toEqual({ text: "project ", caret: 8 });
    expect(applySuggestion("project = W", 11, 11, "WEB")).toEqual({ text: "project = WEB ", caret: 14 });
  });
  it("quotes literals", () => {
    expect(quote('In "Progress"')).toBe('"In \\"Progress\\""');
  });
});
