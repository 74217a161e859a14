import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { ApiError } from "../api/client";
import { scopeQuery, userColumn } from "../lib/jql";
import { JqlErrorView, jqlErrorOf } from "./JqlBar";

function jqlProblem(column: number) {
  return new ApiError(400, {
    type: "urn:trellis:problem:jql", title: "Bad request", status: 400,
    detail: `expected a value after '=' at column ${column}`, field: "jql", column, expected: ["a value"], request_id: "r",
  }, null, null);
}

describe("JQL error caret", () => {
  it("places the caret under the server's column", () => {
    const info = jqlErrorOf(jqlProblem(11))!;
    render(<JqlErrorView jql="project = " error={info} />);
    const caret = screen.getByTestId("jql-caret");
    expect(caret.textContent).toBe(" ".repeat(10) + "^");
    expect(screen.getByRole("alert").textContent).toContain("column 11");
    expect(screen.getByRole("alert").textContent).toContain("Expected a value");
  });

  it("maps a scoped query's column back to what the person typed", () => {
    const user = "priority = ";
    const scoped = scopeQuery("project = WEB", user);
    const serverCol = scoped.jql.indexOf(")") + 1;
    const info = jqlErrorOf(jqlProblem(serverCol), (c) => userColumn(scoped, c, user))!;
    expect(info.column).toBe(user.length + 1 - 1);
    render(<JqlErrorView jql={user} error={info} />);
    expect(screen.getByTestId("jql-caret").textContent).toBe(" ".repeat(info.column! - 1) + "^");
  });

  it("ignores problems that are not about JQL", () => {
    const e = new ApiError(403, { type: "urn:trellis:problem:forbidden", title: "Forbidden", status: 403, detail: "" }, null, null);
    expect(jqlErrorOf(e)).toBeNull();
  });
});

import { narrowSuggestions } from "./JqlBar";

describe("narrowSuggestions", () => {
  const fields = {
    for: "project = BRD AND ",
    data: { replace_from: 19, suggestions: [{ value: "status", kind: "field" }, { value: "summary", kind: "field" }, { value: "priority", kind: "field" }] },
  };
  it("narrows the last answer while more of the same word is typed", () => {
    expect(narrowSuggestions(fields, "project = BRD AND s")!.suggestions.map((x) => x.value)).toEqual(["status", "summary"]);
    expect(narrowSuggestions(fields, "project = BRD AND PRI")!.suggestions.map((x) => x.value)).toEqual(["priority"]);
  });
  it("waits for the server once the word ends or the text changed elsewhere", () => {
    expect(narrowSuggestions(fields, "project = BRD AND status ")).toBeNull();
    expect(narrowSuggestions(fields, "project = API AND ")).toBeNull();
  });
  it("matches quoted values by their text", () => {
    const values = { for: "status = ", data: { replace_from: 10, suggestions: [{ value: '"In Progress"', kind: "value" }, { value: "Done", kind: "value" }] } };
    expect(narrowSuggestions(values, 'status = "in')!.suggestions.map((x) => x.value)).toEqual(['"In Progress"']);
  });
});
