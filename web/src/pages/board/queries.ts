// Board queries, shared by the board page and the start-up prefetch (which must not pull
// the board's drag-and-drop code into the entry chunk).
import type { QueryClient } from "@tanstack/react-query";
import { endpoints, qk } from "../../api/endpoints";
import type { ProjectDetail } from "../../api/types";
import { quote, scopeQuery } from "../../lib/jql";

export const BOARD_PAGE = 50;
export const BOARD_ORDER = "ORDER BY priority DESC, created DESC";

export function columnQuery(project: string, status: string, filter: string) {
  return scopeQuery(`project = ${project} AND status = ${quote(status)}`, filter, BOARD_ORDER);
}

export function projectQuery(org: string, project: string) {
  return {
    queryKey: qk.project(org, project),
    queryFn: () => endpoints.project(org, project).then((r) => r.data),
    staleTime: 60_000,
    retryOnMount: false,
  };
}

export function columnInfiniteQuery(org: string, project: string, status: string, filter: string) {
  const q = columnQuery(project, status, filter);
  return {
    queryKey: qk.column(org, project, status, filter),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      endpoints.search(org, { jql: q.jql, maxResults: BOARD_PAGE, nextPageToken: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: { isLast: boolean; nextPageToken?: string | null }) =>
      last.isLast ? undefined : last.nextPageToken ?? undefined,
    // Pages never change once fetched: skip deep-comparing thousands of rows on every page.
    structuralSharing: false,
    staleTime: 20_000,
  };
}

/** Fetch a board's workflow and first page of every column at once (on a cold load of its URL). */
export async function prefetchBoard(qc: QueryClient, org: string, project: string, filter: string): Promise<void> {
  const detail = await qc.fetchQuery<ProjectDetail>(projectQuery(org, project)).catch(() => null);
  if (!detail) return;
  await Promise.all(detail.statuses.map((s) => qc.prefetchInfiniteQuery(columnInfiniteQuery(org, project, s.name, filter))));
}
