import { Fragment, useMemo, useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { endpoints, qk } from "../../api/endpoints";
import { can, type AuditEntry, type AuditEntryWithActor, type AuditFilters, type Role } from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import { fullTime, relativeTime } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { Button, SelectField, SkeletonRows, TextField } from "../../ui";

const ENTITY_TYPES = ["org", "project", "ticket", "comment", "token", "filter", "member", "invitation"];
const KNOWN_ACTIONS = [
  "ticket.", "ticket.create", "ticket.update", "ticket.transition", "ticket.delete",
  "comment.", "comment.create", "comment.update", "comment.delete",
  "project.", "member.", "invitation.", "token.", "org.", "filter.",
];

/** Fields whose value differs between an entry's `before` and `after` snapshots. */
export function changedFields(e: AuditEntry): Array<{ field: string; before: string; after: string }> {
  const b = (e.before ?? {}) as Record<string, unknown>;
  const a = (e.after ?? {}) as Record<string, unknown>;
  const keys = Array.from(new Set([...Object.keys(b), ...Object.keys(a)])).filter((k) => k !== "updated_at" && k !== "version");
  const fmt = (v: unknown) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));
  return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => ({ field: k, before: fmt(b[k]), after: fmt(a[k]) }));
}

/** Whether an entry matches the filters (the server applies them too, when it knows them). */
export function matchesAudit(e: AuditEntryWithActor, f: AuditFilters, login: (id: string | null | undefined) => string | undefined, text = ""): boolean {
  if (f.action && !(e.action === f.action || (f.action.endsWith(".") && e.action.startsWith(f.action)))) return false;
  if (f.entity_type && e.entity_type !== f.entity_type) return false;
  if (f.actor && (e.actor?.login ?? login(e.actor_id)) !== f.actor) return false;
  if (f.since && e.created_at < f.since) return false;
  if (text && !JSON.stringify([e.after, e.before, e.request_id, e.entity_id]).toLowerCase().includes(text.toLowerCase())) return false;
  return true;
}

export function AuditTab({ org, role }: { org: string; role: Role | undefined }) {
  const [action, setAction] = useState("");
  const [entity, setEntity] = useState("");
  const [actor, setActor] = useState("");
  const [since, setSince] = useState("");
  const [text, setText] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const typedAction = useDebounced(action.trim(), 300);
  const filters: AuditFilters = useMemo(() => ({
    action: typedAction || undefined,
    entity_type: entity || undefined,
    actor: actor || undefined,
    since: since ? new Date(`${since}T00:00:00`).toISOString() : undefined,
  }), [typedAction, entity, actor, since]);
  const log = useInfiniteQuery({
    queryKey: [...qk.audit(org), filters],
    queryFn: ({ pageParam }) => endpoints.auditLog(org, pageParam, filters),
    initialPageParam: null as string | null,
    getNextPageParam: (p) => p.next_cursor ?? undefined,
    enabled: can(role, "audit.read"),
    placeholderData: (prev) => prev,
  });
  const members = useQuery({ queryKey: qk.members(org), queryFn: () => endpoints.members(org), staleTime: 60_000 });
  const users = useMemo(() => new Map((members.data?.items ?? []).map((m) => [m.user.id, m.user])), [members.data]);
  const all = useMemo(() => log.data?.pages.flatMap((p) => p.items) ?? [], [log.data]);
  const login = (id: string | null | undefined) => (id ? users.get(id)?.login : undefined);
  const rows = all.filter((e) => matchesAudit(e, filters, login, text));
  const serverIgnoredFilters = all.some((e) => !matchesAudit(e, filters, login));

  if (!can(role, "audit.read")) return <p className="muted">Only owners and admins read the audit log.</p>;
  if (log.isError) return <ErrorState error={log.error} what="the audit log" />;
  if (!log.data) return <SkeletonRows rows={6} label="Loading the audit log" />;

  return (
    <section aria-label="Audit log" className="stack">
      <div className="filters-row">
        <TextField label="Action" value={action} onChange={(e) => setAction(e.target.value)} list="audit-actions" placeholder="ticket.update or ticket." />
        <datalist id="audit-actions">{KNOWN_ACTIONS.map((a) => <option key={a} value={a} />)}</datalist>
        <SelectField label="Entity" value={entity} onChange={(e) => setEntity(e.target.value)}>
          <option value="">All entities</option>
          {ENTITY_TYPES.map((a) => <option key={a} value={a}>{a}</option>)}
        </SelectField>
        <SelectField label="Actor" value={actor} onChange={(e) => setActor(e.target.value)}>
          <option value="">Anyone</option>
          {(members.data?.items ?? []).map((m) => <option key={m.user.id} value={m.user.login}>@{m.user.login}</option>)}
        </SelectField>
        <TextField label="Since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        <TextField label="Contains" value={text} onChange={(e) => setText(e.target.value)} placeholder="WEB-12, request id…" />
      </div>
      {serverIgnoredFilters ? (
        <p className="hint">This server does not filter the audit log yet: the filters apply to the {all.length.toLocaleString()} entries loaded so far.</p>
      ) : null}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit log entries table">
        <table className="table audit-table">
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">What</th><th scope="col"><span className="visually-hidden">Details</span></th></tr></thead>
          <tbody>
            {rows.length === 0 ? <tr><td colSpan={5} className="muted">No entries match.</td></tr> : null}
            {rows.map((e) => {
              const who = e.actor ?? (e.actor_id ? users.get(e.actor_id) : null);
              const after = (e.after ?? e.before ?? {}) as Record<string, unknown>;
              const label = typeof after.key === "string" ? after.key : typeof after.name === "string" ? after.name : e.entity_id.slice(0, 8);
              const changes = changedFields(e);
              return (
                <Fragment key={e.id}>
                  <tr>
                    <td title={fullTime(e.created_at)} className="muted">{relativeTime(e.created_at)}</td>
                    <td>{who ? `@${who.login}` : e.actor_id ? <span className="muted">former member</span> : <span className="muted">system</span>}{e.token_id ? <span className="badge" style={{ marginLeft: 4 }}>token</span> : null}</td>
                    <td><code>{e.action}</code></td>
                    <td>{e.entity_type} <strong>{label}</strong></td>
                    <td>{changes.length ? <Button size="sm" variant="ghost" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>{open === e.id ? "Hide" : "Changes"}<span className="visually-hidden"> of {e.action} {label}</span></Button> : null}</td>
                  </tr>
                  {open === e.id ? (
                    <tr className="audit-detail"><td colSpan={5}>
                      <dl className="change-list">
                        {changes.map((c) => <Fragment key={c.field}><dt>{c.field}</dt><dd><span className="diff-old">{c.before.slice(0, 300)}</span> → <span className="diff-new">{c.after.slice(0, 300)}</span></dd></Fragment>)}
                      </dl>
                      {e.request_id ? <p className="hint">Request id <code>{e.request_id}</code>{e.ip ? ` · from ${e.ip}` : ""}</p> : null}
                    </td></tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {log.hasNextPage ? <div><Button onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>{log.isFetchingNextPage ? "Loading…" : "Load older entries"}</Button></div> : <p className="hint">That is the whole log{Object.values(filters).some(Boolean) ? " for these filters" : ""}.</p>}
    </section>
  );
}
