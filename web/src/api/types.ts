// Types of the API's resources, taken from the generated OpenAPI schema so a renamed
// or removed field breaks `tsc`, not the page.
import type { components } from "./schema";

export type Schemas = components["schemas"];

// docs/openapi.json names two schemas `Status` (the workflow status and Stripe's
// subscription status) and the second wins, so the ticket's status comes out as a string
// enum there. Until the spec is fixed (web/BACKEND_NEEDS.md) the workflow status is spelt
// out here, and everything else comes from the schema.
export type StatusCategory = Schemas["StatusCategory"];
export interface WorkflowStatus {
  id: string;
  name: string;
  category: StatusCategory;
}
export type SubscriptionStatus = Schemas["Summary"]["status"];

export type Ticket = Omit<Schemas["Ticket"], "status" | "assignee" | "due_date" | "resolved_at"> & {
  status: WorkflowStatus;
  assignee: UserRef | null;
  due_date: string | null;
  resolved_at: string | null;
};
export type Transition = Omit<Schemas["Transition"], "to"> & { to: WorkflowStatus };
export interface Transitions {
  transitions: Transition[];
}
export type Project = Schemas["Project"];
export type ProjectDetail = Project & { statuses: WorkflowStatus[]; my_permissions: string[] };
export type UserRef = Schemas["UserRef"];
export type Me = Schemas["Me"];
export type MyOrg = Schemas["MyOrg"];
export type MyInvitation = Schemas["MyInvitation"];
export type Member = Schemas["Member"];
export type Role = Schemas["Role"];
export type ProjectRole = Schemas["ProjectRole"];
export type ProjectMember = Schemas["ProjectMember"];
export type Comment = Schemas["Comment"];
export type AuditEntry = Schemas["AuditEntry"];
export type Invitation = Schemas["Invitation"];
export type NewInvitation = Schemas["NewInvitation"];
export type TokenInfo = Schemas["TokenInfo"];
export type NewToken = Schemas["NewToken"];
export type CreatedToken = Schemas["CreatedToken"];
export type BillingSummary = Schemas["Summary"];
export type Plan = Schemas["Plan"];
export type CheckoutRequest = Schemas["CheckoutRequest"];
export type RedirectUrl = Schemas["RedirectUrl"];
export type SearchResponse = Omit<Schemas["SearchResponse"], "issues"> & { issues: Ticket[] };
export type Suggestions = Schemas["Suggestions"];
export type Suggestion = Schemas["Suggestion"];
export type SavedFilter = Schemas["SavedFilter"];
export type NewFilter = Schemas["NewFilter"];
export type FilterPatch = Schemas["FilterPatch"];
export type NewProject = Schemas["NewProject"];
export type ProjectPatch = Schemas["ProjectPatch"];
export type NewTicket = Schemas["NewTicket"];
export type TicketPatch = Schemas["TicketPatch"];
export type TicketType = Schemas["TicketType"];
export type Priority = Schemas["Priority"];
export type Joined = Schemas["Joined"];
export type Org = Schemas["Org"];
export type OrgPatch = Schemas["OrgPatch"];

// Planning: sprints and the backlog order (docs/API.md "Sprints" and "Ranking").
export type Sprint = Omit<Schemas["Sprint"], "start_date" | "end_date" | "started_at" | "completed_at"> & {
  start_date: string | null;
  end_date: string | null;
  started_at: string | null;
  completed_at: string | null;
};
export type SprintState = Schemas["SprintState"];
export type SprintRef = Schemas["SprintRef"];
export type NewSprint = Schemas["NewSprint"];
export type SprintPatch = Schemas["SprintPatch"];
export type SprintTickets = Schemas["SprintTickets"];
export type Completion = Omit<Schemas["Completion"], "sprint" | "moved_to"> & { sprint: Sprint; moved_to: string | null };
export type ChangedTickets = { tickets: Ticket[] };
/** `POST /tickets/{key}/rank`: exactly one of the two. */
export type RankMove = { before: string } | { after: string };
/** A ticket as the backlog uses it (`story_points`, summed per sprint, may be absent or null). */
export type PlannedTicket = Ticket;

// Work items (docs/API.md "Links", "Watchers and mentions", "Components").
export type TicketLink = Omit<Schemas["Link"], "ticket"> & { ticket: Omit<Schemas["LinkedTicket"], "status"> & { status: WorkflowStatus } };
export type LinkTypeInfo = Schemas["LinkTypeInfo"];
export type NewLink = Schemas["NewLink"];
export type Watchers = Schemas["Watchers"];
export type Component = Schemas["Component"];

// Attachments (docs/API.md "Attachments"): upload through a presigned PUT, then confirm.
export type Attachment = Schemas["Attachment"];
export type NewUpload = Schemas["NewUpload"];
export type PendingUpload = Omit<Schemas["PendingUpload"], "upload"> & {
  upload: Omit<Schemas["UploadInstructions"], "headers"> & { headers: Record<string, string> };
};
export type DownloadLink = Schemas["DownloadLink"];

// Workflows (docs/API.md "Workflows"): the editor's view of a project's statuses and transitions.
export type Workflow = Schemas["Workflow"];
/** A status as the workflow editor sees it: with its position and live ticket count. */
export type WorkflowStatusRow = Schemas["WorkflowStatus"];
export type WorkflowTransition = Schemas["WorkflowTransition"];
export type NewStatus = Schemas["NewStatus"];
export type StatusPatch = Schemas["StatusPatch"];
export type NewTransition = Schemas["NewTransition"];
export type WorkflowCopy = Schemas["WorkflowCopy"];
// Custom fields (docs/openapi.json "custom-fields"): org-defined ticket fields; a ticket's
// values sit in `custom_fields`, keyed by the field's number as a string.
export type CustomField = Schemas["CustomField"];
export type CustomFieldKind = Schemas["CustomFieldKind"];
export type CustomOption = Schemas["CustomOption"];
export type NewCustomField = Schemas["NewCustomField"];
export type CustomFieldPatch = Schemas["CustomFieldPatch"];
export type OptionEdit = Schemas["OptionEdit"];
// Time tracking (docs/API.md "Time tracking (worklogs)"): minutes, with Jira's estimate rules.
export type Worklog = Schemas["Worklog"];
export type NewWorklog = Schemas["NewWorklog"];
export type WorklogPatch = Schemas["WorklogPatch"];
export type AdjustEstimate = Schemas["AdjustEstimate"];

export const STATUS_CATEGORIES: StatusCategory[] = ["todo", "in_progress", "done"];

export interface Items<T> {
  items: T[];
}

// `GET /tickets/{key}/history`, landing in the backend (web/BACKEND_NEEDS.md); not yet in
// docs/openapi.json, so spelt out here until `npm run gen:api` brings it.
export interface HistoryChange {
  field: string;
  from: unknown;
  to: unknown;
}
export interface HistoryEntry {
  id: string;
  at: string;
  actor: UserRef | null;
  action: string;
  comment_id: string | null;
  /** Set for `attachment.confirm` and `attachment.delete` (their one change is the field `attachment`). */
  attachment_id?: string | null;
  changes: HistoryChange[];
}
/** The audit entry, with the actor the backend is adding (absent on older servers). */
export type AuditEntryWithActor = AuditEntry & { actor?: UserRef | null };

export interface AuditFilters {
  action?: string;
  entity_type?: string;
  actor?: string;
  since?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export const TICKET_TYPES: TicketType[] = ["epic", "story", "task", "bug", "subtask"];
export const PRIORITIES: Priority[] = ["highest", "high", "medium", "low", "lowest"];
export const ROLES: Role[] = ["owner", "admin", "member", "viewer", "billing"];
export const PROJECT_ROLES: ProjectRole[] = ["lead", "member", "viewer"];

/** Every permission of policies/roles.toml, for narrowing API tokens. */
export const PERMISSIONS = [
  "org.read",
  "org.update",
  "members.read",
  "members.manage",
  "projects.read",
  "projects.create",
  "projects.update",
  "projects.archive",
  "tickets.read",
  "tickets.create",
  "tickets.update",
  "tickets.delete",
  "tickets.transition",
  "comments.read",
  "comments.create",
  "comments.moderate",
  "tokens.manage",
  "audit.read",
  "billing.read",
  "billing.manage",
  "worklogs.moderate",
] as const;

const ROLE_PERMS: Record<Role, readonly string[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS.filter((p) => p !== "billing.manage"),
  member: [
    "org.read", "members.read", "projects.read", "tickets.read", "comments.read",
    "tickets.create", "tickets.update", "tickets.delete", "tickets.transition", "comments.create", "tokens.manage",
  ],
  viewer: ["org.read", "members.read", "projects.read", "tickets.read", "comments.read"],
  billing: ["org.read", "members.read", "billing.read", "billing.manage"],
};

/** What a role may do (docs/API.md "Roles"), to hide controls that would only answer 403. */
export function can(role: Role | undefined, permission: (typeof PERMISSIONS)[number]): boolean {
  return role ? ROLE_PERMS[role].includes(permission) : false;
}
export function permissionsOf(role: Role | undefined): readonly string[] {
  return role ? ROLE_PERMS[role] : [];
}
