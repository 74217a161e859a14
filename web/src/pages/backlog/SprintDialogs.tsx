// The sprint dialogs of the backlog: create and edit (name, goal, dates), start (the
// dates and goal once more; one active sprint per project), complete (where the open
// tickets go, then what happened) and delete (future sprints only).
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import type { Completion, NewSprint, Sprint, SprintPatch } from "../../api/types";
import { plural } from "../../lib/format";
import { quote } from "../../lib/jql";
import { Button, Dialog, TextAreaField, TextField } from "../../ui";
import { nameTaken, nextSprintName } from "./layout";
import { backlogJqls, sprintTicketsJql } from "./queries";

type FieldErrors = Partial<Record<"name" | "goal" | "start_date" | "end_date" | "move_open_to", string>>;

/** A problem as a person reads it: the API's detail without code quotes. */
export function sprintProblem(e: unknown): string {
  if (isApiError(e)) {
    if (e.status === 412) return "Someone else changed this sprint since the page loaded. It has been refreshed: check it and try again.";
    if (e.kind === "active-sprint-exists") return `Another sprint is active: ${(e.problem.detail || e.problem.title).replace(/`/g, "")}.`;
  }
  return describeError(e).replace(/`/g, "");
}

/** The field a problem names (so it shows under that field), or null. */
function fieldOf(e: unknown): keyof FieldErrors | null {
  if (!isApiError(e) || !e.problem.field) return null;
  const f = e.problem.field;
  return f === "name" || f === "goal" || f === "start_date" || f === "end_date" || f === "move_open_to" ? f : null;
}

function splitError(e: unknown): { fields: FieldErrors; general: string | null } {
  const f = fieldOf(e);
  return f ? { fields: { [f]: sprintProblem(e) }, general: null } : { fields: {}, general: sprintProblem(e) };
}

export function todayIso(now = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, "0");
  const d = String(now.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  return todayIso(new Date(y!, m! - 1, d! + days));
}

/** Refresh whatever shows sprints or their tickets after a sprint changed. */
export function useSprintsChanged(org: string, project: string) {
  const qc = useQueryClient();
  return (tickets = false) => {
    void qc.invalidateQueries({ queryKey: qk.sprints(org, project) });
    if (tickets) {
      void qc.invalidateQueries({ queryKey: qk.search(org, sprintTicketsJql(project)), exact: true });
      for (const jql of backlogJqls(project)) void qc.invalidateQueries({ queryKey: qk.search(org, jql), exact: true });
      void qc.invalidateQueries({ queryKey: qk.board(org, project) });
    }
  };
}

function GeneralError({ text }: { text: string | null }) {
  return text ? <p className="error-text" role="alert" data-testid="sprint-error">{text}</p> : null;
}

function checkDates(start: string, end: string): string | null {
  return start && end && end < start ? "The end date is before the start date." : null;
}

export function SprintFormDialog({
  org, project, sprint, sprints, onClose,
}: {
  org: string;
  project: string;
  /** The sprint to edit; absent: a new one. */
  sprint?: Sprint;
  sprints: Sprint[];
  onClose: () => void;
}) {
  const changed = useSprintsChanged(org, project);
  const [name, setName] = useState(sprint?.name ?? nextSprintName(project, sprints));
  const [goal, setGoal] = useState(sprint?.goal ?? "");
  const [start, setStart] = useState(sprint?.start_date ?? "");
  const [end, setEnd] = useState(sprint?.end_date ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const editing = !!sprint;
  const clear = (f: keyof FieldErrors) => setErrors((e) => (e[f] ? { ...e, [f]: undefined } : e));

  const save = useMutation({
    mutationFn: () => {
      if (sprint) {
        const patch: SprintPatch = {};
        if (name.trim() !== sprint.name) patch.name = name.trim();
        if (goal !== sprint.goal) patch.goal = goal;
        if ((start || null) !== sprint.start_date) patch.start_date = start || null;
        if ((end || null) !== sprint.end_date) patch.end_date = end || null;
        return endpoints.updateSprint(org, sprint.id, patch, sprint.version);
      }
      const body: NewSprint = { name: name.trim(), goal, start_date: start || null, end_date: end || null };
      return endpoints.createSprint(org, project, body);
    },
    onSuccess: () => {
      changed();
      onClose();
    },
    onError: (e) => {
      const { fields, general: g } = splitError(e);
      setErrors(fields);
      setGeneral(g);
      if (isApiError(e) && e.status === 412) changed();
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: FieldErrors = {};
    if (!name.trim()) next.name = "A name is required.";
    else if (name.trim().length > 100) next.name = "At most 100 characters.";
    else if (nameTaken(name, sprints, sprint?.id)) next.name = "Another sprint of this project has this name (names are compared ignoring case).";
    if (goal.length > 2000) next.goal = "At most 2,000 characters.";
    const dates = checkDates(start, end);
    if (dates) next.end_date = dates;
    setErrors(next);
    setGeneral(null);
    if (Object.keys(next).length === 0) save.mutate();
  };

  return (
    <Dialog open onClose={onClose} title={editing ? `Edit ${sprint.name}` : "Create sprint"} dismissOnBackdrop={false}
      footer={<>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="primary" type="submit" form="sprint-form" disabled={save.isPending}>{editing ? "Save sprint" : "Create sprint"}</Button>
      </>}>
      <form id="sprint-form" className="stack" onSubmit={submit} noValidate>
        <TextField label="Name" value={name} onChange={(e) => { setName(e.target.value); clear("name"); }} autoFocus required maxLength={100} error={errors.name} />
        <TextAreaField label="Goal" hint="Optional: what the sprint is for." value={goal} onChange={(e) => { setGoal(e.target.value); clear("goal"); }} rows={3} className="sprint-goal-input" error={errors.goal} />
        <div className="form-grid">
          <TextField label="Start date" type="date" value={start} onChange={(e) => { setStart(e.target.value); clear("end_date"); clear("start_date"); }} error={errors.start_date} />
          <TextField label="End date" type="date" value={end} onChange={(e) => { setEnd(e.target.value); clear("end_date"); }} min={start || undefined} error={errors.end_date} />
        </div>
        <GeneralError text={general} />
      </form>
    </Dialog>
  );
}

export function StartSprintDialog({
  org, project, sprint, active, tickets, onClose,
}: {
  org: string;
  project: string;
  sprint: Sprint;
  /** The project's active sprint as this page knows it. */
  active: Sprint | null;
  tickets: number | null;
  onClose: () => void;
}) {
  const changed = useSprintsChanged(org, project);
  const [start, setStart] = useState(sprint.start_date ?? todayIso());
  const [end, setEnd] = useState(sprint.end_date ?? addDays(sprint.start_date ?? todayIso(), 14));
  const [goal, setGoal] = useState(sprint.goal);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);

  // Set once the start went through (a retry then only saves the dates and goal).
  const started = useRef<Sprint | null>(null);
  const run = useMutation({
    // Start first: a refused start (another sprint is active) changes nothing. Then the
    // dates and goal as edited here, on the started sprint's version.
    mutationFn: async () => {
      const now = started.current ?? (await endpoints.startSprint(org, sprint.id));
      started.current = now;
      const patch: SprintPatch = {};
      if (start !== (now.start_date ?? "")) patch.start_date = start || null;
      if (end !== (now.end_date ?? "")) patch.end_date = end || null;
      if (goal !== now.goal) patch.goal = goal;
      if (Object.keys(patch).length > 0) await endpoints.updateSprint(org, sprint.id, patch, now.version);
    },
    onSuccess: () => {
      changed(true);
      onClose();
    },
    onError: (e) => {
      const { fields, general: g } = splitError(e);
      setErrors(fields);
      setGeneral(started.current ? `${sprint.name} has started, but its dates or goal could not be saved: ${g ?? Object.values(fields)[0]}` : g);
      // Which sprint is active (or this one's dates) may have changed: show what is true now.
      changed(!!started.current);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const dates = checkDates(start, end);
    setErrors(dates ? { end_date: dates } : {});
    setGeneral(null);
    if (!dates) run.mutate();
  };

  return (
    <Dialog open onClose={onClose} title={`Start ${sprint.name}`} dismissOnBackdrop={false}
      footer={<>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="primary" type="submit" form="start-sprint-form" disabled={run.isPending}>Start sprint</Button>
      </>}>
      <form id="start-sprint-form" className="stack" onSubmit={submit} noValidate>
        <p className="muted">{tickets === null ? "Counting its tickets…" : `${plural(tickets, "ticket")} in this sprint.`}</p>
        {active && active.id !== sprint.id ? (
          <p className="banner banner-inline" role="note">
            {active.name} is active. A project has one active sprint at a time: complete {active.name} first.
          </p>
        ) : null}
        <div className="form-grid">
          <TextField label="Start date" type="date" value={start} onChange={(e) => setStart(e.target.value)} error={errors.start_date} />
          <TextField label="End date" type="date" value={end} onChange={(e) => setEnd(e.target.value)} min={start || undefined} error={errors.end_date} />
        </div>
        <TextAreaField label="Goal" value={goal} onChange={(e) => setGoal(e.target.value)} rows={3} className="sprint-goal-input" error={errors.goal} />
        <GeneralError text={general} />
      </form>
    </Dialog>
  );
}

type Destination = { kind: "backlog" } | { kind: "new" } | { kind: "sprint"; id: string };

export function CompleteSprintDialog({
  org, project, sprint, future, sprints, counts, onClose,
}: {
  org: string;
  project: string;
  sprint: Sprint;
  /** The project's future sprints, oldest first. */
  future: Sprint[];
  sprints: Sprint[];
  /** Done and open tickets in the sprint (null while counting). */
  counts: { done: number; open: number } | null;
  onClose: () => void;
}) {
  const changed = useSprintsChanged(org, project);
  const [dest, setDest] = useState<Destination>(future[0] ? { kind: "sprint", id: future[0].id } : { kind: "backlog" });
  const [newName, setNewName] = useState(nextSprintName(project, sprints));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [result, setResult] = useState<{ completion: Completion; to: string; done: number } | null>(null);

  const run = useMutation({
    mutationFn: async (): Promise<{ completion: Completion; to: string; done: number }> => {
      let target: Sprint | null = null;
      if (dest.kind === "sprint") target = future.find((s) => s.id === dest.id) ?? null;
      if (dest.kind === "new" && (counts?.open ?? 1) > 0) {
        target = await endpoints.createSprint(org, project, { name: newName.trim() });
        // Created: a retry moves the tickets there rather than creating another.
        setDest({ kind: "sprint", id: target.id });
      }
      const completion = await endpoints.completeSprint(org, sprint.id, target?.id ?? null);
      // The API's `done` also lists tickets deleted while in the sprint (docs/API.md, known
      // issue): the done tickets counted from the sprint's search are the true number.
      return { completion, to: target ? target.name : "the backlog", done: counts ? counts.done : completion.done.length };
    },
    onSuccess: (r) => {
      changed(true);
      setResult(r);
    },
    onError: (e) => {
      const { fields, general: g } = splitError(e);
      setErrors(fields.move_open_to ? { name: fields.move_open_to } : fields);
      setGeneral(g);
      changed(true);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setGeneral(null);
    if (dest.kind === "new") {
      const err = !newName.trim() ? "A name is required." : nameTaken(newName, sprints) ? "Another sprint of this project has this name." : null;
      setErrors(err ? { name: err } : {});
      if (err) return;
    }
    run.mutate();
  };

  if (result) {
    const { completion, to, done } = result;
    return (
      <Dialog open onClose={onClose} title={`${sprint.name} is complete`}
        footer={<Button variant="primary" onClick={onClose} autoFocus>Close</Button>}>
        <div className="stack" data-testid="complete-result" role="status">
          <p><strong>{plural(done, "done ticket")}</strong> {done === 1 ? "stays" : "stay"} in the history of {sprint.name}.</p>
          <p>
            <strong>{plural(completion.moved.length, "open ticket")}</strong>
            {completion.moved.length === 0 ? " to move." : ` moved to ${to}.`}
          </p>
        </div>
      </Dialog>
    );
  }

  const option = (d: Destination, label: ReactNode, testId: string) => {
    const checked = dest.kind === d.kind && (d.kind !== "sprint" || (dest.kind === "sprint" && dest.id === d.id));
    return (
      <label className="checkbox" data-testid={testId}>
        <input type="radio" name="move-open-to" checked={checked} onChange={() => setDest(d)} />
        <span>{label}</span>
      </label>
    );
  };

  return (
    <Dialog open onClose={onClose} title={`Complete ${sprint.name}`} dismissOnBackdrop={false}
      footer={<>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="primary" type="submit" form="complete-sprint-form" disabled={run.isPending}>Complete sprint</Button>
      </>}>
      <form id="complete-sprint-form" className="stack" onSubmit={submit} noValidate>
        <p data-testid="complete-counts">
          {counts === null
            ? "Counting the sprint’s tickets…"
            : <>This sprint has <strong>{plural(counts.done, "done ticket")}</strong> and <strong>{plural(counts.open, "open ticket")}</strong>.</>}
        </p>
        {counts && counts.open === 0 ? (
          <p className="muted">Every ticket is done: there is nothing to move.</p>
        ) : (
          <fieldset>
            <legend>Move the open tickets to</legend>
            <div className="stack-sm">
              {future.map((s, i) => option({ kind: "sprint", id: s.id }, <>{s.name}{i === 0 ? <span className="muted"> (the next sprint)</span> : null}</>, `dest-sprint-${s.name}`))}
              {option({ kind: "new" }, "A new sprint", "dest-new")}
              {dest.kind === "new" ? (
                <TextField label="New sprint’s name" value={newName} onChange={(e) => setNewName(e.target.value)} error={errors.name} />
              ) : null}
              {option({ kind: "backlog" }, "The backlog", "dest-backlog")}
            </div>
          </fieldset>
        )}
        <p className="muted">Done tickets leave the board and stay in the history of {sprint.name} (JQL <code>sprint = {quote(sprint.name)}</code>).</p>
        <GeneralError text={general} />
      </form>
    </Dialog>
  );
}

export function DeleteSprintDialog({
  org, project, sprint, tickets, onClose,
}: {
  org: string;
  project: string;
  sprint: Sprint;
  tickets: number | null;
  onClose: () => void;
}) {
  const changed = useSprintsChanged(org, project);
  const [general, setGeneral] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: () => endpoints.deleteSprint(org, sprint.id, sprint.version),
    onSuccess: () => {
      changed(true);
      onClose();
    },
    onError: (e) => {
      setGeneral(sprintProblem(e));
      changed(true);
    },
  });
  return (
    <Dialog open onClose={onClose} title={`Delete ${sprint.name}?`}
      footer={<>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="danger" onClick={() => run.mutate()} disabled={run.isPending}>Delete sprint</Button>
      </>}>
      <p>
        {tickets === 0
          ? "It has no tickets. The sprint is removed."
          : `${tickets === null ? "Its tickets go" : tickets === 1 ? "Its ticket goes" : `Its ${plural(tickets, "ticket")} go`} back to the backlog, and the sprint is removed.`}
      </p>
      <GeneralError text={general} />
    </Dialog>
  );
}
