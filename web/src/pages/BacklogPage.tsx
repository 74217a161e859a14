// The project's backlog: the active and future sprints as collapsible sections, then
// the tickets in no open sprint, all in rank order in one virtualised list. Drag a ticket
// (mouse, touch, or Space + arrows + Space) to re-rank it or to move it into or out of a
// sprint; each row's menu does the same without dragging. Planners create, edit, start,
// complete and delete sprints here; viewers read.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { defaultRangeExtractor, useVirtualizer, type Range } from "@tanstack/react-virtual";
import {
  DndContext, DragOverlay, KeyboardSensor, MouseSensor, TouchSensor, useSensor, useSensors,
  type Announcements, type DragStartEvent, type KeyboardCoordinateGetter,
} from "@dnd-kit/core";
import { useSprints } from "../api/hooks";
import { can, type Sprint, type SprintRef, type Ticket } from "../api/types";
import { ErrorState } from "../app/ErrorState";
import { useCurrentOrg } from "../app/session";
import { rememberProject, useAppUi } from "../app/ui-context";
import { useTitle } from "../app/useTitle";
import { plural } from "../lib/format";
import { Button, Checkbox, Skeleton, type MenuEntry } from "../ui";
import { projectQuery } from "./board/queries";
import {
  BACKLOG, buildSections, extendTickets, flatten, homeSlot, locate, placeAt, planDrop, rowOf, sizeAt, slotsFor, slotY, stepSlot, ticketRow,
  type Flattened, type Layout, type Section, type Slot,
} from "./backlog/layout";
import { EmptyRow, MoreRow, RowBody, SectionHeader, TicketRow, type SprintAction } from "./backlog/PlanRows";
import { backlogJql, lastBacklogKey, planInfiniteQuery, sprintTicketsJql } from "./backlog/queries";
import { CompleteSprintDialog, DeleteSprintDialog, SprintFormDialog, StartSprintDialog } from "./backlog/SprintDialogs";
import { usePlanMove, type PlanMoveVars } from "./backlog/usePlanMove";

type DialogState =
  | null
  | { kind: "create" }
  | { kind: SprintAction; sprint: Sprint };

export default function BacklogPage() {
  const { key = "" } = useParams();
  const project = key.toUpperCase();
  const { slug: org, role } = useCurrentOrg();
  const ui = useAppUi();
  useEffect(() => rememberProject(org, project), [org, project]);

  const detail = useQuery(projectQuery(org, project));
  useTitle(detail.data ? `${detail.data.name} backlog` : `${project} backlog`);
  const sprints = useSprints(org, project);
  const sprintTickets = useInfiniteQuery(planInfiniteQuery(org, sprintTicketsJql(project)));
  const [withDone, setWithDone] = useState(false);
  const backlog = useInfiniteQuery({ ...planInfiniteQuery(org, backlogJql(project, withDone)), placeholderData: (prev) => prev });

  // Sprints are small: load every page of their tickets, so their counts are exact.
  const { hasNextPage: sprintMore, isFetchingNextPage: sprintFetching, isError: sprintError, fetchNextPage: sprintNext } = sprintTickets;
  useEffect(() => {
    if (sprintMore && !sprintFetching && !sprintError) void sprintNext();
  }, [sprintMore, sprintFetching, sprintError, sprintNext]);

  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback((id: string) => {
    setCollapsed((cur) => {
      const next = new Set(cur);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const allSprints = useMemo(() => sprints.data ?? [], [sprints.data]);
  // Each new page adds its tickets to what the earlier pages gave (not a walk over all of them).
  const sprintFlat = useRef<Flattened | null>(null);
  const backlogFlat = useRef<Flattened | null>(null);
  const sprintList = useMemo(() => (sprintFlat.current = extendTickets(sprintFlat.current, sprintTickets.data)).list, [sprintTickets.data]);
  const backlogList = useMemo(() => (backlogFlat.current = extendTickets(backlogFlat.current, backlog.data)).list, [backlog.data]);
  const backlogTotal = backlog.data?.pages[0]?.total ?? 0;
  const sections = useMemo(() => buildSections({
    sprints: allSprints,
    sprintTickets: sprintList,
    sprintTicketsComplete: !!sprintTickets.data && !sprintTickets.hasNextPage,
    backlog: backlogList,
    backlogTotal,
    backlogHasMore: !!backlog.hasNextPage,
    backlogLoaded: !!backlog.data,
    collapsed,
  }), [allSprints, sprintList, sprintTickets.data, sprintTickets.hasNextPage, backlogList, backlogTotal, backlog.hasNextPage, backlog.data, collapsed]);

  const archived = !!detail.data?.archived_at;
  const canPlan = can(role, "tickets.update") && !archived;
  const [dialog, setDialog] = useState<DialogState>(null);
  const onAction = useCallback((kind: SprintAction, sprint: Sprint) => setDialog({ kind, sprint }), []);
  const onCreateSprint = useCallback(() => setDialog({ kind: "create" }), []);

  if (detail.isError) return <ErrorState error={detail.error} what={`project ${project}`} retry={() => void detail.refetch()} />;

  const loadError = sprints.error ?? sprintTickets.error ?? backlog.error;
  // The sprints paint as soon as they are in; the (possibly long) backlog follows.
  const loading = sprints.isLoading || sprintTickets.isLoading;
  const active = allSprints.find((s) => s.state === "active") ?? null;
  const future = allSprints.filter((s) => s.state === "future");
  const sectionOf = (s: Sprint) => sections.find((x) => x.id === s.id);

  return (
    <div className="backlog-page">
      <div className="page-header">
        <div>
          <div className="crumbs"><Link to={`/${org}/projects`}>Projects</Link> / {project}</div>
          <h1>{detail.data ? detail.data.name : <Skeleton width="10rem" height="1.4rem" />} backlog</h1>
        </div>
        <div className="row">
          <Link className="btn btn-sm" to={`/${org}/projects/${project}/board`}>Board</Link>
          <Link className="btn btn-sm" to={`/${org}/projects/${project}/list`}>List view</Link>
          {canPlan ? <Button size="sm" onClick={onCreateSprint} data-testid="create-sprint">Create sprint</Button> : null}
          {can(role, "tickets.create") && !archived ? (
            <Button size="sm" variant="primary" onClick={() => ui.openCreate({ project })}>New ticket</Button>
          ) : null}
        </div>
      </div>
      {archived ? <p className="banner banner-info" role="status">This project is archived: its backlog and sprints are read-only.</p> : null}
      <div className="list-summary row-between">
        <span data-testid="backlog-summary" aria-live="polite">
          {loading ? "Loading the backlog…" : loadError ? "" : (
            <>
              {active ? `${active.name} is active` : "No active sprint"}
              {` · ${plural(future.length, "future sprint")} · `}
              {backlog.data ? `${plural(backlogTotal, withDone ? "ticket" : "open ticket")} in the backlog` : "counting the backlog…"}
            </>
          )}
        </span>
        <Checkbox label="Show done tickets in the backlog" checked={withDone} onChange={(e) => setWithDone(e.target.checked)} />
      </div>
      {loadError ? (
        <ErrorState error={loadError} what="the backlog" retry={() => {
          void sprints.refetch();
          void sprintTickets.refetch();
          void backlog.refetch();
        }} />
      ) : loading ? (
        <div className="plan-scroll" role="status" aria-label="Loading the backlog">
          {Array.from({ length: 8 }, (_, i) => <div key={i} className="plan-skeleton"><Skeleton height="1rem" /></div>)}
        </div>
      ) : (
        <PlanList
          org={org}
          project={project}
          sections={sections}
          canPlan={canPlan}
          withDone={withDone}
          activeExists={!!active}
          onToggle={toggle}
          onAction={onAction}
          onCreateSprint={onCreateSprint}
          loadMoreBacklog={() => {
            if (backlog.hasNextPage && !backlog.isFetchingNextPage) void backlog.fetchNextPage();
          }}
        />
      )}

      {dialog?.kind === "create" ? <SprintFormDialog org={org} project={project} sprints={allSprints} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === "edit" ? <SprintFormDialog org={org} project={project} sprint={dialog.sprint} sprints={allSprints} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === "start" ? (
        <StartSprintDialog org={org} project={project} sprint={dialog.sprint} active={active}
          tickets={sectionOf(dialog.sprint)?.counted ? sectionOf(dialog.sprint)!.total : null} onClose={() => setDialog(null)} />
      ) : null}
      {dialog?.kind === "complete" ? (
        <CompleteSprintDialog org={org} project={project} sprint={dialog.sprint} future={future} sprints={allSprints}
          counts={completionCounts(sectionOf(dialog.sprint))} onClose={() => setDialog(null)} />
      ) : null}
      {dialog?.kind === "delete" ? (
        <DeleteSprintDialog org={org} project={project} sprint={dialog.sprint}
          tickets={sectionOf(dialog.sprint)?.counted ? sectionOf(dialog.sprint)!.total : null} onClose={() => setDialog(null)} />
      ) : null}
    </div>
  );
}

function completionCounts(section: Section | undefined): { done: number; open: number } | null {
  if (!section || !section.counted) return null;
  const done = section.tickets.filter((t) => t.status.category === "done").length;
  return { done, open: section.tickets.length - done };
}

function sprintRef(section: Section | undefined): SprintRef | null {
  return section?.sprint ? { id: section.sprint.id, name: section.sprint.name } : null;
}

function rowKey(layout: Layout, i: number): string {
  const row = rowOf(layout, i);
  const id = layout.sections[row.section]!.id;
  return row.kind === "ticket" ? `t-${row.ticket.key}` : `${row.kind}-${id}`;
}

/** Where a slot is, in words (for screen readers). */
function slotWords(layout: Layout, slot: Slot, key: string): string {
  const s = layout.sections[slot.section]!;
  if (s.collapsed) return `the top of ${s.name} (collapsed)`;
  const others = s.tickets.filter((t) => t.key !== key);
  const own = s.tickets.findIndex((t) => t.key === key);
  const index = own >= 0 && own < slot.index ? slot.index - 1 : slot.index;
  if (others.length === 0) return `${s.name}, which is empty`;
  if (index === 0) return `the top of ${s.name}, before ${others[0]!.key}`;
  if (index >= others.length) return `the bottom of ${s.name}, after ${others[others.length - 1]!.key}`;
  return `${s.name}, between ${others[index - 1]!.key} and ${others[index]!.key}`;
}

function PlanList({
  org, project, sections, canPlan, withDone, activeExists, onToggle, onAction, onCreateSprint, loadMoreBacklog,
}: {
  org: string;
  project: string;
  sections: Section[];
  canPlan: boolean;
  withDone: boolean;
  activeExists: boolean;
  onToggle: (id: string) => void;
  onAction: (action: SprintAction, sprint: Sprint) => void;
  onCreateSprint: () => void;
  loadMoreBacklog: () => void;
}) {
  const layout = useMemo(() => flatten(sections), [sections]);
  const layoutRef = useRef(layout);
  layoutRef.current = layout;
  const scroller = useRef<HTMLDivElement>(null);
  const instructionsId = useId();
  const move = usePlanMove(org, project, withDone);
  const [live, setLive] = useState("");

  const [active, setActive] = useState<{ ticket: Ticket; section: string } | null>(null);
  const [target, setTarget] = useState<Slot | null>(null);
  const targetRef = useRef<Slot | null>(null);
  const keyboard = useRef(false);
  const slots = useRef<Slot[]>([]);
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const activeKeyRef = useRef<string | null>(null);

  const setSlot = useCallback((slot: Slot | null) => {
    const cur = targetRef.current;
    if (cur === slot || (cur && slot && cur.section === slot.section && cur.index === slot.index)) return;
    targetRef.current = slot;
    setTarget(slot);
  }, []);

  const activeIndex = useMemo(
    () => (active ? ticketRow(layout, active.ticket.key) : -1),
    [active, layout],
  );
  const getItemKey = useCallback((i: number) => rowKey(layout, i), [layout]);
  const rangeExtractor = useCallback((range: Range) => {
    const r = defaultRangeExtractor(range);
    // The dragged row stays mounted while it is scrolled away, or dnd-kit loses it.
    if (activeIndex >= 0 && !r.includes(activeIndex)) return [...r, activeIndex].sort((a, b) => a - b);
    return r;
  }, [activeIndex]);
  const virtual = useVirtualizer({
    count: layout.count,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => sizeAt(layout, i),
    getItemKey,
    rangeExtractor,
    overscan: 8,
  });
  const items = virtual.getVirtualItems();
  const lastItem = items[items.length - 1];
  const backlogSection = sections[sections.length - 1];
  useEffect(() => {
    if (lastItem && backlogSection?.hasMore && !backlogSection.collapsed && lastItem.index >= layout.count - 30) loadMoreBacklog();
  }, [lastItem, backlogSection, layout.count, loadMoreBacklog]);

  // ---- Moves ----
  const mutateMove = move.mutate;
  const sectionsRef = useRef(sections);
  sectionsRef.current = sections;
  // After a move from the menu or the keyboard: show the row where it went and give it the
  // focus back (its old place may have scrolled out of the rendered rows, taking the focus along).
  const [reveal, setReveal] = useState<{ key: string; focus: boolean; from: Layout; at: number } | null>(null);
  const run = useCallback((vars: PlanMoveVars, words: string, show?: { focus: boolean }) => {
    mutateMove(vars);
    setLive(`${vars.ticket.key} moved to ${words}.`);
    if (show) setReveal({ key: vars.ticket.key, focus: show.focus, from: layoutRef.current, at: Date.now() });
  }, [mutateMove]);
  useEffect(() => {
    if (!reveal || layout === reveal.from) return;
    // Only right after the move (a row moved past the loaded part of the backlog must not
    // be jumped to later, when its page arrives as the person scrolls).
    if (Date.now() - reveal.at > 1500) {
      setReveal(null);
      return;
    }
    const i = ticketRow(layout, reveal.key);
    if (i < 0) return;
    setReveal(null);
    virtual.scrollToIndex(i, { align: "auto" });
    if (reveal.focus) {
      const key = reveal.key;
      requestAnimationFrame(() => requestAnimationFrame(() => {
        document.querySelector<HTMLElement>(`[data-testid="plan-row-${CSS.escape(key)}"] [data-nav-item]`)?.focus({ preventScroll: true });
      }));
    }
  }, [layout, reveal, virtual]);

  const menuFor = useCallback((key: string, sectionId: string): MenuEntry[] => {
    const all = sectionsRef.current;
    const here = all.find((s) => s.id === sectionId);
    const ticket = here?.tickets.find((t) => t.key === key);
    if (!here || !ticket) return [];
    const others = here.tickets.filter((t) => t.key !== key).map((t) => t.key);
    const own = here.tickets.findIndex((t) => t.key === key);
    const from = sprintRef(here);
    const atBottom = own === here.tickets.length - 1 && !here.hasMore;
    const entries: MenuEntry[] = [
      { kind: "label", label: `Move ${key}` },
      {
        label: "Move to top",
        testId: "move-top",
        disabled: own === 0,
        onSelect: () => run({ ticket, from, to: from, place: placeAt(others, 0) }, `the top of ${here.name}`, { focus: true }),
      },
      {
        label: "Move to bottom",
        testId: "move-bottom",
        disabled: atBottom,
        onSelect: () => {
          if (here.id === BACKLOG && here.hasMore) {
            // The backlog's end is not loaded yet: ask which ticket is last.
            void lastBacklogKey(org, project, withDone).then((last) => {
              if (last && last !== key) run({ ticket, from, to: from, place: { after: last } }, "the bottom of the backlog", { focus: true });
            }, () => setLive(`${key} was not moved: the backlog’s last ticket could not be read.`));
            return;
          }
          run({ ticket, from, to: from, place: placeAt(others, others.length) }, `the bottom of ${here.name}`, { focus: true });
        },
      },
      { kind: "separator" },
    ];
    for (const s of all) {
      if (s.id === here.id) continue;
      const keys = s.tickets.map((t) => t.key);
      entries.push(s.sprint
        ? {
            label: `Move to ${s.name}`,
            testId: `move-to-${s.name}`,
            // The bottom of a sprint: after its last ticket.
            onSelect: () => run({ ticket, from, to: sprintRef(s), place: placeAt(keys, keys.length) }, `the bottom of ${s.name}`, { focus: true }),
          }
        : {
            label: "Move to the backlog",
            testId: "move-to-backlog",
            // The top of the backlog: before its first ticket.
            onSelect: () => run({ ticket, from, to: null, place: placeAt(keys, 0) }, "the top of the backlog", { focus: true }),
          });
    }
    return entries;
  }, [org, project, run, withDone]);

  // ---- Drag and drop: one drop area, the slot computed from the pointer and the layout ----
  const recompute = useCallback(() => {
    if (keyboard.current || !pointer.current || !scroller.current) return;
    const rect = scroller.current.getBoundingClientRect();
    const p = pointer.current;
    if (p.x < rect.left - 40 || p.x > rect.right + 40 || p.y < rect.top - 24 || p.y > rect.bottom + 24) {
      setSlot(null);
      return;
    }
    const y = Math.max(0, Math.min(rect.height - 1, p.y - rect.top)) + scroller.current.scrollTop;
    setSlot(locate(layoutRef.current, y));
  }, [setSlot]);

  useEffect(() => {
    if (!active) return;
    const onMove = (e: PointerEvent | TouchEvent) => {
      const pt = "touches" in e ? e.touches[0] : e;
      if (!pt) return;
      pointer.current = { x: pt.clientX, y: pt.clientY };
      recompute();
    };
    const el = scroller.current;
    window.addEventListener("pointermove", onMove, { passive: true });
    window.addEventListener("touchmove", onMove, { passive: true });
    el?.addEventListener("scroll", recompute, { passive: true });
    return () => {
      window.removeEventListener("pointermove", onMove);
      window.removeEventListener("touchmove", onMove);
      el?.removeEventListener("scroll", recompute);
    };
  }, [active, recompute]);

  const coordinateGetter = useCallback<KeyboardCoordinateGetter>((event, { currentCoordinates }) => {
    if (event.code !== "ArrowDown" && event.code !== "ArrowUp") return undefined;
    event.preventDefault();
    const cur = targetRef.current;
    if (!cur) return undefined;
    const next = stepSlot(slots.current, cur, event.code === "ArrowDown" ? 1 : -1);
    const l = layoutRef.current;
    setSlot(next);
    const key = activeKeyRef.current;
    if (key) setLive(`Over ${slotWords(l, next, key)}.`);
    return { x: currentCoordinates.x, y: currentCoordinates.y + slotY(l, next) - slotY(l, cur) };
  }, [setSlot]);

  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    // On touch screens a short press picks a row up, so a swipe still scrolls the list.
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 8 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter,
      scrollBehavior: "auto",
      keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] },
    }),
  );

  const onDragStart = (e: DragStartEvent) => {
    const data = e.active.data.current as { ticket: Ticket; section: string } | undefined;
    if (!data) return;
    activeKeyRef.current = data.ticket.key;
    keyboard.current = e.activatorEvent instanceof KeyboardEvent;
    const ev = e.activatorEvent as MouseEvent | TouchEvent;
    const pt = "touches" in ev ? ev.touches[0] : ev;
    pointer.current = pt ? { x: pt.clientX, y: pt.clientY } : null;
    slots.current = slotsFor(layout, data.ticket.key);
    setActive(data);
    setSlot(keyboard.current ? homeSlot(layout, data.ticket.key) : null);
    if (!keyboard.current) recompute();
  };

  const finish = () => {
    setActive(null);
    setSlot(null);
    activeKeyRef.current = null;
    keyboard.current = false;
    pointer.current = null;
  };

  const onDragEnd = () => {
    const a = active;
    const slot = targetRef.current;
    const l = layoutRef.current;
    const byKeyboard = keyboard.current;
    finish();
    if (!a || !slot) return;
    const plan = planDrop(l.sections, a.ticket.key, a.section, slot);
    if (!plan) {
      setLive(`${a.ticket.key} kept its place.`);
      return;
    }
    const from = sprintRef(l.sections.find((s) => s.id === plan.from));
    const to = sprintRef(l.sections.find((s) => s.id === plan.to));
    run({ ticket: a.ticket, from, to, place: plan.place }, slotWords(l, slot, a.ticket.key), byKeyboard ? { focus: true } : undefined);
  };

  const announcements: Announcements = {
    onDragStart: ({ active: x }) => `Picked up ${x.id}. Use the up and down arrow keys to move it, Space to drop it, Escape to cancel.`,
    onDragOver: () => undefined,
    onDragEnd: () => undefined,
    onDragCancel: ({ active: x }) => `Moving ${x.id} was cancelled; it kept its place.`,
  };

  const dropY = active && target ? slotY(layout, target) : null;
  const dropSection = active && target ? layout.sections[target.section]!.id : null;

  return (
    <>
      <p id={instructionsId} className="visually-hidden">
        To move a ticket with the keyboard: focus it, press Space, use the up and down arrow keys to choose its place (in this or another sprint, or the backlog), and press Space to drop it. Each ticket also has a menu to move it to the top, the bottom, or another sprint.
      </p>
      <p className="visually-hidden" aria-live="assertive" data-testid="plan-live">{live}</p>
      <DndContext sensors={sensors} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={finish} accessibility={{ announcements }}
        autoScroll={{ threshold: { x: 0, y: 0.15 } }}>
        <div ref={scroller} className="plan-scroll" data-testid="plan-scroll" data-dragging={active ? true : undefined}>
          <div className="plan-inner" style={{ height: virtual.getTotalSize() }}>
            {items.map((vi) => {
              const row = rowOf(layout, vi.index);
              const section = layout.sections[row.section]!;
              switch (row.kind) {
                case "header":
                  return (
                    <SectionHeader key={vi.key} section={section} start={vi.start} canPlan={canPlan} isDropTarget={dropSection === section.id}
                      onToggle={onToggle} onAction={onAction} onCreateSprint={onCreateSprint} activeExists={activeExists} />
                  );
                case "ticket":
                  return (
                    <TicketRow key={vi.key} org={org} ticket={row.ticket} sectionId={section.id} sectionName={section.name}
                      position={row.index + 1} count={section.total} last={row.last} start={vi.start} canPlan={canPlan}
                      menuFor={menuFor} instructionsId={instructionsId} />
                  );
                case "empty":
                  return <EmptyRow key={vi.key} section={section} start={vi.start} canPlan={canPlan} />;
                case "more":
                  return <MoreRow key={vi.key} section={section} start={vi.start} />;
              }
            })}
            {dropY !== null ? <div className="plan-drop-line" style={{ transform: `translateY(${dropY - 1}px)` }} data-testid="drop-line" aria-hidden="true" /> : null}
          </div>
        </div>
        <DragOverlay dropAnimation={null}>
          {active ? <div className="plan-row-body plan-overlay"><RowBody ticket={active.ticket} /></div> : null}
        </DragOverlay>
      </DndContext>
    </>
  );
}
