import type { CustomField, Ticket, TicketPatch, UserRef } from "../../api/types";
import { formatValue, keyOf, sameValue } from "../../customFields/fields";

export interface FieldChange {
  field: string;
  label: string;
  before: string;
  after: string;
}

const LABELS: Record<string, string> = {
  title: "Title", description: "Description", type: "Type", priority: "Priority", assignee: "Assignee",
  labels: "Labels", due_date: "Due date", status: "Status", components: "Components", parent: "Parent",
  story_points: "Story points", original_estimate: "Original estimate", start_date: "Start date",
};

export function show(t: Ticket, field: string): string {
  switch (field) {
    case "assignee": return t.assignee ? `${t.assignee.name} (@${t.assignee.login})` : "Unassigned";
    case "labels": return t.labels.length ? t.labels.join(", ") : "None";
    case "due_date": return t.due_date ?? "None";
    case "status": return t.status.name;
    case "components": return t.components.length ? t.components.join(", ") : "None";
    case "parent": return t.parent ?? "None";
    case "story_points": return t.story_points != null ? String(t.story_points) : "None";
    case "original_estimate": return t.original_estimate != null ? `${t.original_estimate} min` : "None";
    case "start_date": return t.start_date ?? "None";
    case "description": return t.description || "(empty)";
    default: return String((t as unknown as Record<string, unknown>)[field] ?? "");
  }
}

/**
 * What differs between two copies of a ticket, field by field, for people; custom fields
 * by their definitions (`people` names the members a user field holds).
 */
export function ticketDiff(before: Ticket, after: Ticket, fields: readonly CustomField[] = [], people: readonly UserRef[] = []): FieldChange[] {
  const builtIn = Object.keys(LABELS)
    .map((field) => ({ field, label: LABELS[field]!, before: show(before, field), after: show(after, field) }))
    .filter((c) => c.before !== c.after);
  const custom = fields
    .filter((f) => !sameValue(before.custom_fields?.[keyOf(f)], after.custom_fields?.[keyOf(f)]))
    .map((f) => ({
      field: `custom_fields.${keyOf(f)}`,
      label: f.name,
      before: formatValue(f, before.custom_fields?.[keyOf(f)], people) || "None",
      after: formatValue(f, after.custom_fields?.[keyOf(f)], people) || "None",
    }));
  return [...builtIn, ...custom];
}

/** The ticket as it looks with a patch applied (for optimistic updates). */
export function applyPatch(t: Ticket, patch: TicketPatch, assigneeName?: (login: string) => { id: string; login: string; name: string } | null): Ticket {
  const next: Ticket = { ...t };
  if (patch.title != null) next.title = patch.title;
  if (patch.description != null) next.description = patch.description;
  if (patch.type != null) next.type = patch.type;
  if (patch.priority != null) next.priority = patch.priority;
  if (patch.labels != null) next.labels = patch.labels;
  if ("due_date" in patch) next.due_date = patch.due_date ?? null;
  if (patch.components != null) next.components = patch.components;
  if ("parent" in patch) next.parent = patch.parent ?? null;
  if ("story_points" in patch) next.story_points = patch.story_points ?? null;
  if ("original_estimate" in patch) next.original_estimate = patch.original_estimate ?? null;
  if ("start_date" in patch) next.start_date = patch.start_date ?? null;
  if (patch.custom_fields) {
    const values = { ...t.custom_fields };
    for (const [k, v] of Object.entries(patch.custom_fields)) {
      if (v === null || v === "" || (Array.isArray(v) && v.length === 0)) delete values[k];
      else values[k] = v;
    }
    next.custom_fields = values;
  }
  if ("assignee" in patch) {
    next.assignee = patch.assignee ? (assigneeName?.(patch.assignee) ?? { id: "", login: patch.assignee, name: patch.assignee }) : null;
  }
  return next;
}

/** Which fields a patch touches, for the conflict dialog (custom fields by name). */
export function patchFields(patch: TicketPatch, fields: readonly CustomField[] = []): string[] {
  return Object.keys(patch).flatMap((k) =>
    k === "custom_fields" && patch.custom_fields
      ? Object.keys(patch.custom_fields).map((n) => fields.find((f) => keyOf(f) === n)?.name ?? `cf[${n}]`)
      : [k],
  );
}
