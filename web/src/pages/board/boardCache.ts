import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { qk } from "../../api/endpoints";
import type { SearchResponse, Ticket, WorkflowStatus } from "../../api/types";

export type ColumnData = InfiniteData<SearchResponse, string | null>;

function without(data: ColumnData | undefined, key: string): ColumnData | undefined {
  if (!data) return data;
  let removed = false;
  const pages = data.pages.map((p) => {
    const issues = p.issues.filter((t) => t.key !== key);
    if (issues.length !== p.issues.length) removed = true;
    return { ...p, issues };
  });
  if (!removed) return data;
  return { ...data, pages: pages.map((p) => ({ ...p, total: Math.max(0, p.total - 1) })) };
}

function withTicket(data: ColumnData | undefined, ticket: Ticket): ColumnData | undefined {
  if (!data || data.pages.length === 0) return data;
  const exists = data.pages.some((p) => p.issues.some((t) => t.key === ticket.key));
  if (exists) {
    return { ...data, pages: data.pages.map((p) => ({ ...p, issues: p.issues.map((t) => (t.key === ticket.key ? ticket : t)) })) };
  }
  const [first, ...rest] = data.pages;
  return {
    ...data,
    pages: [{ ...first!, issues: [ticket, ...first!.issues] }, ...rest].map((p) => ({ ...p, total: p.total + 1 })),
  };
}

/**
 * Moves a card between two column caches at once (the optimistic half of a drag) and
 * returns the function that puts both back exactly as they were.
 */
export function moveCardInCache(
  qc: QueryClient,
  org: string,
  project: string,
  filter: string,
  ticket: Ticket,
  to: WorkflowStatus,
  sprint: string | null = null,
): () => void {
  const fromKey = qk.column(org, project, ticket.status.name, filter, sprint);
  const toKey = qk.column(org, project, to.name, filter, sprint);
  void qc.cancelQueries({ queryKey: fromKey });
  void qc.cancelQueries({ queryKey: toKey });
  const before = qc.getQueryData<ColumnData>(fromKey);
  const beforeTo = qc.getQueryData<ColumnData>(toKey);
  qc.setQueryData<ColumnData>(fromKey, (d) => without(d, ticket.key));
  qc.setQueryData<ColumnData>(toKey, (d) => withTicket(d, { ...ticket, status: to }));
  return () => {
    qc.setQueryData(fromKey, before);
    qc.setQueryData(toKey, beforeTo);
  };
}

/** Puts the server's copy of a moved ticket into its column. */
export function settleCardInCache(qc: QueryClient, org: string, project: string, filter: string, ticket: Ticket, sprint: string | null = null): void {
  qc.setQueryData<ColumnData>(qk.column(org, project, ticket.status.name, filter, sprint), (d) => withTicket(d, ticket));
}

export function columnTickets(data: ColumnData | undefined): Ticket[] {
  return data ? data.pages.flatMap((p) => p.issues) : [];
}
