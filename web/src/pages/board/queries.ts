// Board queries, shared by the board page and the start-up prefetch (which must not pull
// the board's drag-and-drop code into the entry chunk).
import type { QueryClient } from "@tanstack/react-query";
import { endpoints, qk } from "../../api/endpoints";
import { activeSprintQuery } from "../../api/hooks";
import type { ProjectDetail, Sprint, SprintRef } from "../../api/types";
import { quote, scopeQuery } from "../../lib/jql";

export const BOARD_PAGE = 50;
export const BOARD_ORDER = "ORDER BY priority DESC, created DESC";

/** A column's JQL: the project, the status, the sprint the board shows (if any), then the user's filter. */
export function columnQuery(project: string, status: string, filter: string, sprint: Pick<SprintRef, "name"> | null = null) {
  const scope = sprint ? ` AND sprint = ${quote(sprint.name)}` : "";
  return scopeQuery(`project = ${project} AND status = ${quote(status)}${scope}`, filter, BOARD_ORDER);
}

/** Which tickets a board shows: the active sprint's (the default when there is one) or all (`?sprint=all`). */
export function boardSprint(active: Sprint | null | undefined, param: string | null): Sprint | null {
  return param === "all" ? null : active ?? null;
}

export function projectQuery(org: string, project: string) {
  return {
    queryKey: qk.project(org, project),
    queryFn: () => endpoints.project(org, project).then((r) => r.data),
    staleTime: 60_000,
    retryOnMount: false,
  };
}

export function columnInfiniteQuery(org: string, project: string, status: string, filter: string, sprint: SprintRef | null = null) {
  const q = columnQuery(project, status, filter, sprint);
  return {
    queryKey: qk.column(org, project, status, filter, sprint?.id ?? null),
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

/**
 * Fetch a board's workflow and its active sprint, then the first page of every column,
 * at once (on a cold load of its URL). `sprintParam` is the URL's `sprint`.
 */
export async function prefetchBoard(qc: QueryClient, org: string, project: string, filter: string, sprintParam: string | null = null): Promise<void> {
  const [detail, active] = await Promise.all([
    qc.fetchQuery<ProjectDetail>(projectQuery(org, project)).catch(() => null),
    sprintParam === "all" ? Promise.resolve(null) : qc.fetchQuery(activeSprintQuery(org, project)).catch(() => null),
  ]);
  if (!detail) return;
  const sprint = boardSprint(active, sprintParam);
  await Promise.all(detail.statuses.map((s) => qc.prefetchInfiniteQuery(columnInfiniteQuery(org, project, s.name, filter, sprint))));
}
