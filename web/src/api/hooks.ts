import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { loadTicketPage } from "../app/lazyPages";
import { endpoints, qk } from "./endpoints";
import type { Sprint, Ticket, Transitions } from "./types";

export interface TicketEntry {
  data: Ticket;
  etag: string | null;
}

export function ticketQuery(org: string, key: string) {
  return {
    queryKey: qk.ticket(org, key),
    queryFn: () =>
      endpoints.ticket(org, key).then((r): TicketEntry => ({ data: r.data, etag: r.etag })),
    staleTime: 10_000,
    // A ticket that just answered 404 (say, to the start-up prefetch) is not asked again on mount.
    retryOnMount: false,
  };
}

export function transitionsQuery(org: string, key: string) {
  return {
    queryKey: qk.transitions(org, key),
    queryFn: () => endpoints.transitions(org, key),
    staleTime: 30_000,
  };
}

/** The organization's custom field definitions (rarely change: a minute fresh). */
export function customFieldsQuery(org: string) {
  return { queryKey: qk.customFields(org), queryFn: () => endpoints.customFields(org), staleTime: 60_000 };
}

/** Every sprint of a project, oldest first (each page of the cursor list, all states). */
export function sprintsQuery(org: string, project: string) {
  return {
    queryKey: qk.sprintList(org, project, "all"),
    queryFn: async (): Promise<Sprint[]> => {
      const all: Sprint[] = [];
      let cursor: string | null | undefined = null;
      do {
        const page = await endpoints.sprints(org, project, [], cursor);
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return all;
    },
    staleTime: 15_000,
    retryOnMount: false,
  };
}

/** The project's active sprint, or null (at most one per project). */
export function activeSprintQuery(org: string, project: string) {
  return {
    queryKey: qk.sprintList(org, project, "active"),
    queryFn: () => endpoints.sprints(org, project, ["active"]).then((p): Sprint | null => p.items[0] ?? null),
    staleTime: 30_000,
    retryOnMount: false,
  };
}

export function useSprints(org: string, project: string, enabled = true) {
  return useQuery({ ...sprintsQuery(org, project), enabled });
}

export function useActiveSprint(org: string, project: string, enabled = true) {
  return useQuery({ ...activeSprintQuery(org, project), enabled });
}

export function useTicket(org: string, key: string) {
  return useQuery(ticketQuery(org, key));
}

export function useTransitions(org: string, key: string, enabled = true) {
  return useQuery<Transitions>({ ...transitionsQuery(org, key), enabled });
}

/** Warm the ticket page (and its transitions) on hover or focus of a row or card. */
export function usePrefetchTicket(org: string) {
  const qc = useQueryClient();
  return (t: Ticket | string) => prefetchTicket(qc, org, t);
}

export function prefetchTicket(qc: QueryClient, org: string, t: Ticket | string) {
  void loadTicketPage();
  const key = typeof t === "string" ? t : t.key;
  if (typeof t !== "string" && !qc.getQueryData(qk.ticket(org, key))) {
    // The row already has the ticket: show it at once, then confirm the ETag in the background.
    qc.setQueryData<TicketEntry>(qk.ticket(org, key), { data: t, etag: null }, { updatedAt: 0 });
  }
  void qc.prefetchQuery(ticketQuery(org, key));
  void qc.prefetchQuery(transitionsQuery(org, key));
}

/** After a write returns the new ticket, keep every cached copy in step. */
export function storeTicket(qc: QueryClient, org: string, ticket: Ticket, etag: string | null) {
  qc.setQueryData<TicketEntry>(qk.ticket(org, ticket.key), { data: ticket, etag: etag ?? `"${ticket.version}"` });
}

/**
 * Hover intent: prefetch only when the pointer rests on a row or card for a moment, so
 * rows sliding under a still pointer while scrolling do not each fire requests.
 */
export function hoverIntent(fn: () => void, delay = 90) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    onMouseEnter: () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, delay);
    },
    onMouseLeave: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
