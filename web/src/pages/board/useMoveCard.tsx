import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { storeTicket, transitionsQuery, type TicketEntry } from "../../api/hooks";
import type { Ticket, WorkflowStatus } from "../../api/types";
import { useToast } from "../../ui";
import { moveCardInCache, settleCardInCache } from "./boardCache";

export interface MoveVars {
  ticket: Ticket;
  to: WorkflowStatus;
}

/** Why a move was refused, for a person. */
export function moveFailureReason(e: unknown, vars: MoveVars): string {
  if (isApiError(e)) {
    if (e.status === 412) return `${vars.ticket.key} was changed by someone else since the board loaded. The board has been refreshed; try again.`;
    if (e.kind === "transition-not-allowed") {
      const allowed = e.problem.allowed ?? [];
      return `The workflow does not allow ${vars.ticket.status.name} → ${vars.to.name}.${allowed.length ? ` From ${vars.ticket.status.name} it can go to: ${allowed.join(", ")}.` : ""}`;
    }
  }
  return describeError(e);
}

/** A card move: optimistic in the column caches, rolled back with the server's reason. `sprint`: the board's sprint scope. */
export function useMoveCard(org: string, project: string, filter: string, sprint: string | null = null) {
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ ticket, to }: MoveVars) => {
      const cached = qc.getQueryData<TicketEntry>(qk.ticket(org, ticket.key));
      const version = Math.max(ticket.version, cached?.data.version ?? 0);
      return endpoints.transition(org, ticket.key, to.name, `"${version}"`);
    },
    onMutate: (vars) => ({ rollback: moveCardInCache(qc, org, project, filter, vars.ticket, vars.to, sprint) }),
    onError: (e, vars, ctx) => {
      ctx?.rollback();
      if (!(isApiError(e) && e.status === 402)) {
        toast.error(<span><strong>{vars.ticket.key}</strong> stayed in {vars.ticket.status.name}. {moveFailureReason(e, vars)}</span>);
      }
      // What the workflow allows may have changed: forget it, so the next drag asks again.
      qc.removeQueries({ queryKey: qk.transitions(org, vars.ticket.key), exact: true });
      if (isApiError(e) && e.status === 412) {
        void qc.invalidateQueries({ queryKey: qk.board(org, project) });
        void qc.invalidateQueries({ queryKey: qk.ticket(org, vars.ticket.key) });
      }
    },
    onSuccess: ({ data, etag }) => {
      settleCardInCache(qc, org, project, filter, data, sprint);
      storeTicket(qc, org, data, etag);
      // The allowed moves belong to the old status: drop them and fetch the new status's now.
      qc.removeQueries({ queryKey: qk.transitions(org, data.key), exact: true });
      void qc.prefetchQuery(transitionsQuery(org, data.key));
      void qc.invalidateQueries({ queryKey: qk.searchAll(org), refetchType: "none" });
    },
  });
}
