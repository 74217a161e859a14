import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { describeError, isApiError, newIdempotencyKey } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { can, type AdjustEstimate, type NewWorklog, type Page, type Role, type Ticket, type Worklog, type WorklogPatch } from "../../api/types";
import { useMe } from "../../app/session";
import { formatDuration, readDuration } from "../../lib/duration";
import { fullTime, relativeTime } from "../../lib/format";
import { Avatar, Button, Dialog, Menu, SkeletonRows, TextAreaField, TextField, useToast } from "../../ui";
import { fromLocalInput, MAX_WORKLOG_MINUTES, remainingAfter, timeSummary, toLocalInput } from "./timeTracking";

/** Every worklog of the ticket, oldest first (each page of the cursor list). */
export function worklogsQuery(org: string, ticketKey: string) {
  return {
    queryKey: qk.worklogs(org, ticketKey),
    queryFn: async (): Promise<Page<Worklog>> => {
      const items: Worklog[] = [];
      let cursor: string | null | undefined = null;
      do {
        const page = await endpoints.worklogs(org, ticketKey, cursor);
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return { items, next_cursor: null };
    },
    staleTime: 15_000,
  };
}

/** How many worklogs the ticket has (reads the cache the Work log tab fills). */
export function useWorklogCount(org: string, ticketKey: string): number | undefined {
  return useQuery(worklogsQuery(org, ticketKey)).data?.items.length;
}

/** A worklog changes the ticket's totals, version and history: read them again. */
function worklogsChanged(qc: QueryClient, org: string, ticket: Ticket) {
  void qc.invalidateQueries({ queryKey: qk.worklogs(org, ticket.key) });
  void qc.invalidateQueries({ queryKey: qk.ticket(org, ticket.key) });
  void qc.invalidateQueries({ queryKey: qk.history(org, ticket.key) });
  void qc.invalidateQueries({ queryKey: qk.searchAll(org), refetchType: "none" });
  void qc.invalidateQueries({ queryKey: qk.board(org, ticket.project), refetchType: "none" });
}

/** Jira's time tracking box: a bar of logged against remaining, and the three numbers. */
export function TimeTrackingSummary({ org, ticket: t, canLog }: { org: string; ticket: Ticket; canLog: boolean }) {
  const [logging, setLogging] = useState(false);
  const s = timeSummary(t);
  return (
    <section className="time-tracking" aria-label="Time tracking" data-testid="time-tracking">
      <div className="row-between">
        <h2 className="section-title">Time tracking</h2>
        {canLog ? <Button size="sm" onClick={() => setLogging(true)}>Log time</Button> : null}
      </div>
      <div className="progress time-progress" role="progressbar" aria-label="Time logged" aria-valuemin={0} aria-valuemax={100}
        aria-valuenow={s.loggedPercent} aria-valuetext={s.text} data-over={s.over > 0 || undefined}>
        <div className="progress-bar" style={{ width: `${s.loggedPercent}%` }} />
      </div>
      <p className="visually-hidden" data-testid="time-summary">{s.text}</p>
      <dl className="time-numbers" aria-hidden="true">
        <div><dt>Estimated</dt><dd data-testid="time-original">{s.original !== null ? formatDuration(s.original) : "—"}</dd></div>
        <div><dt>Logged</dt><dd data-testid="time-spent">{formatDuration(s.spent)}</dd></div>
        <div><dt>Remaining</dt><dd data-testid="time-remaining">{s.remaining !== null ? formatDuration(s.remaining) : "—"}</dd></div>
      </dl>
      {s.over > 0 ? <p className="hint" data-testid="time-over">{formatDuration(s.over)} over the estimate</p> : null}
      {logging ? <WorklogDialog org={org} ticket={t} onClose={() => setLogging(false)} /> : null}
    </section>
  );
}

type FieldErrors = Partial<Record<"minutes" | "started_at" | "comment" | "new_estimate" | "form", string>>;

/** The API's field names, as the dialog's fields. */
function fieldOf(field: string | null | undefined): keyof FieldErrors {
  if (field === "minutes" || field === "started_at" || field === "comment" || field === "new_estimate") return field;
  return "form";
}

/**
 * Log work (no `worklog`) or change a worklog. A submission carries an Idempotency-Key
 * kept while its body stays the same, so a double click or a retry after a network
 * error logs once; a changed form is a new submission with a new key.
 */
export function WorklogDialog({ org, ticket: t, worklog, onClose }: { org: string; ticket: Ticket; worklog?: Worklog; onClose: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const editing = worklog !== undefined;
  const [spent, setSpent] = useState(worklog ? formatDuration(worklog.minutes) : "");
  const [started, setStarted] = useState(() => toLocalInput(worklog ? new Date(worklog.started_at) : new Date()));
  const [comment, setComment] = useState(worklog?.comment ?? "");
  const [adjust, setAdjust] = useState<Exclude<AdjustEstimate, "manual">>("auto");
  const [newEstimate, setNewEstimate] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const submission = useRef<{ body: string; key: string } | null>(null);
  const form = useRef<HTMLFormElement>(null);
  // showModal() (in the Dialog's effect, after this one) focuses the close button; the first field is what people want.
  useEffect(() => {
    const id = requestAnimationFrame(() => form.current?.querySelector<HTMLInputElement>("input")?.focus());
    return () => cancelAnimationFrame(id);
  }, []);

  const save = useMutation({
    mutationFn: (body: NewWorklog | WorklogPatch) => {
      if (worklog) return endpoints.editWorklog(org, t.key, worklog.id, body as WorklogPatch, worklog.version);
      const json = JSON.stringify(body);
      if (submission.current?.body !== json) submission.current = { body: json, key: newIdempotencyKey() };
      return endpoints.createWorklog(org, t.key, body as NewWorklog, submission.current.key);
    },
    onSuccess: (w) => {
      worklogsChanged(qc, org, t);
      toast.success(editing ? "Worklog saved." : `${formatDuration(w.minutes)} logged on ${t.key}.`);
      onClose();
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 412) {
        toast.error("This worklog was changed by someone else; it has been reloaded.");
        worklogsChanged(qc, org, t);
        onClose();
      } else if (isApiError(e) && e.status === 422) {
        setErrors({ [fieldOf(e.problem.field)]: describeError(e) });
      } else if (!(isApiError(e) && e.status === 402)) {
        setErrors({ form: `${editing ? "Not saved" : "Not logged"}: ${describeError(e)}` });
      }
    },
  });

  const reading = readDuration(spent);
  // A remaining estimate of 0m is one of its own (the work is done).
  const estimateReading = adjust === "new" ? readDuration(newEstimate, { min: 0 }) : null;
  const preview = reading.ok ? remainingAfter(t, editing ? reading.minutes - worklog.minutes : reading.minutes, adjust,
    estimateReading?.ok ? estimateReading.minutes : null) : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (save.isPending) return;
    const next: FieldErrors = {};
    if (!reading.ok) next.minutes = reading.message;
    const startedAt = fromLocalInput(started);
    if (!startedAt) next.started_at = "Enter the date and time the work started.";
    const est = estimateReading;
    if (est && !est.ok) next.new_estimate = est.message;
    setErrors(next);
    if (!reading.ok || !startedAt || (est && !est.ok)) return;
    const estimate = adjust === "new" && est?.ok ? { new_estimate: est.minutes } : {};
    if (worklog) {
      const body: WorklogPatch = { adjust_estimate: adjust, ...estimate };
      if (reading.minutes !== worklog.minutes) body.minutes = reading.minutes;
      if (started !== toLocalInput(new Date(worklog.started_at))) body.started_at = startedAt;
      if (comment !== worklog.comment) body.comment = comment;
      if (body.minutes === undefined && body.started_at === undefined && body.comment === undefined && adjust !== "new") { onClose(); return; }
      save.mutate(body);
    } else {
      save.mutate({ minutes: reading.minutes, started_at: startedAt, comment, adjust_estimate: adjust, ...estimate });
    }
  };

  const current = t.remaining_estimate ?? t.original_estimate ?? null;
  const radio = (value: typeof adjust, label: string) => (
    <label className="checkbox">
      <input type="radio" name="adjust-estimate" value={value} checked={adjust === value} onChange={() => setAdjust(value)} />
      <span>{label}</span>
    </label>
  );
  const title = editing ? `Edit worklog of ${worklog.author.name}` : `Log time on ${t.key}`;
  return (
    <Dialog open onClose={onClose} title={title} dismissOnBackdrop={false}
      footer={<>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="primary" type="submit" form="worklog-form" disabled={save.isPending}>{editing ? "Save worklog" : "Log time"}</Button>
      </>}>
      <form id="worklog-form" ref={form} className="stack" onSubmit={submit} noValidate>
        <TextField label="Time spent" value={spent} placeholder="e.g. 2h 30m" error={errors.minutes}
          hint="w (5 days), d (8 hours), h, m — like 2h 30m, 1d or 90m." data-testid="worklog-time"
          onChange={(e) => { setSpent(e.target.value); if (errors.minutes) setErrors((x) => ({ ...x, minutes: undefined })); }} />
        <TextField label="Started at" type="datetime-local" value={started} error={errors.started_at}
          onChange={(e) => setStarted(e.target.value)} />
        <TextAreaField label="Comment (optional)" value={comment} rows={3} maxLength={10_000} error={errors.comment}
          onChange={(e) => setComment(e.target.value)} />
        <fieldset className="stack adjust-estimate">
          <legend>Remaining estimate</legend>
          {radio("auto", "Adjust automatically")}
          {radio("new", "Set to")}
          {adjust === "new" ? (
            <TextField label="New remaining estimate" value={newEstimate} placeholder="e.g. 4h" error={errors.new_estimate}
              onChange={(e) => setNewEstimate(e.target.value)} />
          ) : null}
          {radio("leave", "Leave unchanged")}
          <span className="hint" data-testid="remaining-preview" aria-live="polite">
            {current === null && adjust !== "new"
              ? "The ticket has no estimate; nothing to adjust."
              : preview !== null
                ? `Remaining: ${current !== null ? formatDuration(current) : "none"} → ${formatDuration(preview)}`
                : `Remaining now: ${current !== null ? formatDuration(current) : "none"}`}
          </span>
        </fieldset>
        {errors.form ? <p className="error-text" role="alert" data-testid="worklog-error">{errors.form}</p> : null}
        <span className="hint">At most a calendar week ({MAX_WORKLOG_MINUTES.toLocaleString("en")} minutes) per worklog.</span>
      </form>
    </Dialog>
  );
}

/** The Work log tab: who logged what and when; authors and moderators edit and delete. */
export function WorkLog({ org, ticket: t, canEdit, role }: { org: string; ticket: Ticket; canEdit: boolean; role: Role | undefined }) {
  const qc = useQueryClient();
  const toast = useToast();
  const me = useMe().data;
  const list = useQuery(worklogsQuery(org, t.key));
  const [editing, setEditing] = useState<Worklog | null>(null);
  const [deleting, setDeleting] = useState<Worklog | null>(null);
  const moderate = can(role, "worklogs.moderate");
  const del = useMutation({
    mutationFn: (w: Worklog) => endpoints.deleteWorklog(org, t.key, w.id, w.version),
    onSuccess: (_r, w) => {
      qc.setQueryData<Page<Worklog>>(qk.worklogs(org, t.key), (p) => p && { ...p, items: p.items.filter((x) => x.id !== w.id) });
      worklogsChanged(qc, org, t);
      setDeleting(null);
      toast.success(`Worklog of ${formatDuration(w.minutes)} deleted.`);
    },
    onError: (e) => {
      setDeleting(null);
      if (isApiError(e) && e.status === 412) toast.error("This worklog was changed by someone else; it has been reloaded.");
      else if (isApiError(e) && e.status === 404) toast.error("That worklog was already deleted.");
      else if (!(isApiError(e) && e.status === 402)) toast.error(`Not deleted: ${describeError(e)}`);
      worklogsChanged(qc, org, t);
    },
  });
  const items = list.data?.items ?? [];
  return (
    <section aria-label="Work log" className="work-log" data-testid="work-log">
      {list.isLoading ? <SkeletonRows rows={2} label="Loading the work log" /> : null}
      {list.isError ? <p className="error-text" role="alert">Could not load the work log: {describeError(list.error)}</p> : null}
      {list.data && items.length === 0 ? (
        <p className="muted" data-testid="work-log-empty">{canEdit ? "No time logged yet. Use “Log time” in Time tracking." : "No time logged yet."}</p>
      ) : null}
      <ol className="comment-list">
        {items.map((w) => {
          const mayChange = canEdit && (me?.id === w.author.id || moderate);
          return (
            <li key={w.id} className="comment worklog" aria-label={`Worklog by ${w.author.name}: ${formatDuration(w.minutes)}`} data-testid="worklog">
              <Avatar login={w.author.login} name={w.author.name} size="lg" />
              <div className="comment-body grow">
                <div className="row-between">
                  <div className="row">
                    <strong>{w.author.name}</strong>
                    <span>logged <strong data-testid="worklog-minutes">{formatDuration(w.minutes)}</strong></span>
                    <span className="muted">started <time dateTime={w.started_at} title={relativeTime(w.started_at)}>{fullTime(w.started_at)}</time></span>
                    {w.updated_at !== w.created_at ? <span className="muted" title={fullTime(w.updated_at)}>(edited)</span> : null}
                  </div>
                  {mayChange ? (
                    <Menu label={`Actions for the worklog by ${w.author.name} (${formatDuration(w.minutes)})`} align="end" buttonClassName="btn btn-ghost btn-sm btn-icon"
                      buttonContent={<span aria-hidden="true">⋯</span>}
                      items={[
                        { label: "Edit worklog", onSelect: () => setEditing(w) },
                        { label: "Delete worklog", onSelect: () => setDeleting(w) },
                      ]} />
                  ) : null}
                </div>
                {w.comment ? <p className="prewrap">{w.comment}</p> : null}
              </div>
            </li>
          );
        })}
      </ol>
      {editing ? <WorklogDialog org={org} ticket={t} worklog={editing} onClose={() => setEditing(null)} /> : null}
      <Dialog open={deleting !== null} onClose={() => setDeleting(null)} title="Delete this worklog?"
        footer={<>
          <Button onClick={() => setDeleting(null)}>Cancel</Button>
          <Button variant="danger" onClick={() => deleting && del.mutate(deleting)} disabled={del.isPending}>Delete worklog</Button>
        </>}>
        {deleting ? (
          <p>
            {formatDuration(deleting.minutes)} by {deleting.author.name} leaves the work log; the time logged on {t.key} goes down by as
            much{t.remaining_estimate != null || t.original_estimate != null ? " and the remaining estimate grows by it" : ""}.
          </p>
        ) : null}
      </Dialog>
    </section>
  );
}
