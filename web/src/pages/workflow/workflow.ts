// The workflow editor's rules without React: who may edit, how a reorder moves a
// status, what copying another project's workflow keeps, adds and drops, and which of
// this project's statuses need a target for their tickets first (docs/API.md "Workflows").
import { can, type ProjectRole, type Role, type StatusCategory, type WorkflowStatusRow } from "../../api/types";

export const CATEGORY_LABEL: Record<StatusCategory, string> = { todo: "To do", in_progress: "In progress", done: "Done" };

/** The project's lead, an org admin or an owner changes the workflow (owners and admins count as leads everywhere). */
export function mayEditWorkflow(orgRole: Role | undefined, projectRole: ProjectRole | null | undefined): boolean {
  return can(orgRole, "projects.update") || projectRole === "lead";
}

/** `list` with the item at `from` moved to `to` (both clamped); the same list when nothing moves. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const n = list.length;
  const a = Math.max(0, Math.min(n - 1, from));
  const b = Math.max(0, Math.min(n - 1, to));
  if (n === 0 || a === b) return [...list];
  const next = [...list];
  const [item] = next.splice(a, 1);
  next.splice(b, 0, item!);
  return next;
}

export function categoryCounts(statuses: readonly Pick<WorkflowStatusRow, "category">[]): Record<StatusCategory, number> {
  const counts: Record<StatusCategory, number> = { todo: 0, in_progress: 0, done: 0 };
  for (const s of statuses) counts[s.category]++;
  return counts;
}

/** Who may take a transition, in words. */
export function rolesLabel(roles: readonly ProjectRole[]): string {
  const set = new Set(roles);
  if (set.size === 0) return "Anyone who may move tickets";
  if (set.has("lead") && set.has("member")) return "Leads and members";
  if (set.has("lead")) return "Leads only";
  if (set.has("member")) return "Members only";
  return [...set].join(", ");
}

const key = (name: string) => name.trim().toLowerCase();

export interface CopyPlan {
  /** Statuses both workflows have by name: they keep their rows and tickets. */
  kept: string[];
  /** The copy's statuses this project does not have yet. */
  added: string[];
  /** This project's statuses the copy lacks: deleted. */
  removed: WorkflowStatusRow[];
  /** Of `removed`, those holding live tickets: each needs a copied status to move them to. */
  needsTarget: WorkflowStatusRow[];
}

/** What `POST .../workflow/copy` from `source` would do to `current`. */
export function copyPlan(current: readonly WorkflowStatusRow[], source: readonly Pick<WorkflowStatusRow, "name">[]): CopyPlan {
  const inSource = new Set(source.map((s) => key(s.name)));
  const inCurrent = new Set(current.map((s) => key(s.name)));
  const removed = current.filter((s) => !inSource.has(key(s.name)));
  return {
    kept: current.filter((s) => inSource.has(key(s.name))).map((s) => s.name),
    added: source.filter((s) => !inCurrent.has(key(s.name))).map((s) => s.name),
    removed,
    needsTarget: removed.filter((s) => s.tickets > 0),
  };
}

/**
 * The copy's `mapping` from the person's choices (status name → copied status name), only
 * for statuses that need one, and the names still without a choice.
 */
export function copyMapping(plan: CopyPlan, choices: Readonly<Record<string, string>>): { mapping: Record<string, string>; missing: string[] } {
  const mapping: Record<string, string> = {};
  const missing: string[] = [];
  for (const s of plan.needsTarget) {
    const target = choices[s.name];
    if (target) mapping[s.name] = target;
    else missing.push(s.name);
  }
  return { mapping, missing };
}

/** A transition's default name: the target's, as the API names the ones it creates with a status. */
export function defaultTransitionName(to: string): string {
  return to.trim();
}
