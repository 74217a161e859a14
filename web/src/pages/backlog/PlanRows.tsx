// The rows of the backlog's virtualised list: a section header (sprint or backlog), a
// ticket, an empty section's drop hint, and "loading more".
import { memo, useMemo, type CSSProperties } from "react";
import { useDraggable } from "@dnd-kit/core";
import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { hoverIntent, prefetchTicket } from "../../api/hooks";
import type { PlannedTicket, Sprint } from "../../api/types";
import { PRIORITY_ICON, PRIORITY_LABEL, TYPE_ICON, TYPE_LABEL, plural } from "../../lib/format";
import { sprintDates } from "../../lib/sprints";
import { Avatar, Button, Menu, type MenuEntry } from "../../ui";
import { BACKLOG, countSection, SIZE, type Section } from "./layout";

export type SprintAction = "start" | "complete" | "edit" | "delete";

export function rowStyle(start: number, height: number): CSSProperties {
  return { position: "absolute", top: 0, left: 0, right: 0, height, transform: `translateY(${start}px)` };
}

export const SectionHeader = memo(function SectionHeader({
  section, start, canPlan, isDropTarget, onToggle, onAction, onCreateSprint, activeExists,
}: {
  section: Section;
  start: number;
  canPlan: boolean;
  isDropTarget: boolean;
  onToggle: (id: string) => void;
  onAction: (action: SprintAction, sprint: Sprint) => void;
  onCreateSprint: () => void;
  activeExists: boolean;
}) {
  const s = section.sprint;
  // The backlog's counts are shown only once it is all loaded: no walk over thousands per page.
  const needCounts = !!section.sprint || !section.hasMore;
  const counts = useMemo(() => (needCounts ? countSection(section.tickets) : { todo: 0, in_progress: 0, done: 0, points: null }), [needCounts, section.tickets]);
  const name = section.name;
  const state = s ? s.state : BACKLOG;
  const menu: MenuEntry[] = s
    ? [
        { label: "Edit sprint", onSelect: () => onAction("edit", s), testId: "sprint-edit" },
        ...(s.state === "future"
          ? [{ label: "Delete sprint", onSelect: () => onAction("delete", s), testId: "sprint-delete" } as MenuEntry]
          : []),
      ]
    : [];
  return (
    <div className="plan-head-row" style={rowStyle(start, SIZE.header)}>
      <div className="plan-head" data-testid={s ? `sprint-${name}` : "backlog-section"} data-state={state}
        data-collapsed={section.collapsed || undefined} data-drop-target={isDropTarget || undefined}>
        <div className="plan-head-line">
          <h2 className="plan-head-title">
            <button type="button" className="plan-toggle" aria-expanded={!section.collapsed} onClick={() => onToggle(section.id)}>
              <span className="plan-chevron" aria-hidden="true">{section.collapsed ? "▸" : "▾"}</span>
              <span className="truncate">{name}</span>
            </button>
          </h2>
          {s?.state === "active" ? <span className="badge badge-accent">Active</span> : null}
          {s?.state === "future" ? <span className="badge">Future</span> : null}
          <span className="plan-count" data-testid="section-count">
            {section.counted ? plural(section.total, "ticket") : "Counting…"}
          </span>
          {s && section.counted && section.total > 0 ? (
            <span className="plan-cats" data-testid="section-categories">
              <span className="plan-cat cat-todo" title="To do">{counts.todo}<span className="visually-hidden"> to do,</span></span>
              <span className="plan-cat cat-in_progress" title="In progress">{counts.in_progress}<span className="visually-hidden"> in progress,</span></span>
              <span className="plan-cat cat-done" title="Done">{counts.done}<span className="visually-hidden"> done</span></span>
            </span>
          ) : null}
          {counts.points !== null && section.counted && !section.hasMore
            ? <span className="badge" data-testid="section-points" title="Story points">{plural(counts.points, "point")}</span>
            : null}
          <span className="grow" />
          {canPlan && s?.state === "future" ? (
            <Button size="sm" variant={activeExists ? "default" : "primary"} onClick={() => onAction("start", s)}
              aria-label={`Start ${name}`}>Start sprint</Button>
          ) : null}
          {canPlan && s?.state === "active" ? (
            <Button size="sm" variant="primary" onClick={() => onAction("complete", s)} aria-label={`Complete ${name}`}>Complete sprint</Button>
          ) : null}
          {canPlan && s ? (
            <Menu label={`Actions for ${name}`} align="end" buttonClassName="btn btn-ghost btn-sm btn-icon"
              buttonContent={<span aria-hidden="true">⋯</span>} items={menu} testId={`sprint-menu-${name}`} />
          ) : null}
          {canPlan && !s ? <Button size="sm" onClick={onCreateSprint}>Create sprint</Button> : null}
        </div>
        <div className="plan-head-sub truncate">
          <span className="plan-sub-count" aria-hidden="true">{section.counted ? plural(section.total, "ticket") : "Counting…"} · </span>
          {s ? (
            <>
              <span>{sprintDates(s)}</span>
              {s.goal ? <span title={s.goal}> · Goal: {s.goal}</span> : null}
            </>
          ) : (
            <span>Tickets in no open sprint, in rank order{canPlan ? ": drag to re-rank or plan them into a sprint" : ""}.</span>
          )}
        </div>
      </div>
    </div>
  );
});

export const TicketRow = memo(function TicketRow({
  org, ticket, sectionId, sectionName, position, count, last, start, canPlan, menuFor, instructionsId,
}: {
  org: string;
  ticket: PlannedTicket;
  sectionId: string;
  sectionName: string;
  position: number;
  count: number;
  last: boolean;
  start: number;
  canPlan: boolean;
  menuFor: (key: string, sectionId: string) => MenuEntry[];
  instructionsId: string;
}) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: ticket.key,
    data: { ticket, section: sectionId },
    disabled: !canPlan,
  });
  const hover = useMemo(() => hoverIntent(() => prefetchTicket(qc, org, ticket)), [qc, org, ticket]);
  const open = () => navigate(`/${org}/tickets/${ticket.key}`);
  const where = `${sectionName}, ${position} of ${count}`;
  return (
    <div className="plan-row" style={rowStyle(start, SIZE.ticket)} data-last={last || undefined} data-dragging={isDragging || undefined}
      data-testid={`plan-row-${ticket.key}`} data-section={sectionName} data-index={position - 1}>
      <div
        ref={setNodeRef}
        className="plan-row-body"
        {...attributes}
        {...listeners}
        role="button"
        tabIndex={0}
        aria-label={`${ticket.key} ${ticket.title}. ${where}. ${canPlan ? "Press Enter to open, Space to pick up and move." : "Press Enter to open."}`}
        aria-describedby={canPlan ? instructionsId : undefined}
        aria-roledescription={canPlan ? "draggable ticket" : "ticket"}
        aria-pressed={undefined}
        data-nav-item
        onClick={open}
        {...hover}
        onFocus={() => prefetchTicket(qc, org, ticket)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            open();
            return;
          }
          listeners?.onKeyDown?.(e);
        }}
      >
        {canPlan ? <span className="plan-grip" aria-hidden="true">⠿</span> : null}
        <RowBody ticket={ticket} />
      </div>
      {canPlan ? (
        <div className="plan-row-menu">
          <Menu label={`Move ${ticket.key}…`} align="end" buttonClassName="btn btn-ghost btn-sm btn-icon"
            buttonContent={<span aria-hidden="true">⋯</span>} items={() => menuFor(ticket.key, sectionId)} testId={`plan-menu-${ticket.key}`} />
        </div>
      ) : null}
    </div>
  );
});

export function RowBody({ ticket }: { ticket: PlannedTicket }) {
  return (
    <>
      <span className={`type-icon type-${ticket.type}`} aria-hidden="true" title={TYPE_LABEL[ticket.type]}>{TYPE_ICON[ticket.type]}</span>
      <span className="plan-key mono">{ticket.key}</span>
      <span className="plan-title truncate" title={ticket.title}>{ticket.title}</span>
      {ticket.labels.slice(0, 2).map((l) => <span key={l} className="badge label-badge hide-narrow">{l}</span>)}
      <span className={`status-pill cat-${ticket.status.category} plan-status`}>{ticket.status.name}</span>
      <span className="plan-points">
        {typeof ticket.story_points === "number" ? <span className="badge" title="Story points">{ticket.story_points}<span className="visually-hidden"> points</span></span> : null}
      </span>
      <span className={`prio prio-${ticket.priority}`} title={`Priority: ${PRIORITY_LABEL[ticket.priority]}`} aria-hidden="true">{PRIORITY_ICON[ticket.priority]}</span>
      {ticket.assignee
        ? <Avatar login={ticket.assignee.login} name={ticket.assignee.name} />
        : <span className="plan-unassigned" aria-hidden="true" title="Unassigned" />}
    </>
  );
}

export function EmptyRow({ section, start, canPlan }: { section: Section; start: number; canPlan: boolean }) {
  const text = section.sprint
    ? canPlan
      ? `Plan this sprint: drag tickets here, or use a ticket’s ⋯ menu → Move to ${section.name}.`
      : "No tickets in this sprint."
    : "The backlog is empty: every open ticket is planned in a sprint.";
  return <div className="plan-empty" style={rowStyle(start, SIZE.empty)} data-testid={`empty-${section.name}`}>{text}</div>;
}

export function MoreRow({ section, start }: { section: Section; start: number }) {
  return (
    <div className="plan-more" style={rowStyle(start, SIZE.more)} role="status">
      {section.counted ? "Loading more tickets…" : "Loading tickets…"}
      {section.id === BACKLOG && section.counted ? ` ${section.tickets.length.toLocaleString()} of ${section.total.toLocaleString()} loaded.` : ""}
    </div>
  );
}
