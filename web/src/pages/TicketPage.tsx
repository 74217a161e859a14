import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { useTitle } from "../app/useTitle";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import { customFieldsQuery, storeTicket, useTicket, useTransitions, type TicketEntry } from "../api/hooks";
import { can, PRIORITIES, TICKET_TYPES, type Priority, type Ticket, type TicketType } from "../api/types";
import { ErrorState } from "../app/ErrorState";
import { useCurrentOrg } from "../app/session";
import { rememberProject } from "../app/ui-context";
import { MarkdownEditor } from "../components/MarkdownEditor";
import { parseLabels } from "../components/CreateTicketDialog";
import { fullTime, PRIORITY_LABEL, relativeTime, TYPE_ICON, TYPE_LABEL } from "../lib/format";
import { Avatar, Button, Dialog, Menu, SelectField, Skeleton, Tabs, TextField, useToast } from "../ui";
import { Comments, useCommentCount } from "./ticket/Comments";
import { History } from "./ticket/History";
import { useTicketPatch } from "./ticket/useTicketPatch";
import { TicketCustomFields } from "./ticket/CustomFields";
import { patchFields } from "./ticket/diff";
import { Links } from "./ticket/Links";
import { Watchers } from "./ticket/Watchers";
import { ChildIssues, ComponentsField, EstimateFields, ParentField } from "./ticket/WorkFields";
import { Attachments, FileDropZone } from "./ticket/Attachments";
import { useUploads } from "./ticket/useUploads";
import { TimeTrackingSummary, WorkLog, useWorklogCount } from "./ticket/TimeTracking";
import { useMe } from "../app/session";
import { projectQuery } from "./board/queries";

const Markdown = lazy(() => import("../components/Markdown"));

export default function TicketPage() {
  const { ticketKey = "" } = useParams();
  const key = ticketKey.toUpperCase();
  const { slug: org, role } = useCurrentOrg();
  const ticket = useTicket(org, key);
  const canEdit = can(role, "tickets.update");
  useTitle(ticket.data ? `${ticket.data.data.key} ${ticket.data.data.title}` : key);
  useEffect(() => {
    const p = key.split("-")[0];
    if (p) rememberProject(org, p);
  }, [org, key]);

  if (ticket.isError) return <ErrorState error={ticket.error} what={`ticket ${key}`} retry={() => void ticket.refetch()} />;
  if (!ticket.data) {
    return (
      <div className="ticket-page" role="status" aria-label="Loading ticket">
        <Skeleton width="8rem" /><Skeleton height="2rem" width="60%" style={{ marginTop: 12 }} /><Skeleton height="8rem" style={{ marginTop: 16 }} />
      </div>
    );
  }
  return <TicketView key={ticket.data.data.key} org={org} entry={ticket.data} canEdit={canEdit} role={role} />;
}

function TicketView({ org, entry, canEdit: orgMayEdit, role }: { org: string; entry: TicketEntry; canEdit: boolean; role: ReturnType<typeof useCurrentOrg>["role"] }) {
  const t = entry.data;
  // The project narrows the org role (a project viewer only reads there): its
  // `my_permissions` decide once loaded; until then the org role does.
  const project = useQuery(projectQuery(org, t.project));
  const allowed = (p: Parameters<typeof can>[1]) => can(role, p) && (project.data?.my_permissions?.includes(p) ?? true);
  const canEdit = orgMayEdit && allowed("tickets.update");
  const { patch, conflict, reapply, discard, fieldErrors } = useTicketPatch(org, t.key);
  const customFields = useQuery(customFieldsQuery(org));
  const [tab, setTab] = useState("comments");
  const commentCount = useCommentCount(org, t.key);
  const worklogCount = useWorklogCount(org, t.key);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const me = useMe().data?.login ?? "";
  const uploads = useUploads(org, t.key);

  const del = useMutation({
    mutationFn: () => endpoints.deleteTicket(org, t.key, entry.etag ?? `"${t.version}"`),
    onSuccess: () => {
      qc.removeQueries({ queryKey: qk.ticket(org, t.key) });
      void qc.invalidateQueries({ queryKey: qk.searchAll(org) });
      void qc.invalidateQueries({ queryKey: qk.board(org, t.project) });
      toast.success(`${t.key} deleted.`);
      navigate(`/${org}/projects/${t.project}/board`);
    },
    onError: (e) => toast.error(describeError(e)),
  });

  return (
    <article className="ticket-page" aria-labelledby="ticket-title">
      <div className="crumbs">
        <Link to={`/${org}/projects`}>Projects</Link> / <Link to={`/${org}/projects/${t.project}/board`}>{t.project}</Link> /{" "}
        <span className="mono" data-testid="ticket-key">{t.key}</span>
      </div>
      <FileDropZone className="ticket-grid" enabled={canEdit} ticketKey={t.key} onFiles={uploads.start}>
        <div className="ticket-main">
          <TitleEditor title={t.title} canEdit={canEdit} onSave={(title) => patch({ title })} />
          <div className="row ticket-actions">
            <TransitionBar org={org} ticket={t} etag={entry.etag} canTransition={allowed("tickets.transition")} />
            <Watchers org={org} ticketKey={t.key} canEdit={canEdit} me={me} />
            {allowed("tickets.delete") ? (
              <Menu label={`More actions for ${t.key}`} buttonClassName="btn btn-sm btn-ghost" buttonContent={<span aria-hidden="true">⋯</span>}
                items={[
                  { label: "Copy link", onSelect: () => void navigator.clipboard?.writeText(window.location.href).then(() => toast.success("Link copied.")) },
                  { label: `Delete ${t.key}…`, onSelect: () => setConfirmDelete(true) },
                ]} />
            ) : null}
          </div>
          <DescriptionEditor description={t.description} canEdit={canEdit} onSave={(description) => patch({ description })} />
          <Attachments org={org} ticketKey={t.key} canEdit={canEdit} role={role} uploads={uploads} />
          <ChildIssues org={org} ticket={t} />
          <Links org={org} ticketKey={t.key} canEdit={canEdit} />
          <div className="ticket-activity">
          <Tabs label="Activity" value={tab} onChange={setTab} tabs={[{ id: "comments", label: commentCount ? <>Comments <span className="badge">{commentCount}</span></> : "Comments" }, { id: "worklog", label: worklogCount ? <>Work log <span className="badge">{worklogCount}</span></> : "Work log" }, { id: "history", label: "History" }]}>
            {tab === "comments" ? (
              <Comments org={org} ticketKey={t.key} role={role} />
            ) : tab === "worklog" ? (
              <WorkLog org={org} ticket={t} canEdit={canEdit} role={role} />
            ) : (
              <History org={org} ticketKey={t.key} role={role} createdAt={t.created_at} reporter={t.reporter.name} />
            )}
          </Tabs>
          </div>
        </div>
        <aside className="ticket-side" aria-label="Details">
          <Details org={org} ticket={t} canEdit={canEdit} patch={patch} customErrors={fieldErrors} />
        </aside>
      </FileDropZone>
      <Dialog open={conflict !== null} onClose={discard} title="Someone else changed this ticket"
        footer={<>
          <Button onClick={discard}>Keep their version</Button>
          <Button variant="primary" onClick={reapply} data-testid="reapply-edit">Re-apply my edit</Button>
        </>}>
        {conflict ? (
          <>
            <p>Your edit was not saved, because {t.key} changed on the server since you opened it. Here is what changed:</p>
            {conflict.changes.length ? (
              <div className="table-wrap" tabIndex={0} role="region" aria-label="Changed fields table">
                <table className="table" data-testid="conflict-diff">
                  <thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">Now on the server</th></tr></thead>
                  <tbody>
                    {conflict.changes.map((c) => (
                      <tr key={c.field}><th scope="row">{c.label}</th><td className="diff-old">{c.before}</td><td className="diff-new">{c.after}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : <p className="muted">No visible field changed (only its version).</p>}
            <p>Your edit: {patchFields(conflict.patch, customFields.data).map((f) => <code key={f} style={{ marginRight: 6 }}>{f}</code>)}</p>
          </>
        ) : null}
      </Dialog>
      <Dialog open={confirmDelete} onClose={() => setConfirmDelete(false)} title={`Delete ${t.key}?`}
        footer={<><Button onClick={() => setConfirmDelete(false)}>Cancel</Button><Button variant="danger" onClick={() => del.mutate()} disabled={del.isPending}>Delete ticket</Button></>}>
        <p>The ticket disappears from lists and boards. Its number is not reused and the audit log keeps its last state.</p>
      </Dialog>
    </article>
  );
}

function TitleEditor({ title, canEdit, onSave }: { title: string; canEdit: boolean; onSave: (t: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(title);
  useEffect(() => { if (!editing) setDraft(title); }, [title, editing]);
  if (!editing) {
    return (
      <h1 id="ticket-title" className="ticket-title">
        {canEdit ? (
          <button type="button" className="inline-edit" onClick={() => setEditing(true)} aria-label={`Title: ${title}. Edit title`}>{title}</button>
        ) : title}
      </h1>
    );
  }
  const commit = () => {
    setEditing(false);
    const v = draft.trim();
    if (v && v !== title) onSave(v);
  };
  return (
    <form onSubmit={(e) => { e.preventDefault(); commit(); }} className="title-form">
      <h1 id="ticket-title" className="visually-hidden">{title}</h1>
      <TextField label="Title" hideLabel value={draft} autoFocus maxLength={500} className="title-input"
        onChange={(e) => setDraft(e.target.value)} onBlur={commit}
        onKeyDown={(e) => { if (e.key === "Escape") { e.preventDefault(); setDraft(title); setEditing(false); } }} />
    </form>
  );
}

function DescriptionEditor({ description, canEdit, onSave }: { description: string; canEdit: boolean; onSave: (d: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(description);
  const save = () => { setEditing(false); if (draft !== description) onSave(draft); };
  if (editing) {
    return (
      <section className="ticket-desc" aria-label="Description">
        <MarkdownEditor label="Description" value={draft} onChange={setDraft} autoFocus rows={10} onSubmitShortcut={save} testId="description-input" />
        <div className="row" style={{ marginTop: 8 }}>
          <Button variant="primary" size="sm" onClick={save}>Save description</Button>
          <Button size="sm" onClick={() => { setDraft(description); setEditing(false); }}>Cancel</Button>
        </div>
      </section>
    );
  }
  return (
    <section className="ticket-desc" aria-label="Description">
      <div className="row-between"><h2 className="section-title">Description</h2>
        {canEdit ? <Button size="sm" variant="ghost" onClick={() => { setDraft(description); setEditing(true); }}>Edit description</Button> : null}
      </div>
      {description.trim() ? (
        <Suspense fallback={<p className="prewrap">{description}</p>}>
          <Markdown source={description} />
        </Suspense>
      ) : <p className="muted">{canEdit ? "No description yet. Add one to give context." : "No description."}</p>}
    </section>
  );
}

function TransitionBar({ org, ticket, etag, canTransition }: { org: string; ticket: Ticket; etag: string | null; canTransition: boolean }) {
  const qc = useQueryClient();
  const toast = useToast();
  const tr = useTransitions(org, ticket.key, canTransition);
  const move = useMutation({
    scope: { id: `ticket:${org}:${ticket.key}` },
    mutationFn: (to: string) => {
      const cur = qc.getQueryData<TicketEntry>(qk.ticket(org, ticket.key));
      return endpoints.transition(org, ticket.key, to, cur?.etag ?? etag ?? `"${ticket.version}"`);
    },
    onMutate: (to) => {
      const prev = qc.getQueryData<TicketEntry>(qk.ticket(org, ticket.key));
      const status = tr.data?.transitions.find((x) => x.to.name === to)?.to;
      if (prev && status) qc.setQueryData<TicketEntry>(qk.ticket(org, ticket.key), { ...prev, data: { ...prev.data, status } });
      return { prev };
    },
    onError: (e, _to, ctx) => {
      if (ctx?.prev) qc.setQueryData(qk.ticket(org, ticket.key), ctx.prev);
      if (isApiError(e) && e.status === 412) {
        toast.error(`${ticket.key} changed on the server; it has been reloaded. Try the move again.`);
        void qc.invalidateQueries({ queryKey: qk.ticket(org, ticket.key) });
      } else if (!(isApiError(e) && e.status === 402)) toast.error(describeError(e));
      void qc.invalidateQueries({ queryKey: qk.transitions(org, ticket.key) });
    },
    onSuccess: ({ data, etag: tag }) => {
      storeTicket(qc, org, data, tag);
      void qc.invalidateQueries({ queryKey: qk.transitions(org, ticket.key) });
      void qc.invalidateQueries({ queryKey: qk.history(org, ticket.key) });
      void qc.invalidateQueries({ queryKey: qk.board(org, data.project) });
      void qc.invalidateQueries({ queryKey: qk.searchAll(org), refetchType: "none" });
    },
  });
  return (
    <div className="row transition-bar" role="group" aria-label="Status">
      <span className={`status-pill status-pill-lg cat-${ticket.status.category}`} data-testid="ticket-status">{ticket.status.name}</span>
      {canTransition && tr.data
        ? tr.data.transitions.map((x) => (
            <Button key={x.id} size="sm" onClick={() => move.mutate(x.to.name)} disabled={move.isPending}
              aria-label={`${x.name} (move to ${x.to.name})`} data-testid={`transition-${x.to.name}`}>
              {x.name}{x.name.toLowerCase() !== x.to.name.toLowerCase() ? <span aria-hidden="true"> → {x.to.name}</span> : null}
            </Button>
          ))
        : null}
    </div>
  );
}

/**
 * A due date saved once it is a whole, plausible date (typing the year digit by digit would
 * otherwise save 0002, 0020, ...): after a pause, on blur, or at once when cleared.
 */
function DueDateField({ value, disabled, onSave }: { value: string | null; disabled: boolean; onSave: (d: string | null) => void }) {
  const [draft, setDraft] = useState(value ?? "");
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => setDraft(value ?? ""), [value]);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  const commit = (v: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const next = v || null;
    if (next === value) return;
    if (next && !/^(19[7-9]\d|2\d{3})-\d{2}-\d{2}$/.test(next)) return;
    onSave(next);
  };
  return (
    <TextField label="Due date" type="date" value={draft} disabled={disabled}
      onChange={(e) => {
        const v = e.target.value;
        setDraft(v);
        if (timer.current) clearTimeout(timer.current);
        if (!v) commit(v);
        else timer.current = setTimeout(() => commit(v), 700);
      }}
      onBlur={() => commit(draft)} />
  );
}

function Details({ org, ticket: t, canEdit, patch, customErrors }: { org: string; ticket: Ticket; canEdit: boolean; patch: (p: import("../api/types").TicketPatch) => void; customErrors: Record<string, string> }) {
  const members = useQuery({ queryKey: qk.members(org), queryFn: () => endpoints.members(org), staleTime: 60_000 });
  const [labels, setLabels] = useState(t.labels.join(", "));
  useEffect(() => setLabels(t.labels.join(", ")), [t.labels]);
  const saveLabels = () => {
    const next = parseLabels(labels);
    if (next.join(",") !== t.labels.join(",")) patch({ labels: next });
  };
  return (
    <div className="stack details">
      <SelectField label="Type" value={t.type} disabled={!canEdit} onChange={(e) => patch({ type: e.target.value as TicketType })}>
        {TICKET_TYPES.map((x) => <option key={x} value={x}>{TYPE_ICON[x]} {TYPE_LABEL[x]}</option>)}
      </SelectField>
      <SelectField label="Priority" value={t.priority} disabled={!canEdit} onChange={(e) => patch({ priority: e.target.value as Priority })}>
        {PRIORITIES.map((x) => <option key={x} value={x}>{PRIORITY_LABEL[x]}</option>)}
      </SelectField>
      <SelectField label="Assignee" value={t.assignee?.login ?? ""} disabled={!canEdit}
        onChange={(e) => patch({ assignee: e.target.value || null })}>
        <option value="">Unassigned</option>
        {t.assignee && !members.data?.items.some((m) => m.user.login === t.assignee!.login) ? <option value={t.assignee.login}>{t.assignee.name}</option> : null}
        {(members.data?.items ?? []).filter((m) => m.role !== "billing").map((m) => (
          <option key={m.user.login} value={m.user.login}>{m.user.name} (@{m.user.login})</option>
        ))}
      </SelectField>
      <TextField label="Labels" value={labels} disabled={!canEdit} onChange={(e) => setLabels(e.target.value)} onBlur={saveLabels}
        onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); saveLabels(); } }} hint={canEdit ? "Comma-separated; Enter to save." : undefined} />
      {t.labels.length ? <div className="row">{t.labels.map((l) => <span key={l} className="badge label-badge">{l}</span>)}</div> : null}
      <DueDateField value={t.due_date} disabled={!canEdit} onSave={(d) => patch({ due_date: d })} />
      <ComponentsField org={org} ticket={t} canEdit={canEdit} patch={patch} />
      <TicketCustomFields org={org} ticket={t} canEdit={canEdit} patch={patch} errors={customErrors} />
      <EstimateFields ticket={t} canEdit={canEdit} patch={patch} />
      <TimeTrackingSummary org={org} ticket={t} canLog={canEdit} />
      <ParentField org={org} ticket={t} canEdit={canEdit} patch={patch} />
      <dl className="meta-list">
        <dt>Sprint</dt>
        <dd data-testid="ticket-sprint">
          <Link to={`/${org}/projects/${t.project}/backlog`}>{t.sprint ? t.sprint.name : "Backlog (no open sprint)"}</Link>
        </dd>
        <dt>Reporter</dt><dd className="row"><Avatar login={t.reporter.login} name={t.reporter.name} /> {t.reporter.name}</dd>
        <dt>Created</dt><dd title={fullTime(t.created_at)}>{relativeTime(t.created_at)}</dd>
        <dt>Updated</dt><dd title={fullTime(t.updated_at)}>{relativeTime(t.updated_at)}</dd>
        {t.resolved_at ? <><dt>Resolved</dt><dd title={fullTime(t.resolved_at)}>{relativeTime(t.resolved_at)}</dd></> : null}
      </dl>
    </div>
  );
}
