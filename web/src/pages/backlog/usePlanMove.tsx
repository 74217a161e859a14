import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { storeTicket } from "../../api/hooks";
import type { RankMove, SprintRef, Ticket } from "../../api/types";
import { useToast } from "../../ui";
import { applyMove, withServerCopies, type PlanData } from "./layout";
import { backlogJql, sprintTicketsJql } from "./queries";

export interface PlanMoveVars {
  ticket: Ticket;
  /** The sprint it is in now (null: the backlog). */
  from: SprintRef | null;
  /** The sprint it goes to (null: the backlog). */
  to: SprintRef | null;
  /** Its new neighbour, or null when the target has no other ticket. */
  place: RankMove | null;
}

/** A sprint change that worked, followed by a rank move that did not. */
class RankAfterMoveFailed extends Error {
  constructor(readonly reason: unknown) {
    super(describeError(reason));
  }
}

function where(s: SprintRef | null): string {
  return s ? s.name : "the backlog";
}

/** Why a move was refused, for a person. */
export function planMoveFailure(e: unknown, vars: PlanMoveVars): string {
  if (e instanceof RankAfterMoveFailed) {
    return `${vars.ticket.key} is now in ${where(vars.to)}, but its place there could not be saved: ${describeError(e.reason)}`;
  }
  const moving = vars.from?.id !== vars.to?.id;
  const what = moving ? `stayed in ${where(vars.from)}` : "kept its place";
  return `${vars.ticket.key} ${what}. ${describeError(e)}`;
}

/**
 * Moves a ticket on the backlog: into or out of a sprint (`/sprints/{id}/tickets`),
 * then next to its new neighbour (`/tickets/{key}/rank`). Optimistic in both cached
 * searches, rolled back with a toast on error. Moves run one after the other (one
 * mutation scope per project), so each one's neighbours are the ones on screen.
 */
export function usePlanMove(org: string, project: string, withDone = false) {
  const qc = useQueryClient();
  const toast = useToast();
  const sprintKey = qk.search(org, sprintTicketsJql(project));
  const backlogKey = qk.search(org, backlogJql(project, withDone));
  const otherBacklogKey = qk.search(org, backlogJql(project, !withDone));
  const mutationKey = ["plan-move", org, project.toUpperCase()];
  return useMutation({
    mutationKey,
    scope: { id: `plan:${org}:${project}` },
    mutationFn: async ({ ticket, from, to, place }: PlanMoveVars): Promise<{ ticket: Ticket | null; etag: string | null; changed: Ticket[] }> => {
      let latest: Ticket | null = null;
      let changed: Ticket[] = [];
      if (from?.id !== to?.id) {
        const r = to
          ? await endpoints.changeSprintTickets(org, to.id, { add: [ticket.key] })
          : await endpoints.changeSprintTickets(org, from!.id, { remove: [ticket.key] });
        changed = r.tickets;
        latest = r.tickets.find((t) => t.key === ticket.key) ?? null;
        if (!place) return { ticket: latest, etag: null, changed };
        try {
          const ranked = await endpoints.rankTicket(org, ticket.key, place);
          return { ticket: ranked.data, etag: ranked.etag, changed };
        } catch (e) {
          throw new RankAfterMoveFailed(e);
        }
      }
      if (!place) return { ticket: latest, etag: null, changed };
      const ranked = await endpoints.rankTicket(org, ticket.key, place);
      return { ticket: ranked.data, etag: ranked.etag, changed };
    },
    onMutate: async (vars) => {
      await Promise.all([qc.cancelQueries({ queryKey: sprintKey, exact: true }), qc.cancelQueries({ queryKey: backlogKey, exact: true })]);
      const sprintBefore = qc.getQueryData<PlanData>(sprintKey);
      const backlogBefore = qc.getQueryData<PlanData>(backlogKey);
      const next = applyMove(sprintBefore, backlogBefore, vars.ticket, vars.to, vars.place);
      qc.setQueryData(sprintKey, next.sprintData);
      qc.setQueryData(backlogKey, next.backlogData);
      return {
        rollback: () => {
          qc.setQueryData(sprintKey, sprintBefore);
          qc.setQueryData(backlogKey, backlogBefore);
        },
      };
    },
    onError: (e, vars, ctx) => {
      ctx?.rollback();
      if (!(isApiError(e) && e.status === 402)) toast.error(<span>{planMoveFailure(e, vars)}</span>);
      // What the server holds now wins (a half-done move, someone else's change).
      void qc.invalidateQueries({ queryKey: sprintKey, exact: true });
      void qc.invalidateQueries({ queryKey: backlogKey, exact: true });
    },
    onSuccess: ({ ticket, etag, changed }, vars) => {
      // A later move of the same ticket is still to come: its optimistic place wins until it lands.
      const later = qc.getMutationCache().findAll({ mutationKey, status: "pending" })
        .some((m) => m.state.variables !== vars && (m.state.variables as PlanMoveVars | undefined)?.ticket.key === vars.ticket.key);
      if (later) return;
      const copies = ticket ? [...changed.filter((t) => t.key !== ticket.key), ticket] : changed;
      qc.setQueryData<PlanData>(sprintKey, (d) => withServerCopies(d, copies));
      qc.setQueryData<PlanData>(backlogKey, (d) => withServerCopies(d, copies));
      for (const t of copies) storeTicket(qc, org, t, t === ticket ? etag : null);
      // Sprint-scoped boards and the other backlog view see the change when they are next shown.
      void qc.invalidateQueries({ queryKey: qk.board(org, project) });
      void qc.invalidateQueries({ queryKey: otherBacklogKey, exact: true });
    },
  });
}
