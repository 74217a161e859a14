// One function per route the app uses; the types come from the OpenAPI schema.
import { api, request, type ApiResponse } from "./client";
import type {
  AuditEntryWithActor, AuditFilters, BillingSummary, HistoryEntry, CheckoutRequest, Comment, CreatedToken, FilterPatch, Invitation, Joined, Me,
  Member, MyInvitation, Org, OrgPatch, NewFilter, NewInvitation, NewProject, NewTicket, NewToken, Page, Project, ProjectDetail,
  ProjectMember, ProjectPatch, ProjectRole, RedirectUrl, Role, SavedFilter, SearchResponse, Suggestions, Ticket,
  TicketPatch, TokenInfo, Transitions, Sprint, SprintState, NewSprint, SprintPatch, SprintTickets, Completion, ChangedTickets,
  RankMove, Items, TicketLink, LinkTypeInfo, NewLink, Watchers, Component,
  Attachment, NewUpload, Worklog, NewWorklog, WorklogPatch, AdjustEstimate, PendingUpload, Workflow, NewStatus, StatusPatch, NewTransition, WorkflowCopy,
  CustomField, NewCustomField, CustomFieldPatch,
} from "./types";

const o = (org: string) => `/api/v1/orgs/${encodeURIComponent(org)}`;
const seg = encodeURIComponent;

export interface SearchParams {
  jql: string;
  maxResults?: number;
  nextPageToken?: string | null;
  fields?: string[];
}

/** The caller's UTC offset as `+02:00`, for dates and `startOfDay()` in JQL. */
export function timeZoneOffset(date = new Date()): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

export interface ExportParams {
  jql: string;
  format: "csv" | "json";
  /** A UTF-8 byte order mark first, for Excel. */
  bom?: boolean;
  columns?: string[];
}

/**
 * The URL of `GET /export` for a query: a download the browser fetches with the
 * session cookie (navigating to it saves the file and leaves the page where it is).
 */
export function exportUrl(org: string, p: ExportParams, date = new Date()): string {
  const q = new URLSearchParams({ jql: p.jql, format: p.format, timeZone: timeZoneOffset(date) });
  if (p.bom) q.set("bom", "true");
  if (p.columns?.length) q.set("columns", p.columns.join(","));
  return `${o(org)}/export?${q.toString()}`;
}

export const endpoints = {
  me: () => api.get<Me>("/auth/me"),
  logout: () => api.post<void>("/auth/logout"),
  myInvitations: () => api.get<MyInvitation[]>("/api/v1/invitations"),
  acceptInvitation: (id: string) => api.post<Joined>(`/api/v1/invitations/${seg(id)}/accept`).then((r) => r.data),
  declineInvitation: (id: string) => api.post<void>(`/api/v1/invitations/${seg(id)}/decline`),
  acceptLink: (token: string) => api.post<Joined>("/api/v1/invitations/accept", { token }).then((r) => r.data),

  org: (org: string) => api.getWithEtag<Org>(o(org)),
  updateOrg: (org: string, body: OrgPatch, etag: string | null) => api.patch<Org>(o(org), body, { ifMatch: etag }).then((r) => r.data),
  projects: (org: string, archived = false, cursor?: string | null) =>
    api.get<Page<Project>>(`${o(org)}/projects`, { query: { archived: archived || undefined, limit: 100, cursor } }),
  project: (org: string, key: string) => api.getWithEtag<ProjectDetail>(`${o(org)}/projects/${seg(key)}`),
  createProject: (org: string, body: NewProject) => api.post<Project>(`${o(org)}/projects`, body).then((r) => r.data),
  updateProject: (org: string, key: string, body: ProjectPatch, version?: number) =>
    api.patch<Project>(`${o(org)}/projects/${seg(key)}`, body, { ifMatch: version }).then((r) => r.data),
  archiveProject: (org: string, key: string, version?: number) =>
    api.post<Project>(`${o(org)}/projects/${seg(key)}/archive`, undefined, { ifMatch: version }).then((r) => r.data),
  unarchiveProject: (org: string, key: string, version?: number) =>
    api.post<Project>(`${o(org)}/projects/${seg(key)}/unarchive`, undefined, { ifMatch: version }).then((r) => r.data),
  projectMembers: (org: string, key: string) =>
    api.get<Page<ProjectMember> | ProjectMember[]>(`${o(org)}/projects/${seg(key)}/members`).then((r) =>
      Array.isArray(r) ? r : r.items,
    ),
  setProjectMember: (org: string, key: string, login: string, role: ProjectRole) =>
    api.put<void>(`${o(org)}/projects/${seg(key)}/members/${seg(login)}`, { role }),
  removeProjectMember: (org: string, key: string, login: string) =>
    api.del(`${o(org)}/projects/${seg(key)}/members/${seg(login)}`),

  search: (org: string, p: SearchParams, signal?: AbortSignal) =>
    api.get<SearchResponse>(`${o(org)}/search`, {
      query: {
        jql: p.jql,
        maxResults: p.maxResults ?? 50,
        nextPageToken: p.nextPageToken,
        fields: p.fields,
        timeZone: timeZoneOffset(),
      },
      signal,
    }),
  autocomplete: (org: string, jql: string, signal?: AbortSignal) =>
    api.get<Suggestions>(`${o(org)}/search/autocomplete`, { query: { jql }, signal }),
  filters: (org: string) => api.get<Page<SavedFilter>>(`${o(org)}/filters`, { query: { limit: 100 } }),
  createFilter: (org: string, body: NewFilter) => api.post<SavedFilter>(`${o(org)}/filters`, body).then((r) => r.data),
  updateFilter: (org: string, id: string, body: FilterPatch, version: number) =>
    api.patch<SavedFilter>(`${o(org)}/filters/${seg(id)}`, body, { ifMatch: version }).then((r) => r.data),
  deleteFilter: (org: string, id: string, version: number) => api.del(`${o(org)}/filters/${seg(id)}`, { ifMatch: version }),

  ticket: (org: string, key: string, signal?: AbortSignal) =>
    api.getWithEtag<Ticket>(`${o(org)}/tickets/${seg(key)}`, { signal }),
  createTicket: (org: string, project: string, body: NewTicket) =>
    api.post<Ticket>(`${o(org)}/projects/${seg(project)}/tickets`, body),
  patchTicket: (org: string, key: string, body: TicketPatch, etag: string | null): Promise<ApiResponse<Ticket>> =>
    api.patch<Ticket>(`${o(org)}/tickets/${seg(key)}`, body, { ifMatch: etag }),
  deleteTicket: (org: string, key: string, etag: string | null) => api.del(`${o(org)}/tickets/${seg(key)}`, { ifMatch: etag }),
  transitions: (org: string, key: string) => api.get<Transitions>(`${o(org)}/tickets/${seg(key)}/transitions`),
  transition: (org: string, key: string, to: string, etag?: string | null) =>
    api.post<Ticket>(`${o(org)}/tickets/${seg(key)}/transitions`, { to }, { ifMatch: etag }),
  comments: (org: string, key: string, cursor?: string | null) =>
    api.get<Page<Comment>>(`${o(org)}/tickets/${seg(key)}/comments`, { query: { limit: 100, cursor } }),
  createComment: (org: string, key: string, body: string) =>
    api.post<Comment>(`${o(org)}/tickets/${seg(key)}/comments`, { body }).then((r) => r.data),
  editComment: (org: string, key: string, id: string, body: string, version: number) =>
    api.patch<Comment>(`${o(org)}/tickets/${seg(key)}/comments/${seg(id)}`, { body }, { ifMatch: version }).then((r) => r.data),
  deleteComment: (org: string, key: string, id: string, version: number) =>
    api.del(`${o(org)}/tickets/${seg(key)}/comments/${seg(id)}`, { ifMatch: version }),

  members: (org: string, cursor?: string | null) =>
    api.get<Page<Member>>(`${o(org)}/members`, { query: { limit: 100, cursor } }),
  changeRole: (org: string, login: string, role: Role) => api.patch<void>(`${o(org)}/members/${seg(login)}`, { role }),
  removeMember: (org: string, login: string) => api.del(`${o(org)}/members/${seg(login)}`),
  leave: (org: string) => api.post<void>(`${o(org)}/leave`),
  transferOwnership: (org: string, login: string) => api.post<void>(`${o(org)}/transfer-ownership`, { login }),
  invitations: (org: string, cursor?: string | null) =>
    api.get<Page<Invitation>>(`${o(org)}/invitations`, { query: { limit: 100, cursor } }),
  invite: (org: string, body: NewInvitation) => api.post<Invitation>(`${o(org)}/invitations`, body).then((r) => r.data),
  revokeInvitation: (org: string, id: string) => api.del(`${o(org)}/invitations/${seg(id)}`),
  tokens: (org: string, cursor?: string | null) =>
    api.get<Page<TokenInfo>>(`${o(org)}/tokens`, { query: { limit: 100, cursor } }),
  createToken: (org: string, body: NewToken) => api.post<CreatedToken>(`${o(org)}/tokens`, body).then((r) => r.data),
  revokeToken: (org: string, id: string) => api.del(`${o(org)}/tokens/${seg(id)}`),
  // Servers without the filters ignore them (docs/API.md: the audit-log list ignores unknown parameters).
  auditLog: (org: string, cursor?: string | null, filters: AuditFilters = {}) =>
    api.get<Page<AuditEntryWithActor>>(`${o(org)}/audit-log`, { query: { limit: 100, cursor, ...filters } }),
  ticketHistory: (org: string, key: string, cursor?: string | null) =>
    api.get<Page<HistoryEntry>>(`${o(org)}/tickets/${seg(key)}/history`, { query: { limit: 100, cursor } }),

  sprints: (org: string, project: string, states: SprintState[] = [], cursor?: string | null) =>
    api.get<Page<Sprint>>(`${o(org)}/projects/${seg(project)}/sprints`, { query: { state: states, limit: 100, cursor } }),
  sprint: (org: string, id: string) => api.getWithEtag<Sprint>(`${o(org)}/sprints/${seg(id)}`),
  createSprint: (org: string, project: string, body: NewSprint) =>
    api.post<Sprint>(`${o(org)}/projects/${seg(project)}/sprints`, body).then((r) => r.data),
  updateSprint: (org: string, id: string, body: SprintPatch, version: number) =>
    api.patch<Sprint>(`${o(org)}/sprints/${seg(id)}`, body, { ifMatch: version }).then((r) => r.data),
  deleteSprint: (org: string, id: string, version: number) => api.del(`${o(org)}/sprints/${seg(id)}`, { ifMatch: version }),
  startSprint: (org: string, id: string) => api.post<Sprint>(`${o(org)}/sprints/${seg(id)}/start`).then((r) => r.data),
  completeSprint: (org: string, id: string, moveOpenTo: string | null) =>
    api.post<Completion>(`${o(org)}/sprints/${seg(id)}/complete`, { move_open_to: moveOpenTo }).then((r) => r.data),
  changeSprintTickets: (org: string, id: string, body: SprintTickets) =>
    api.post<ChangedTickets>(`${o(org)}/sprints/${seg(id)}/tickets`, body).then((r) => r.data),
  rankTicket: (org: string, key: string, place: RankMove) =>
    api.post<Ticket>(`${o(org)}/tickets/${seg(key)}/rank`, place),

  links: (org: string, key: string) => api.get<Items<TicketLink>>(`${o(org)}/tickets/${seg(key)}/links`).then((r) => r.items),
  addLink: (org: string, key: string, body: NewLink) =>
    api.post<TicketLink>(`${o(org)}/tickets/${seg(key)}/links`, body).then((r) => r.data),
  removeLink: (org: string, key: string, id: string) => api.del(`${o(org)}/tickets/${seg(key)}/links/${seg(id)}`),
  linkTypes: (org: string) => api.get<Items<LinkTypeInfo>>(`${o(org)}/link-types`).then((r) => r.items),
  watchers: (org: string, key: string) => api.get<Watchers>(`${o(org)}/tickets/${seg(key)}/watchers`),
  addWatcher: (org: string, key: string, login: string) =>
    api.post<unknown>(`${o(org)}/tickets/${seg(key)}/watchers`, { login }),
  removeWatcher: (org: string, key: string, login: string) => api.del(`${o(org)}/tickets/${seg(key)}/watchers/${seg(login)}`),
  components: (org: string, project: string) =>
    api.get<Items<Component>>(`${o(org)}/projects/${seg(project)}/components`).then((r) => r.items),

  attachments: (org: string, key: string, cursor?: string | null) =>
    api.get<Page<Attachment>>(`${o(org)}/tickets/${seg(key)}/attachments`, { query: { limit: 100, cursor } }),
  createUpload: (org: string, key: string, body: NewUpload) =>
    api.post<PendingUpload>(`${o(org)}/tickets/${seg(key)}/attachments`, body).then((r) => r.data),
  confirmUpload: (org: string, key: string, id: string) =>
    api.post<Attachment>(`${o(org)}/tickets/${seg(key)}/attachments/${seg(id)}/confirm`).then((r) => r.data),
  deleteAttachment: (org: string, key: string, id: string) => api.del(`${o(org)}/tickets/${seg(key)}/attachments/${seg(id)}`),
  /** The download route: a GET there redirects (302) to a short-lived URL that serves the file as an attachment. */
  attachmentDownloadPath: (org: string, key: string, id: string) => `${o(org)}/tickets/${seg(key)}/attachments/${seg(id)}/download`,

  worklogs: (org: string, key: string, cursor?: string | null) =>
    api.get<Page<Worklog>>(`${o(org)}/tickets/${seg(key)}/worklogs`, { query: { limit: 100, cursor } }),
  /** `idempotencyKey`: one per submission, so a retry of the same submission logs once. */
  createWorklog: (org: string, key: string, body: NewWorklog, idempotencyKey: string) =>
    api.post<Worklog>(`${o(org)}/tickets/${seg(key)}/worklogs`, body, { idempotencyKey }).then((r) => r.data),
  editWorklog: (org: string, key: string, id: string, body: WorklogPatch, version: number) =>
    api.patch<Worklog>(`${o(org)}/tickets/${seg(key)}/worklogs/${seg(id)}`, body, { ifMatch: version }).then((r) => r.data),
  deleteWorklog: (org: string, key: string, id: string, version: number, adjust: AdjustEstimate = "auto") =>
    api.del(`${o(org)}/tickets/${seg(key)}/worklogs/${seg(id)}`, { ifMatch: version, query: { adjust_estimate: adjust } }),

  workflow: (org: string, project: string) => api.get<Workflow>(`${o(org)}/projects/${seg(project)}/workflow`),
  createStatus: (org: string, project: string, body: NewStatus) =>
    api.post<Workflow>(`${o(org)}/projects/${seg(project)}/workflow/statuses`, body).then((r) => r.data),
  updateStatus: (org: string, project: string, id: string, body: StatusPatch) =>
    api.patch<Workflow>(`${o(org)}/projects/${seg(project)}/workflow/statuses/${seg(id)}`, body).then((r) => r.data),
  // `move_to` is an optional query parameter (required only when the status holds tickets).
  deleteStatus: (org: string, project: string, id: string, moveTo: string | null) =>
    api.del<Workflow>(`${o(org)}/projects/${seg(project)}/workflow/statuses/${seg(id)}`, { query: { move_to: moveTo } }).then((r) => r.data),
  reorderStatuses: (org: string, project: string, statuses: string[]) =>
    api.put<Workflow>(`${o(org)}/projects/${seg(project)}/workflow/order`, { statuses }).then((r) => r.data),
  createTransition: (org: string, project: string, body: NewTransition) =>
    api.post<Workflow>(`${o(org)}/projects/${seg(project)}/workflow/transitions`, body).then((r) => r.data),
  deleteTransition: (org: string, project: string, id: string) =>
    api.del<Workflow>(`${o(org)}/projects/${seg(project)}/workflow/transitions/${seg(id)}`).then((r) => r.data),
  copyWorkflow: (org: string, project: string, body: WorkflowCopy) =>
    api.post<Workflow>(`${o(org)}/projects/${seg(project)}/workflow/copy`, body).then((r) => r.data),

  customFields: (org: string) => api.get<Items<CustomField>>(`${o(org)}/custom-fields`).then((r) => r.items),
  customField: (org: string, field: string | number) => api.getWithEtag<CustomField>(`${o(org)}/custom-fields/${seg(String(field))}`),
  createCustomField: (org: string, body: NewCustomField) =>
    api.post<CustomField>(`${o(org)}/custom-fields`, body).then((r) => r.data),
  updateCustomField: (org: string, field: string, body: CustomFieldPatch, version: number) =>
    api.patch<CustomField>(`${o(org)}/custom-fields/${seg(field)}`, body, { ifMatch: version }).then((r) => r.data),
  deleteCustomField: (org: string, field: string, version: number) =>
    api.del(`${o(org)}/custom-fields/${seg(field)}`, { ifMatch: version }),

  billing: (org: string) => api.get<BillingSummary>(`${o(org)}/billing`),
  checkout: (org: string, body: CheckoutRequest) =>
    api.post<RedirectUrl>(`${o(org)}/billing/checkout`, body).then((r) => r.data),
  portal: (org: string) => api.post<RedirectUrl>(`${o(org)}/billing/portal`).then((r) => r.data),
  request,
};

export const qk = {
  me: ["me"] as const,
  projects: (org: string, archived = false) => ["org", org, "projects", { archived }] as const,
  project: (org: string, key: string) => ["org", org, "project", key.toUpperCase()] as const,
  projectMembers: (org: string, key: string) => ["org", org, "project-members", key.toUpperCase()] as const,
  ticket: (org: string, key: string) => ["org", org, "ticket", key.toUpperCase()] as const,
  transitions: (org: string, key: string) => ["org", org, "transitions", key.toUpperCase()] as const,
  comments: (org: string, key: string) => ["org", org, "comments", key.toUpperCase()] as const,
  search: (org: string, jql: string) => ["org", org, "search", jql] as const,
  searchAll: (org: string) => ["org", org, "search"] as const,
  /** A board column; `sprint` is the sprint the board is scoped to (null: every ticket). */
  column: (org: string, project: string, status: string, jql: string, sprint: string | null = null) =>
    ["org", org, "board", project.toUpperCase(), status, jql, sprint ?? "all"] as const,
  board: (org: string, project: string) => ["org", org, "board", project.toUpperCase()] as const,
  members: (org: string) => ["org", org, "members"] as const,
  invitations: (org: string) => ["org", org, "invitations"] as const,
  tokens: (org: string) => ["org", org, "tokens"] as const,
  audit: (org: string) => ["org", org, "audit"] as const,
  history: (org: string, key: string) => ["org", org, "history", key.toUpperCase()] as const,
  links: (org: string, key: string) => ["org", org, "links", key.toUpperCase()] as const,
  linkTypes: (org: string) => ["org", org, "link-types"] as const,
  watchers: (org: string, key: string) => ["org", org, "watchers", key.toUpperCase()] as const,
  components: (org: string, project: string) => ["org", org, "components", project.toUpperCase()] as const,
  billing: (org: string) => ["org", org, "billing"] as const,
  customFields: (org: string) => ["org", org, "custom-fields"] as const,
  attachments: (org: string, key: string) => ["org", org, "attachments", key.toUpperCase()] as const,
  worklogs: (org: string, key: string) => ["org", org, "worklogs", key.toUpperCase()] as const,
  workflow: (org: string, project: string) => ["org", org, "workflow", project.toUpperCase()] as const,
  /** Every ticket's cached transitions (a workflow change may alter any of them). */
  allTransitions: (org: string) => ["org", org, "transitions"] as const,
  org: (org: string) => ["org", org, "org"] as const,
  filters: (org: string) => ["org", org, "filters"] as const,
  /** Every sprint list of a project (all states, or only the active one). */
  sprints: (org: string, project: string) => ["org", org, "sprints", project.toUpperCase()] as const,
  sprintList: (org: string, project: string, which: "all" | "active") => ["org", org, "sprints", project.toUpperCase(), which] as const,
};
