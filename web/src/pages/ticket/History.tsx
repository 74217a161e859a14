import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import type { HistoryChange, HistoryEntry, Role } from "../../api/types";
import { can } from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import { fullTime, relativeTime } from "../../lib/format";
import { Avatar, Button, SkeletonRows } from "../../ui";

const FIELD: Record<string, string> = {
  title: "Title", description: "Description", type: "Type", priority: "Priority", assignee: "Assignee",
  labels: "Labels", due_date: "Due date", status: "Status", resolved_at: "Resolved", comment: "Comment",
  attachment: "File", story_points: "Story points", original_estimate: "Original estimate", start_date: "Start date",
  components: "Components", parent: "Parent", sprint: "Sprint",
};

const VERB: Record<string, string> = {
  "ticket.create": "created the ticket",
  "ticket.update": "changed",
  "ticket.replace": "changed",
  "ticket.transition": "moved the ticket",
  "ticket.delete": "deleted the ticket",
  "comment.create": "commented",
  "comment.update": "edited a comment",
  "comment.delete": "deleted a comment",
  "attachment.confirm": "attached a file",
  "attachment.delete": "deleted a file",
  // A workflow change moved the ticket (its status was deleted, or the workflow copied).
  "ticket.resolution": "changed the resolution",
};

/** A history value as words: empty, a list, a date, or the value itself. */
export function historyValue(v: unknown): string {
  if (v === null || v === undefined || v === "") return "empty";
  if (Array.isArray(v)) return v.length ? v.map(historyValue).join(", ") : "none";
  if (typeof v === "string") {
    if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return fullTime(v);
    return v.length > 140 ? `${v.slice(0, 140)}…` : v;
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function Change({ c }: { c: HistoryChange }) {
  // An attachment entry's one change: the file name appears (attached) or goes (deleted).
  if (c.field === "attachment") {
    const added = c.to !== null && c.to !== undefined;
    return (
      <li>
        <span className="hist-field">{FIELD.attachment}</span>{" "}
        <span className={added ? "diff-new" : "diff-old"}>{historyValue(added ? c.to : c.from)}</span>
      </li>
    );
  }
  if (c.field === "description" || c.field === "comment") {
    return <li><span className="hist-field">{FIELD[c.field]}</span> <span className="diff-new">{historyValue(c.to)}</span></li>;
  }
  return (
    <li>
      <span className="hist-field">{FIELD[c.field] ?? c.field}</span>{" "}
      <span className="diff-old">{historyValue(c.from)}</span> <span aria-hidden="true">→</span><span className="visually-hidden"> to </span>{" "}
      <span className="diff-new">{historyValue(c.to)}</span>
    </li>
  );
}

/** The ticket's history from the audit trail: who changed what, newest first. */
export function History({ org, ticketKey, role, createdAt, reporter }: { org: string; ticketKey: string; role: Role | undefined; createdAt: string; reporter: string }) {
  const history = useInfiniteQuery({
    queryKey: qk.history(org, ticketKey),
    queryFn: ({ pageParam }) => endpoints.ticketHistory(org, ticketKey, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (p) => p.next_cursor ?? undefined,
    retry: false,
    staleTime: 10_000,
  });
  if (history.isError) {
    // A server without the history route answers 404 for it (the ticket itself exists).
    if (isApiError(history.error) && history.error.status === 404) {
      return (
        <div className="placeholder-box" data-testid="history-placeholder">
          <h3>History arrives with the per-ticket audit trail</h3>
          <p className="muted">This server does not offer a ticket’s history yet.
            {can(role, "audit.read") ? <> Meanwhile, see the <Link to={`/${org}/settings/audit`}>organization audit log</Link>.</> : null}
          </p>
          <p className="muted">Created {fullTime(createdAt)} by {reporter}.</p>
        </div>
      );
    }
    return <ErrorState error={history.error} what="the history" retry={() => void history.refetch()} />;
  }
  if (!history.data) return <SkeletonRows rows={3} label="Loading history" />;
  // An edit that changed nothing (an empty PATCH) is in the audit trail but is not news.
  const entries: HistoryEntry[] = history.data.pages
    .flatMap((p) => p.items)
    .filter((e) => e.changes.length > 0 || !/\.(update|replace)$/.test(e.action));
  return (
    <section aria-label="History" data-testid="history">
      {entries.length === 0 ? <p className="muted">No changes yet.</p> : null}
      <ol className="history-list">
        {entries.map((e) => (
          <li key={e.id} className="history-entry">
            {e.actor ? <Avatar login={e.actor.login} name={e.actor.name} /> : <span className="avatar" style={{ background: "var(--text-faint)" }} aria-hidden="true">·</span>}
            <div className="grow">
              <div className="row">
                <strong>{e.actor ? e.actor.name : "Trellis"}</strong>
                <span>{VERB[e.action] ?? e.action}</span>
                <span className="muted" title={fullTime(e.at)}>{relativeTime(e.at)}</span>
              </div>
              {e.changes.length ? <ul className="history-changes">{e.changes.map((c) => <Change key={c.field} c={c} />)}</ul> : null}
            </div>
          </li>
        ))}
      </ol>
      {history.hasNextPage ? <Button size="sm" onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage}>Older changes</Button> : null}
    </section>
  );
}
