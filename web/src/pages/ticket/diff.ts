import type { Ticket, TicketPatch } from "../../api/types";

export interface FieldChange {
  field: string;
  label: string;
  before: string;
  after: string;
}

const LABELS: Record<string, string> = {
  title: "Title", description: "Description", type: "Type", priority: "Priority", assignee: "Assignee",
  labels: "Labels", due_date: "Due date", status: "Status",
};

export function show(t: Ticket, field: string): string {
  switch (field) {
    case "assignee": return t.assignee ? `${t.assignee.name} (@${t.assignee.login})` : "Unassigned";
    case "labels": return t.labels.length ? t.labels.join(", ") : "None";
    case "due_date": return t.due_date ?? "None";
    case "status": return t.status.name;
    case "description": return t.description || "(empty)";
    default: return String((t as unknown as Record<string, unknown>)[field] ?? "");
  }
}

/** What differs between two copies of a ticket, field by field, for people. */
export function ticketDiff(before: Ticket, after: Ticket): FieldChange[] {
  return Object.keys(LABELS)
    .map((field) => ({ field, label: LABELS[field]!, before: show(before, field), after: show(after, field) }))
    .filter((c) => c.before !== c.after);
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
  if ("assignee" in patch) {
    next.assignee = patch.assignee ? (assigneeName?.(patch.assignee) ?? { id: "", login: patch.assignee, name: patch.assignee }) : null;
  }
  return next;
}

/** Which fields a patch touches, for the conflict dialog. */
export function patchFields(patch: TicketPatch): string[] {
  return Object.keys(patch);
}
