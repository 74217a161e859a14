import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useTitle } from "../app/useTitle";
import { useParams, useSearchParams, Link } from "react-router";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  DndContext, DragOverlay, KeyboardSensor, MouseSensor, pointerWithin, TouchSensor, rectIntersection, useDroppable, useSensor, useSensors,
  type Announcements, type CollisionDetection, type DragEndEvent, type DragStartEvent, type KeyboardCoordinateGetter,
} from "@dnd-kit/core";
import { isApiError } from "../api/client";
import { qk } from "../api/endpoints";
import { transitionsQuery, useActiveSprint } from "../api/hooks";
import { can, type ProjectDetail, type SprintRef, type Ticket, type Transitions, type WorkflowStatus } from "../api/types";
import { ErrorState } from "../app/ErrorState";
import { useCurrentOrg } from "../app/session";
import { rememberProject, useAppUi } from "../app/ui-context";
import { JqlBar, jqlErrorOf } from "../components/JqlBar";
import { userColumn } from "../lib/jql";
import { boardSprint, columnInfiniteQuery, columnQuery, projectQuery } from "./board/queries";
import { plural } from "../lib/format";
import { sprintDates } from "../lib/sprints";
import { Button, Skeleton } from "../ui";
import { columnTickets, type ColumnData } from "./board/boardCache";
import { BoardCard, CardBody } from "./board/Card";
import { useMoveCard } from "./board/useMoveCard";

const QUICK_FILTERS = [
  { label: "Mine", jql: "assignee = currentUser()" },
  { label: "Unassigned", jql: "assignee IS EMPTY" },
  { label: "High priority", jql: "priority >= high" },
];

/** Keyboard moves jump a whole column left or right (Space picks up, Space drops). */
const columnCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
  const { collisionRect, droppableRects, droppableContainers } = context;
  if (!collisionRect) return undefined;
  if (event.code !== "ArrowRight" && event.code !== "ArrowLeft" && event.code !== "ArrowUp" && event.code !== "ArrowDown") return undefined;
  event.preventDefault();
  const rects = droppableContainers
    .getEnabled()
    .map((c) => droppableRects.get(c.id))
    .filter((r): r is NonNullable<typeof r> => !!r)
    .sort((a, b) => a.left - b.left);
  const cx = collisionRect.left + collisionRect.width / 2;
  const target = event.code === "ArrowRight" || event.code === "ArrowDown"
    ? rects.find((r) => r.left > cx)
    : [...rects].reverse().find((r) => r.left + r.width < cx);
  if (!target) return undefined;
  return { x: target.left + (target.width - collisionRect.width) / 2, y: target.top + 44 };
};

const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length > 0 ? hits : rectIntersection(args);
};

export default function BoardPage() {
  const { key = "" } = useParams();
  const project = key.toUpperCase();
  const { slug: org, role } = useCurrentOrg();
  const [params, setParams] = useSearchParams();
  const filter = params.get("jql") ?? "";
  const sprintParam = params.get("sprint");
  /** The URL's parameters with `jql` (and `sprint`) changed, the others kept. */
  const withParams = (change: { jql?: string | null; sprint?: string | null }) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(change)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    return next;
  };
  const [draft, setDraft] = useState(filter);
  const qc = useQueryClient();
  const ui = useAppUi();
  const instructionsId = useId();
  useEffect(() => setDraft(filter), [filter]);
  useEffect(() => rememberProject(org, project), [org, project]);

  const detail = useQuery(projectQuery(org, project));
  useTitle(detail.data ? `${detail.data.name} board` : `${project} board`);
  const statuses = useMemo(() => detail.data?.statuses ?? [], [detail.data]);
  const canMove = can(role, "tickets.transition") && !detail.data?.archived_at;
  // With an active sprint the board shows it, unless `?sprint=all`; a server without sprints shows everything.
  // Asked also with `?sprint=all` (to offer the switch back), but then the columns do not wait for it.
  const activeSprint = useActiveSprint(org, project);
  const sprint = boardSprint(activeSprint.data, sprintParam);
  const sprintRef: SprintRef | null = sprint ? { id: sprint.id, name: sprint.name } : null;
  const scopeKnown = sprintParam === "all" || !activeSprint.isLoading;
  const move = useMoveCard(org, project, filter, sprint?.id ?? null);

  const [active, setActive] = useState<Ticket | null>(null);
  // When each card last changed status here, so transitions fetched before that are ignored.
  const cardSince = useRef(new Map<string, number>());
  const activeKey = useRef<string | null>(null);
  const [allowed, setAllowed] = useState<Set<string> | null>(null);
  const [columnErrors, setColumnErrors] = useState<Record<string, unknown>>({});
  const onColumnError = useCallback((status: string, e: unknown) => {
    setColumnErrors((m) => (m[status] === e ? m : { ...m, [status]: e }));
  }, []);
  useEffect(() => setColumnErrors({}), [filter, sprintParam]);

  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    // On touch screens a short press picks a card up, so a swipe still scrolls the board.
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 8 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: columnCoordinates,
      keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] },
    }),
  );

  const onDragStart = (e: DragStartEvent) => {
    const t = (e.active.data.current as { ticket: Ticket } | undefined)?.ticket ?? null;
    activeKey.current = t?.key ?? null;
    setActive(t);
    setAllowed(null);
    if (!t) return;
    // Trust cached transitions only if they are fresh and were fetched for the card's current status.
    const state = qc.getQueryState<Transitions>(qk.transitions(org, t.key));
    const known = state && !state.isInvalidated && state.data && Date.now() - state.dataUpdatedAt < 30_000
      && state.dataUpdatedAt >= (cardSince.current.get(t.key) ?? 0) ? state.data : undefined;
    if (known) setAllowed(new Set(known.transitions.map((x) => x.to.name)));
    else {
      void qc.fetchQuery(transitionsQuery(org, t.key)).then(
        (tr) => {
          if (activeKey.current === t.key) setAllowed((cur) => (cur === null ? new Set(tr.transitions.map((x) => x.to.name)) : cur));
        },
        () => {},
      );
    }
  };

  const mutateMove = move.mutate; // stable: keeps the memoised cards from re-rendering
  const doMove = useCallback((t: Ticket, to: WorkflowStatus) => {
    if (t.status.name === to.name) return;
    cardSince.current.set(t.key, Date.now());
    mutateMove({ ticket: t, to });
  }, [mutateMove]);

  const onDragEnd = (e: DragEndEvent) => {
    const t = active;
    activeKey.current = null;
    setActive(null);
    setAllowed(null);
    if (!t || !e.over) return;
    const to = statuses.find((s) => s.id === e.over!.id);
    if (!to || to.name === t.status.name) return;
    doMove(t, to);
  };

  const announcements: Announcements = {
    onDragStart: ({ active: a }) => `Picked up ${a.id}. Use the arrow keys to move between columns, Space to drop, Escape to cancel.`,
    onDragOver: ({ active: a, over }) => {
      const s = statuses.find((x) => x.id === over?.id);
      return s ? `${a.id} is over ${s.name}.` : `${a.id} is not over a column.`;
    },
    onDragEnd: ({ active: a, over }) => {
      const s = statuses.find((x) => x.id === over?.id);
      return s ? `${a.id} dropped in ${s.name}.` : `${a.id} was dropped where it was.`;
    },
    onDragCancel: ({ active: a }) => `Moving ${a.id} was cancelled.`,
  };

  if (detail.isError) return <ErrorState error={detail.error} what={`project ${project}`} retry={() => void detail.refetch()} />;

  const firstError = statuses.map((s) => columnErrors[s.name]).find(Boolean);
  const firstErrorStatus = statuses.find((s) => columnErrors[s.name]);
  const jqlError = firstError && firstErrorStatus
    ? jqlErrorOf(firstError, (c) => userColumn(columnQuery(project, firstErrorStatus.name, filter, sprintRef), c, filter))
    : null;

  return (
    <div className="board-page">
      <div className="page-header">
        <div>
          <div className="crumbs"><Link to={`/${org}/projects`}>Projects</Link> / {project}</div>
          <h1>{detail.data ? detail.data.name : <Skeleton width="10rem" height="1.4rem" />} board</h1>
        </div>
        <div className="row">
          {activeSprint.data ? (
            <div className="segmented" role="group" aria-label="Tickets on the board">
              <Button size="sm" aria-pressed={!!sprint} onClick={() => setParams(withParams({ sprint: null }))}>
                <span className="visually-hidden">Active sprint: </span>{activeSprint.data.name}
              </Button>
              <Button size="sm" aria-pressed={!sprint} onClick={() => setParams(withParams({ sprint: "all" }))}>All tickets</Button>
            </div>
          ) : null}
          <Link className="btn btn-sm" to={`/${org}/projects/${project}/backlog`}>Backlog</Link>
          <Link className="btn btn-sm" to={`/${org}/projects/${project}/list${filter ? `?jql=${encodeURIComponent(filter)}` : ""}`}>List view</Link>
          {can(role, "tickets.create") && !detail.data?.archived_at ? (
            <Button size="sm" variant="primary" onClick={() => ui.openCreate({ project })}>New ticket</Button>
          ) : null}
        </div>
      </div>
      {detail.data?.archived_at ? <p className="banner banner-info" role="status">This project is archived: its tickets are read-only.</p> : null}
      {sprint ? (
        <p className="board-sprint" data-testid="board-sprint">
          <strong>{sprint.name}</strong>
          <span className="muted"> · {sprintDates(sprint)}</span>
          {sprint.goal ? <span className="muted" title={sprint.goal}> · Goal: {sprint.goal}</span> : null}
        </p>
      ) : null}
      <JqlBar
        org={org}
        label="Filter the board with JQL"
        placeholder="Filter: assignee = currentUser(), labels = frontend, priority >= high…"
        value={draft}
        onChange={setDraft}
        onSubmit={(v) => setParams(withParams({ jql: v.trim() || null }))}
        error={jqlError ? { ...jqlError, jql: filter } : null}
        extra={
          <>
            {QUICK_FILTERS.map((q) => (
              <Button key={q.label} size="sm" className="quick-filter" aria-pressed={filter === q.jql} onClick={() => setParams(withParams({ jql: filter === q.jql ? null : q.jql }))}>{q.label}</Button>
            ))}
            {filter ? <Button onClick={() => setParams(withParams({ jql: null }))}>Clear filter</Button> : null}
          </>
        }
      />
      <p id={instructionsId} className="visually-hidden">
        To move a ticket with the keyboard: focus it, press Space, use the arrow keys to reach another column, and press Space to drop it. Each card also has a Move to menu.
      </p>
      <DndContext sensors={sensors} collisionDetection={collision} onDragStart={onDragStart} onDragEnd={onDragEnd}
        onDragCancel={() => { setActive(null); setAllowed(null); }} accessibility={{ announcements }}>
        <div className="board" data-testid="board">
          {detail.isLoading || !scopeKnown
            ? [0, 1, 2].map((i) => <div key={i} className="board-col"><Skeleton height="1.2rem" width="50%" /><Skeleton height="5rem" style={{ marginTop: 12 }} /><Skeleton height="5rem" style={{ marginTop: 8 }} /></div>)
            : statuses.map((s) => (
                <Column
                  key={s.id}
                  org={org}
                  project={project}
                  detail={detail.data!}
                  status={s}
                  filter={filter}
                  sprint={sprintRef}
                  active={active}
                  allowed={allowed}
                  canMove={canMove}
                  onMove={doMove}
                  onError={onColumnError}
                  instructionsId={instructionsId}
                />
              ))}
        </div>
        <DragOverlay dropAnimation={null}>
          {active ? <div className="board-card board-card-overlay"><div className="board-card-body"><CardBody ticket={active} /></div></div> : null}
        </DragOverlay>
      </DndContext>
    </div>
  );
}

function Column({
  org, project, detail, status, filter, sprint, active, allowed, canMove, onMove, onError, instructionsId,
}: {
  org: string;
  project: string;
  detail: ProjectDetail;
  status: WorkflowStatus;
  filter: string;
  sprint: SprintRef | null;
  active: Ticket | null;
  allowed: Set<string> | null;
  canMove: boolean;
  onMove: (t: Ticket, to: WorkflowStatus) => void;
  onError: (status: string, e: unknown) => void;
  instructionsId: string;
}) {
  const data = useInfiniteQuery(columnInfiniteQuery(org, project, status.name, filter, sprint));
  useEffect(() => {
    if (data.error) onError(status.name, data.error);
  }, [data.error, onError, status.name]);

  const isSource = active?.status.name === status.name;
  const forbidden = !!active && !isSource && allowed !== null && !allowed.has(status.name);
  const { setNodeRef, isOver } = useDroppable({ id: status.id, disabled: !active || isSource || forbidden });
  const tickets = columnTickets(data.data as ColumnData | undefined);
  const total = data.data?.pages[0]?.total;
  const listRef = useRef<HTMLUListElement>(null);

  return (
    <section
      ref={setNodeRef}
      className="board-col"
      role="region"
      aria-label={status.name}
      data-status={status.name}
      data-over={isOver || undefined}
      data-forbidden={forbidden || undefined}
      data-droppable={active && !isSource && !forbidden ? true : undefined}
      data-testid={`column-${status.name}`}
    >
      <header className="board-col-head">
        <span className={`cat-dot cat-${status.category}`} aria-hidden="true" />
        <h2 className="board-col-title">{status.name}</h2>
        <span className="badge" aria-label={total !== undefined ? plural(total, "ticket") : "counting"}>{total ?? "…"}</span>
      </header>
      {forbidden ? (
        <p className="board-col-note" role="note">
          Not allowed: the workflow has no move from {active!.status.name} to {status.name}.
        </p>
      ) : null}
      {isSource && active ? <p className="board-col-note board-col-note-quiet">Current status</p> : null}
      {data.isLoading ? (
        <div className="stack" aria-label={`Loading ${status.name}`} role="status">
          <Skeleton height="4.5rem" /><Skeleton height="4.5rem" /><Skeleton height="4.5rem" />
        </div>
      ) : data.isError ? (
        isApiError(data.error) && (data.error.kind === "jql" || data.error.status === 422)
          ? <p className="muted">Fix the filter to see tickets.</p>
          : <ErrorState error={data.error} what={`the ${status.name} column`} retry={() => void data.refetch()} />
      ) : (
        <>
          <ul className="board-cards" ref={listRef} aria-label={`${status.name} tickets`}>
            {tickets.map((t) => (
              <BoardCard key={t.key} org={org} ticket={t} statuses={detail.statuses} canMove={canMove} onMove={onMove} instructionsId={instructionsId} />
            ))}
          </ul>
          {tickets.length === 0 ? <p className="board-empty">{filter ? "No tickets match the filter." : sprint ? `No tickets of ${sprint.name}.` : "No tickets."}</p> : null}
          {data.hasNextPage ? (
            <Button size="sm" variant="ghost" className="board-more" onClick={() => void data.fetchNextPage()} disabled={data.isFetchingNextPage}>
              {data.isFetchingNextPage ? "Loading…" : `Show more (${(total ?? 0) - tickets.length} left)`}
            </Button>
          ) : null}
        </>
      )}
    </section>
  );
}
