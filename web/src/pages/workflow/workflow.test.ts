import { describe, expect, test } from "vitest";
import type { WorkflowStatusRow } from "../../api/types";
import { categoryCounts, copyMapping, copyPlan, mayEditWorkflow, moveItem, rolesLabel } from "./workflow";

const st = (name: string, category: WorkflowStatusRow["category"], tickets = 0, position = 0): WorkflowStatusRow =>
  ({ id: name, name, category, tickets, position });

describe("who edits a workflow", () => {
  test("owners and admins everywhere, a project's lead in it; nobody else", () => {
    expect(mayEditWorkflow("owner", null)).toBe(true);
    expect(mayEditWorkflow("admin", "viewer")).toBe(true);
    expect(mayEditWorkflow("member", "lead")).toBe(true);
    expect(mayEditWorkflow("member", "member")).toBe(false);
    expect(mayEditWorkflow("member", null)).toBe(false);
    expect(mayEditWorkflow("viewer", null)).toBe(false);
    expect(mayEditWorkflow(undefined, undefined)).toBe(false);
  });
});

describe("moveItem", () => {
  test("moves down, up, and clamps at the ends", () => {
    expect(moveItem(["a", "b", "c", "d"], 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveItem(["a", "b", "c", "d"], 3, 1)).toEqual(["a", "d", "b", "c"]);
    expect(moveItem(["a", "b", "c"], 2, 9)).toEqual(["a", "b", "c"]);
    expect(moveItem(["a", "b", "c"], 1, -1)).toEqual(["b", "a", "c"]);
    expect(moveItem([], 0, 1)).toEqual([]);
  });
  test("never changes its input", () => {
    const list = ["a", "b"];
    moveItem(list, 0, 1);
    expect(list).toEqual(["a", "b"]);
  });
});

test("categoryCounts", () => {
  expect(categoryCounts([st("To Do", "todo"), st("Doing", "in_progress"), st("Review", "in_progress"), st("Done", "done")]))
    .toEqual({ todo: 1, in_progress: 2, done: 1 });
});

test("rolesLabel", () => {
  expect(rolesLabel([])).toBe("Anyone who may move tickets");
  expect(rolesLabel(["lead"])).toBe("Leads only");
  expect(rolesLabel(["member", "lead"])).toBe("Leads and members");
});

describe("copying a workflow", () => {
  const current = [st("To Do", "todo", 3), st("Review", "in_progress", 2), st("Blocked", "in_progress", 0), st("Done", "done", 5)];
  const source = [st("to do", "todo"), st("In Progress", "in_progress"), st("QA", "in_progress"), st("Done", "done")];

  test("names match ignoring case; removed statuses with tickets need a target", () => {
    const plan = copyPlan(current, source);
    expect(plan.kept).toEqual(["To Do", "Done"]);
    expect(plan.added).toEqual(["In Progress", "QA"]);
    expect(plan.removed.map((s) => s.name)).toEqual(["Review", "Blocked"]);
    expect(plan.needsTarget.map((s) => s.name)).toEqual(["Review"]);
  });

  test("the mapping holds only the needed choices and says which are missing", () => {
    const plan = copyPlan(current, source);
    expect(copyMapping(plan, {})).toEqual({ mapping: {}, missing: ["Review"] });
    expect(copyMapping(plan, { Review: "QA", Blocked: "QA", "To Do": "QA" })).toEqual({ mapping: { Review: "QA" }, missing: [] });
  });
});
