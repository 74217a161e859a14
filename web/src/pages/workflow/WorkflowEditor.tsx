import { useEffect, useId, useMemo, useState, type KeyboardEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  DndContext, MouseSensor, TouchSensor, closestCenter, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent,
} from "@dnd-kit/core";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import {
  STATUS_CATEGORIES, type ProjectRole, type StatusCategory, type Workflow, type WorkflowStatusRow, type WorkflowTransition,
} from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import { plural } from "../../lib/format";
import { Badge, Button, Checkbox, Dialog, SelectField, SkeletonRows, TextField, useToast } from "../../ui";
import { CATEGORY_LABEL, categoryCounts, copyMapping, copyPlan, moveItem, rolesLabel } from "./workflow";

/** Every change answers the whole workflow: store it, and let the board, tickets and searches catch up. */
function useWorkflowWrite(org: string, project: string) {
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const m = useMutation({
    mutationFn: (write: () => Promise<Workflow>) => write(),
    onMutate: () => setError(null),
    onSuccess: (wf) => {
      qc.setQueryData(qk.workflow(org, project), wf);
      void qc.invalidateQueries({ queryKey: qk.project(org, project) });
      void qc.invalidateQueries({ queryKey: qk.board(org, project) });
      void qc.invalidateQueries({ queryKey: qk.allTransitions(org) });
      void qc.invalidateQueries({ queryKey: ["org", org, "ticket"] });
      void qc.invalidateQueries({ queryKey: ["org", org, "history"] });
      void qc.invalidateQueries({ queryKey: qk.searchAll(org), refetchType: "none" });
    },
    onError: (e) => {
      setError(e);
      // What the page shows may be stale (someone else changed the workflow): reload it.
      void qc.invalidateQueries({ queryKey: qk.workflow(org, project) });
    },
  });
  return {
    run: (write: () => Promise<Workflow>, onDone?: () => void) => m.mutate(write, { onSuccess: () => onDone?.() }),
    pending: m.isPending,
    error,
    clear: () => setError(null),
  };
}

/** The API's refusal, where the change was asked for: an invariant, a name taken, a ticket target missing. */
export function WorkflowProblem({ error, testId = "workflow-problem" }: { error: unknown; testId?: string }) {
  if (!error) return null;
  if (isApiError(error) && error.kind === "workflow-invariant") {
    return (
      <div className="wf-problem" role="alert" data-testid={testId}>
        <strong>This change would break the workflow, so nothing was changed.</strong>
        <span>The server says: {error.problem.detail}</span>
      </div>
    );
  }
  const unmapped = isApiError(error) && Array.isArray(error.problem.unmapped) ? (error.problem.unmapped as string[]) : null;
  return (
    <div className="wf-problem" role="alert" data-testid={testId}>
      <span>{describeError(error)}</span>
      {unmapped?.length ? <span>Still to map: {unmapped.join(", ")}.</span> : null}
    </div>
  );
}

function CategoryPill({ category }: { category: StatusCategory }) {
  return <span className={`status-pill cat-${category}`}>{CATEGORY_LABEL[category]}</span>;
}

/** A project's workflow: statuses (order, names, categories, delete with a target) and transitions, or a read-only view. */
export function WorkflowEditor({ org, project, editable }: { org: string; project: string; editable: boolean }) {
  const wf = useQuery({ queryKey: qk.workflow(org, project), queryFn: () => endpoints.workflow(org, project), staleTime: 10_000 });
  if (wf.isError) return <ErrorState error={wf.error} what={`the ${project} workflow`} retry={() => void wf.refetch()} />;
  if (!wf.data) return <SkeletonRows rows={5} label="Loading the workflow" />;
  return (
    <div className="stack wf" data-testid="workflow-editor">
      <Statuses org={org} project={project} workflow={wf.data} editable={editable} />
      <Transitions org={org} project={project} workflow={wf.data} editable={editable} />
    </div>
  );
}

function Statuses({ org, project, workflow, editable }: { org: string; project: string; workflow: Workflow; editable: boolean }) {
  const write = useWorkflowWrite(org, project);
  const [order, setOrder] = useState<WorkflowStatusRow[]>(workflow.statuses);
  useEffect(() => setOrder(workflow.statuses), [workflow.statuses]);
  const [announce, setAnnounce] = useState("");
  const [deleting, setDeleting] = useState<WorkflowStatusRow | null>(null);
  const [copying, setCopying] = useState(false);
  const counts = categoryCounts(order);
  const instructions = useId();
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 8 } }),
  );

  const reorder = (from: number, to: number) => {
    const next = moveItem(order, from, to);
    if (next.every((s, i) => s.id === order[i]!.id)) return;
    const moved = order[from]!;
    setOrder(next);
    setAnnounce(`${moved.name} moved to position ${next.indexOf(moved) + 1} of ${next.length}.`);
    write.run(() => endpoints.reorderStatuses(org, project, next.map((s) => s.name)));
  };
  // A failed reorder puts the server's order back.
  useEffect(() => { if (write.error) setOrder(workflow.statuses); }, [write.error, workflow.statuses]);

  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over) return;
    const from = order.findIndex((s) => s.id === e.active.id);
    const to = order.findIndex((s) => s.id === e.over!.id);
    if (from >= 0 && to >= 0) reorder(from, to);
  };

  return (
    <section className="wf-section" aria-labelledby="wf-statuses-title">
      <div className="row-between">
        <h2 id="wf-statuses-title">Statuses</h2>
        {editable ? <Button size="sm" onClick={() => setCopying(true)}>Copy workflow from project…</Button> : null}
      </div>
      <p className="muted">Board columns follow this order; new tickets start in the first status.
        {editable ? " Drag a status by its handle, or focus the handle and press ↑ or ↓, to reorder." : null}</p>
      <div className="wf-cats" aria-label="Statuses per category" role="group">
        {STATUS_CATEGORIES.map((c) => (
          <span key={c} className={`wf-cat wf-cat-${c}`}><span className={`cat-dot cat-${c}`} aria-hidden="true" />{CATEGORY_LABEL[c]} <strong>{counts[c]}</strong></span>
        ))}
      </div>
      <p id={instructions} className="visually-hidden">Press the up or down arrow to move this status one place.</p>
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <ol className="wf-status-list" aria-label="Statuses">
          {order.map((s, i) => (
            <StatusRow key={s.id} org={org} project={project} status={s} index={i} count={order.length} editable={editable}
              instructionsId={instructions} write={write} onMove={(to) => reorder(i, to)} onDelete={() => setDeleting(s)} />
          ))}
        </ol>
      </DndContext>
      <p className="visually-hidden" aria-live="polite">{announce}</p>
      <WorkflowProblem error={write.error} testId="status-problem" />
      {editable ? <AddStatus org={org} project={project} workflow={workflow} /> : null}
      {deleting ? (
        <DeleteStatusDialog org={org} project={project} status={deleting} statuses={workflow.statuses} onClose={() => setDeleting(null)} />
      ) : null}
      {copying ? <CopyWorkflowDialog org={org} project={project} workflow={workflow} onClose={() => setCopying(false)} /> : null}
    </section>
  );
}

function StatusRow({ org, project, status: s, index, count, editable, instructionsId, write, onMove, onDelete }: {
  org: string;
  project: string;
  status: WorkflowStatusRow;
  index: number;
  count: number;
  editable: boolean;
  instructionsId: string;
  write: ReturnType<typeof useWorkflowWrite>;
  onMove: (to: number) => void;
  onDelete: () => void;
}) {
  const drag = useDraggable({ id: s.id, disabled: !editable });
  const drop = useDroppable({ id: s.id, disabled: !editable });
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(s.name);
  useEffect(() => { if (!renaming) setName(s.name); }, [s.name, renaming]);
  const onHandleKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowUp" && index > 0) { e.preventDefault(); onMove(index - 1); }
    else if (e.key === "ArrowDown" && index < count - 1) { e.preventDefault(); onMove(index + 1); }
  };
  const saveName = () => {
    const v = name.trim();
    if (!v || v === s.name) { setRenaming(false); return; }
    write.run(() => endpoints.updateStatus(org, project, s.id, { name: v }), () => setRenaming(false));
  };
  const style = drag.transform ? { transform: `translate3d(0, ${drag.transform.y}px, 0)` } : undefined;
  return (
    <li ref={drop.setNodeRef} className={`wf-status wf-status-${s.category}`} data-testid={`status-${s.name}`}
      data-over={drop.isOver && !drag.isDragging ? "" : undefined} data-dragging={drag.isDragging ? "" : undefined}>
      <div ref={drag.setNodeRef} style={style} className="wf-status-inner">
        {editable ? (
          <button type="button" className="wf-handle" {...drag.attributes} {...drag.listeners} aria-roledescription="sortable"
            aria-label={`Reorder ${s.name}, position ${index + 1} of ${count}`} aria-describedby={instructionsId} onKeyDown={onHandleKey}>
            <span aria-hidden="true">⋮⋮</span>
          </button>
        ) : null}
        <span className="wf-pos" aria-hidden="true">{index + 1}</span>
        <div className="wf-status-name">
          {renaming ? (
            <form className="row" onSubmit={(e) => { e.preventDefault(); saveName(); }}>
              <TextField label={`New name for ${s.name}`} hideLabel value={name} maxLength={100} autoFocus onChange={(e) => setName(e.target.value)}
                onKeyDown={(e) => { if (e.key === "Escape") { e.preventDefault(); setRenaming(false); } }} className="input-sm" />
              <Button type="submit" size="sm" variant="primary" disabled={write.pending}>Save</Button>
              <Button size="sm" onClick={() => setRenaming(false)}>Cancel</Button>
            </form>
          ) : (
            <>
              <strong>{s.name}</strong>
              {index === 0 ? <Badge tone="accent" title="New tickets start here">Initial</Badge> : null}
            </>
          )}
        </div>
        <div className="wf-status-cat">
          {editable ? (
            <SelectField label={`Category of ${s.name}`} hideLabel value={s.category} disabled={write.pending} className="select-inline"
              onChange={(e) => {
                // Read now: the controlled select snaps back to the server's value before the request runs.
                const category = e.target.value as StatusCategory;
                write.run(() => endpoints.updateStatus(org, project, s.id, { category }));
              }}>
              {STATUS_CATEGORIES.map((c) => <option key={c} value={c}>{CATEGORY_LABEL[c]}</option>)}
            </SelectField>
          ) : <CategoryPill category={s.category} />}
        </div>
        <span className="wf-count muted">{plural(s.tickets, "ticket")}</span>
        {editable && !renaming ? (
          <div className="row wf-actions">
            <Button size="sm" variant="ghost" onClick={() => setRenaming(true)}>Rename<span className="visually-hidden"> {s.name}</span></Button>
            <Button size="sm" variant="ghost" className="btn-danger-text" onClick={onDelete}>Delete<span className="visually-hidden"> {s.name}</span></Button>
          </div>
        ) : null}
      </div>
    </li>
  );
}

function AddStatus({ org, project, workflow }: { org: string; project: string; workflow: Workflow }) {
  const write = useWorkflowWrite(org, project);
  const toast = useToast();
  const [name, setName] = useState("");
  const [category, setCategory] = useState<StatusCategory>("in_progress");
  const first = workflow.statuses[0]?.name ?? "";
  const [from, setFrom] = useState<string[]>(first ? [first] : []);
  const [to, setTo] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const names = workflow.statuses.map((s) => s.name);
  const toggle = (list: string[], set: (v: string[]) => void, n: string) => set(list.includes(n) ? list.filter((x) => x !== n) : [...list, n]);
  const submit = () => {
    const v = name.trim();
    if (!v) { setError("Give the status a name."); return; }
    setError(null);
    write.run(() => endpoints.createStatus(org, project, { name: v, category, from, to }), () => {
      toast.success(`Status ${v} added.`);
      setName("");
      setTo([]);
    });
  };
  return (
    <form className="wf-form" aria-label="Add a status" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h3>Add a status</h3>
      <div className="wf-form-row">
        <TextField label="Status name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} error={error} />
        <SelectField label="Category" value={category} onChange={(e) => setCategory(e.target.value as StatusCategory)}>
          {STATUS_CATEGORIES.map((c) => <option key={c} value={c}>{CATEGORY_LABEL[c]}</option>)}
        </SelectField>
      </div>
      <div className="wf-form-row">
        <fieldset className="wf-checks">
          <legend>Tickets enter it from</legend>
          {names.map((n) => <Checkbox key={n} label={n} checked={from.includes(n)} onChange={() => toggle(from, setFrom, n)} />)}
        </fieldset>
        <fieldset className="wf-checks">
          <legend>Tickets leave it for</legend>
          {names.map((n) => <Checkbox key={n} label={n} checked={to.includes(n)} onChange={() => toggle(to, setTo, n)} />)}
        </fieldset>
      </div>
      <p className="hint">Each checked status gets a transition, named after the status it leads to. A new status must be reachable from {first || "the first status"}.</p>
      <WorkflowProblem error={write.error} testId="add-status-problem" />
      <div><Button type="submit" variant="primary" size="sm" disabled={write.pending}>Add status</Button></div>
    </form>
  );
}

function DeleteStatusDialog({ org, project, status, statuses, onClose }: {
  org: string;
  project: string;
  status: WorkflowStatusRow;
  statuses: WorkflowStatusRow[];
  onClose: () => void;
}) {
  const write = useWorkflowWrite(org, project);
  const toast = useToast();
  const others = statuses.filter((s) => s.id !== status.id);
  const [target, setTarget] = useState("");
  const [missing, setMissing] = useState(false);
  const holds = status.tickets > 0;
  const submit = () => {
    if (holds && !target) { setMissing(true); return; }
    write.run(() => endpoints.deleteStatus(org, project, status.id, holds ? target : null), () => {
      toast.success(holds ? `${status.name} deleted; its ${plural(status.tickets, "ticket")} moved to ${target}.` : `${status.name} deleted.`);
      onClose();
    });
  };
  return (
    <Dialog open onClose={onClose} title={`Delete ${status.name}?`}
      footer={<>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="danger" onClick={submit} disabled={write.pending}>Delete status</Button>
      </>}>
      <div className="stack">
        {holds ? (
          <>
            <p>{status.name} holds {plural(status.tickets, "ticket")}. They move to the status you choose, each with an entry in its history.</p>
            <SelectField label={`Move its ${plural(status.tickets, "ticket")} to`} value={target} onChange={(e) => { setTarget(e.target.value); setMissing(false); }}
              error={missing ? "Choose where its tickets go." : undefined}>
              <option value="">Choose a status…</option>
              {others.map((s) => <option key={s.id} value={s.name}>{s.name} ({CATEGORY_LABEL[s.category]})</option>)}
            </SelectField>
          </>
        ) : <p>{status.name} holds no tickets. Its transitions are deleted with it.</p>}
        <WorkflowProblem error={write.error} testId="delete-status-problem" />
      </div>
    </Dialog>
  );
}

function CopyWorkflowDialog({ org, project, workflow, onClose }: { org: string; project: string; workflow: Workflow; onClose: () => void }) {
  const write = useWorkflowWrite(org, project);
  const toast = useToast();
  const projects = useQuery({ queryKey: qk.projects(org), queryFn: () => endpoints.projects(org) });
  const [source, setSource] = useState("");
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [tried, setTried] = useState(false);
  const src = useQuery({ queryKey: qk.workflow(org, source), queryFn: () => endpoints.workflow(org, source), enabled: !!source });
  const plan = useMemo(() => (src.data ? copyPlan(workflow.statuses, src.data.statuses) : null), [src.data, workflow.statuses]);
  const others = (projects.data?.items ?? []).filter((p) => p.key !== project.toUpperCase());
  const submit = () => {
    if (!plan) return;
    const { mapping, missing } = copyMapping(plan, choices);
    setTried(true);
    if (missing.length) return;
    write.run(() => endpoints.copyWorkflow(org, project, { from: source, mapping }), () => {
      toast.success(`${project} now has ${source}’s workflow.`);
      onClose();
    });
  };
  return (
    <Dialog open onClose={onClose} title="Copy workflow from project" wide dismissOnBackdrop={false}
      footer={<>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="primary" onClick={submit} disabled={!plan || write.pending}>Replace this workflow</Button>
      </>}>
      <div className="stack">
        <p>{project}’s statuses and transitions are replaced by a copy of the other project’s. Statuses with the same name keep their tickets.</p>
        <SelectField label="Copy from" value={source} onChange={(e) => { setSource(e.target.value); setChoices({}); setTried(false); write.clear(); }}>
          <option value="">Choose a project…</option>
          {others.map((p) => <option key={p.key} value={p.key}>{p.key} · {p.name}</option>)}
        </SelectField>
        {src.isError ? <p className="error-text" role="alert">{describeError(src.error)}</p> : null}
        {source && !src.data && !src.isError ? <SkeletonRows rows={2} label={`Loading ${source}’s workflow`} /> : null}
        {plan && src.data ? (
          <>
            <dl className="wf-plan">
              <dt>Kept</dt><dd>{plan.kept.join(", ") || "none"}</dd>
              <dt>Added</dt><dd>{plan.added.join(", ") || "none"}</dd>
              <dt>Deleted</dt><dd>{plan.removed.map((s) => s.name).join(", ") || "none"}</dd>
            </dl>
            {plan.needsTarget.length ? (
              <fieldset className="wf-checks">
                <legend>Where the tickets of deleted statuses go</legend>
                {plan.needsTarget.map((s) => (
                  <SelectField key={s.id} label={`${s.name} (${plural(s.tickets, "ticket")}) moves to`} value={choices[s.name] ?? ""}
                    error={tried && !choices[s.name] ? "Choose a status." : undefined}
                    onChange={(e) => { const target = e.target.value; setChoices((c) => ({ ...c, [s.name]: target })); }}>
                    <option value="">Choose a status…</option>
                    {src.data!.statuses.map((t) => <option key={t.id} value={t.name}>{t.name}</option>)}
                  </SelectField>
                ))}
              </fieldset>
            ) : <p className="muted">No tickets need to move.</p>}
          </>
        ) : null}
        <WorkflowProblem error={write.error} testId="copy-problem" />
      </div>
    </Dialog>
  );
}

const ROLE_CHOICES: Array<{ role: ProjectRole; label: string }> = [
  { role: "lead", label: "Leads (and org owners and admins)" },
  { role: "member", label: "Members" },
];

function Transitions({ org, project, workflow, editable }: { org: string; project: string; workflow: Workflow; editable: boolean }) {
  const write = useWorkflowWrite(org, project);
  const position = new Map(workflow.statuses.map((s, i) => [s.id, i]));
  const rows = [...workflow.transitions].sort((a, b) =>
    (position.get(a.from.id) ?? 0) - (position.get(b.from.id) ?? 0) || (position.get(a.to.id) ?? 0) - (position.get(b.to.id) ?? 0));
  const [removing, setRemoving] = useState<WorkflowTransition | null>(null);
  return (
    <section className="wf-section" aria-labelledby="wf-transitions-title">
      <h2 id="wf-transitions-title">Transitions</h2>
      <p className="muted">The moves tickets may make. A ticket can only go where a transition leads; a transition limited to some project roles is offered only to them.</p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Transitions table">
        <table className="table wf-transitions">
          <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Name</th><th scope="col">Who may take it</th>{editable ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}</tr></thead>
          <tbody>
            {rows.length === 0 ? <tr><td colSpan={editable ? 5 : 4} className="muted">No transitions.</td></tr> : null}
            {rows.map((t) => (
              <tr key={t.id} data-testid={`transition-${t.from.name}-${t.to.name}`}>
                <td><span className={`status-pill cat-${t.from.category}`}>{t.from.name}</span></td>
                <td><span className={`status-pill cat-${t.to.category}`}>{t.to.name}</span></td>
                <td>{t.name}</td>
                <td>{t.allowed_roles.length ? <Badge tone="warning">{rolesLabel(t.allowed_roles)}</Badge> : <span className="muted">{rolesLabel(t.allowed_roles)}</span>}</td>
                {editable ? (
                  <td><Button size="sm" variant="ghost" className="btn-danger-text" onClick={() => setRemoving(t)} disabled={write.pending}>
                    Delete<span className="visually-hidden"> transition {t.name} from {t.from.name} to {t.to.name}</span>
                  </Button></td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <WorkflowProblem error={write.error} testId="transition-problem" />
      {editable ? <AddTransition org={org} project={project} workflow={workflow} /> : null}
      <Dialog open={removing !== null} onClose={() => setRemoving(null)} title={`Delete the transition ${removing?.name ?? ""}?`}
        footer={<>
          <Button onClick={() => setRemoving(null)}>Cancel</Button>
          <Button variant="danger" disabled={write.pending}
            onClick={() => { const t = removing; setRemoving(null); if (t) write.run(() => endpoints.deleteTransition(org, project, t.id)); }}>
            Delete transition
          </Button>
        </>}>
        <p>Tickets in {removing?.from.name} can no longer move to {removing?.to.name} this way.</p>
      </Dialog>
    </section>
  );
}

function AddTransition({ org, project, workflow }: { org: string; project: string; workflow: Workflow }) {
  const write = useWorkflowWrite(org, project);
  const toast = useToast();
  const names = workflow.statuses.map((s) => s.name);
  const [from, setFrom] = useState(names[0] ?? "");
  const [to, setTo] = useState(names[1] ?? names[0] ?? "");
  const [name, setName] = useState("");
  const [roles, setRoles] = useState<ProjectRole[]>([]);
  const [error, setError] = useState<string | null>(null);
  // A status renamed or deleted meanwhile: fall back to one that exists.
  useEffect(() => { if (!names.includes(from)) setFrom(names[0] ?? ""); }, [names, from]);
  useEffect(() => { if (!names.includes(to)) setTo(names[1] ?? names[0] ?? ""); }, [names, to]);
  const submit = () => {
    if (from === to) { setError("A transition leads to another status."); return; }
    setError(null);
    const label = name.trim() || to;
    write.run(() => endpoints.createTransition(org, project, { from, to, name: label, allowed_roles: roles }), () => {
      toast.success(`Transition ${label} added.`);
      setName("");
      setRoles([]);
    });
  };
  return (
    <form className="wf-form" aria-label="Add a transition" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h3>Add a transition</h3>
      <div className="wf-form-row">
        <SelectField label="From" value={from} onChange={(e) => setFrom(e.target.value)}>
          {names.map((n) => <option key={n} value={n}>{n}</option>)}
        </SelectField>
        <SelectField label="To" value={to} onChange={(e) => setTo(e.target.value)} error={error}>
          {names.map((n) => <option key={n} value={n}>{n}</option>)}
        </SelectField>
        <TextField label="Transition name" value={name} placeholder={to} maxLength={100} onChange={(e) => setName(e.target.value)}
          hint="Shown on the ticket’s buttons; the target’s name if empty." />
      </div>
      <fieldset className="wf-checks">
        <legend>Only for</legend>
        {ROLE_CHOICES.map((r) => (
          <Checkbox key={r.role} label={r.label} checked={roles.includes(r.role)}
            onChange={() => setRoles((xs) => (xs.includes(r.role) ? xs.filter((x) => x !== r.role) : [...xs, r.role]))} />
        ))}
        <span className="hint">Leave both unchecked to let anyone who may move tickets take it.</span>
      </fieldset>
      <WorkflowProblem error={write.error} testId="add-transition-problem" />
      <div><Button type="submit" variant="primary" size="sm" disabled={write.pending || names.length < 2}>Add transition</Button></div>
    </form>
  );
}
