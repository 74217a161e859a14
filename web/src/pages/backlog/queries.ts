// The backlog's two searches (every open sprint's tickets, and the tickets in no open
// sprint), both in rank order and paged with the search's cursors. They live under the
// search keys, so whatever refreshes searches (a created ticket, a move on the board)
// refreshes them too. Shared with the start-up prefetch: no drag-and-drop code here.
import type { QueryClient } from "@tanstack/react-query";
import { endpoints, qk } from "../../api/endpoints";
import { sprintsQuery } from "../../api/hooks";
import { projectQuery } from "../board/queries";

export const PLAN_PAGE = 100;

export function sprintTicketsJql(project: string): string {
  return `project = ${project} AND sprint IN openSprints() ORDER BY rank`;
}

/**
 * No open sprint: never in one, or only in completed ones. Done tickets are left out
 * unless asked for (as in Jira: a completed sprint's done tickets do not crowd the backlog).
 */
export function backlogJql(project: string, withDone = false): string {
  return `project = ${project} AND (sprint IS EMPTY OR sprint NOT IN openSprints())${withDone ? "" : " AND statusCategory != done"} ORDER BY rank`;
}

/** Both backlog searches (with and without done tickets), for invalidating. */
export function backlogJqls(project: string): string[] {
  return [backlogJql(project, false), backlogJql(project, true)];
}

export function planInfiniteQuery(org: string, jql: string) {
  return {
    queryKey: qk.search(org, jql),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      endpoints.search(org, { jql, maxResults: PLAN_PAGE, nextPageToken: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: { isLast: boolean; nextPageToken?: string | null }) =>
      last.isLast ? undefined : last.nextPageToken ?? undefined,
    // Pages never change once fetched: skip deep-comparing thousands of rows on every page.
    structuralSharing: false,
    staleTime: 15_000,
  };
}

/** The last ticket of the backlog (for "Move to bottom" before every page is loaded). */
export async function lastBacklogKey(org: string, project: string, withDone: boolean): Promise<string | null> {
  const jql = backlogJql(project, withDone).replace(/ORDER BY rank$/, "ORDER BY rank DESC");
  const r = await endpoints.search(org, { jql, maxResults: 1, fields: ["key"] });
  return r.issues[0]?.key ?? null;
}

/** Everything the backlog's first screen needs, at once (a cold load of its URL). */
export async function prefetchBacklog(qc: QueryClient, org: string, project: string): Promise<void> {
  await Promise.all([
    qc.prefetchQuery(projectQuery(org, project)),
    qc.prefetchQuery(sprintsQuery(org, project)),
    qc.prefetchInfiniteQuery(planInfiniteQuery(org, sprintTicketsJql(project))),
    qc.prefetchInfiniteQuery(planInfiniteQuery(org, backlogJql(project))),
  ]);
}
