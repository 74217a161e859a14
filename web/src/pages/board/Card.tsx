import { memo, useCallback, useEffect, useMemo, useState } from "react";
import { useDraggable } from "@dnd-kit/core";
import { useNavigate } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { qk } from "../../api/endpoints";
import { hoverIntent, prefetchTicket, transitionsQuery } from "../../api/hooks";
import type { Ticket, Transitions, WorkflowStatus } from "../../api/types";
import { isOverdue, PRIORITY_ICON, PRIORITY_LABEL, shortDate, TYPE_ICON, TYPE_LABEL } from "../../lib/format";
import { Avatar, Menu, type MenuEntry } from "../../ui";

export function CardBody({ ticket }: { ticket: Ticket }) {
  return (
    <>
      <div className="card-top">
        <span className={`type-icon type-${ticket.type}`} aria-hidden="true" title={TYPE_LABEL[ticket.type]}>{TYPE_ICON[ticket.type]}</span>
        <span className="card-key mono">{ticket.key}</span>
      </div>
      <div className="card-title">{ticket.title}</div>
      <div className="card-meta">
        <span className={`prio prio-${ticket.priority}`} title={`Priority: ${PRIORITY_LABEL[ticket.priority]}`}>
          <span aria-hidden="true">{PRIORITY_ICON[ticket.priority]}</span>
          <span className="visually-hidden">Priority {PRIORITY_LABEL[ticket.priority]}</span>
        </span>
        <span className="visually-hidden">, {TYPE_LABEL[ticket.type]}</span>
        {ticket.labels.slice(0, 3).map((l) => <span key={l} className="badge label-badge">{l}</span>)}
        {ticket.labels.length > 3 ? <span className="badge">+{ticket.labels.length - 3}</span> : null}
        <span className="grow" />
        {ticket.children?.total ? (
          <span className="badge" title={`Child issues: ${ticket.children.done} of ${ticket.children.total} done`}>
            <span className="visually-hidden">, child issues done: </span>{ticket.children.done}/{ticket.children.total}
          </span>
        ) : null}
        {ticket.story_points != null ? (
          <span className="badge badge-points" title={`Story points: ${ticket.story_points}`}>
            <span className="visually-hidden">, story points </span>{ticket.story_points}
          </span>
        ) : null}
        {ticket.due_date ? (
          <span className={isOverdue(ticket.due_date) && ticket.status.category !== "done" ? "badge badge-danger" : "badge"} title={`Due ${ticket.due_date}`}>
            <span className="visually-hidden">Due </span>{shortDate(ticket.due_date)}
          </span>
        ) : null}
        {ticket.assignee ? (
          <>
            <Avatar login={ticket.assignee.login} name={ticket.assignee.name} />
            <span className="visually-hidden">, assigned to {ticket.assignee.name}</span>
          </>
        ) : <span className="visually-hidden">, unassigned</span>}
      </div>
    </>
  );
}

/**
 * Fetches a card's allowed moves once its menu is first opened and re-renders the card when
 * they arrive (a query observer per card only for the cards whose menu was used).
 */
function TransitionsWatcher({ org, ticketKey, onChange }: { org: string; ticketKey: string; onChange: () => void }) {
  const { data } = useQuery(transitionsQuery(org, ticketKey));
  useEffect(() => {
    if (data) onChange();
  }, [data, onChange]);
  return null;
}

export const BoardCard = memo(function BoardCard({
  org, ticket, statuses, canMove, onMove, instructionsId,
}: {
  org: string;
  ticket: Ticket;
  statuses: WorkflowStatus[];
  canMove: boolean;
  onMove: (t: Ticket, to: WorkflowStatus) => void;
  instructionsId: string;
}) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: ticket.key,
    data: { ticket },
    disabled: !canMove,
  });
  const [menuWanted, setMenuWanted] = useState(false);
  const [, setTransitionsSeen] = useState(0);
  const bump = useCallback(() => setTransitionsSeen((n) => n + 1), []);
  const open = () => navigate(`/${org}/tickets/${ticket.key}`);
  const warm = () => prefetchTicket(qc, org, ticket);
  const hover = useMemo(() => hoverIntent(() => prefetchTicket(qc, org, ticket)), [qc, org, ticket]);
  const name = `${ticket.key} ${ticket.title}`;

  const menuItems = (): MenuEntry[] => {
    const tr = qc.getQueryData<Transitions>(qk.transitions(org, ticket.key));
    const allowed = tr ? new Map(tr.transitions.map((t) => [t.to.name, t.name])) : null;
    return [
      { kind: "label", label: tr ? `Move ${ticket.key} to…` : "Checking the workflow…" },
      ...statuses
        .filter((s) => s.name !== ticket.status.name)
        .map((s): MenuEntry => {
          const ok = !allowed || allowed.has(s.name);
          return {
            label: allowed?.get(s.name) ? `${s.name} (${allowed.get(s.name)})` : s.name,
            disabled: !ok,
            hint: ok ? undefined : `The workflow does not allow ${ticket.status.name} → ${s.name}`,
            onSelect: () => onMove(ticket, s),
            testId: `move-to-${s.name}`,
          };
        }),
    ];
  };

  return (
    <li className="board-card" aria-label={name} data-dragging={isDragging || undefined} data-testid={`card-${ticket.key}`}>
      <div
        ref={setNodeRef}
        className="board-card-body"
        {...attributes}
        {...listeners}
        role="button"
        tabIndex={0}
        aria-label={`${name}. ${canMove ? "Press Enter to open, Space to pick up and move." : "Press Enter to open."}`}
        aria-describedby={canMove ? instructionsId : undefined}
        aria-roledescription={canMove ? "draggable ticket" : "ticket"}
        aria-pressed={undefined}
        data-nav-item
        onClick={open}
        {...hover}
        onFocus={warm}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            open();
            return;
          }
          listeners?.onKeyDown?.(e);
        }}
      >
        <CardBody ticket={ticket} />
      </div>
      {menuWanted ? <TransitionsWatcher org={org} ticketKey={ticket.key} onChange={bump} /> : null}
      {canMove ? (
        <div className="board-card-menu">
          <Menu
            label={`Move ${ticket.key} to…`}
            align="end"
            buttonClassName="btn btn-ghost btn-sm btn-icon"
            buttonContent={<span aria-hidden="true">⋯</span>}
            onOpen={() => setMenuWanted(true)}
            items={menuItems}
            testId={`move-menu-${ticket.key}`}
          />
        </div>
      ) : null}
    </li>
  );
});
