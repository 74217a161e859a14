// On a cold load, start what the first screen needs at once (its chunk and its data),
// in parallel with /auth/me, instead of one after the other.
import type { QueryClient } from "@tanstack/react-query";
import { qk } from "../api/endpoints";
import { customFieldsQuery, ticketQuery, transitionsQuery } from "../api/hooks";
import { can, type Me, type Role } from "../api/types";
import { prefetchBoard } from "../pages/board/queries";
import { prefetchBacklog } from "../pages/backlog/queries";
import { loadBacklogPage, loadBoardPage, loadListPage, loadTicketPage } from "./lazyPages";
import { fetchMe, hasSessionCookie, rememberedRole } from "./session";

/** Runs `fn` once /auth/me (the same query the app makes) says the person belongs to `org`. */
function whenMember(qc: QueryClient, org: string, fn: (role: Role) => void): void {
  if (!hasSessionCookie()) return;
  // This tab saw the person in this org a moment ago: no need to wait for /auth/me again.
  const remembered = rememberedRole(org);
  if (remembered) {
    fn(remembered);
    return;
  }
  qc.fetchQuery<Me>({ queryKey: qk.me, queryFn: fetchMe, staleTime: 60_000, retry: false }).then(
    (me) => {
      const mine = me.orgs.find((o) => o.slug === org);
      if (mine) fn(mine.role);
    },
    () => {},
  );
}

export function bootstrapRoute(qc: QueryClient, location: Location = window.location): void {
  const path = location.pathname;
  let m = /^\/([^/]+)\/projects\/([^/]+)\/board\/?$/.exec(path);
  if (m) {
    void loadBoardPage();
    const search = new URLSearchParams(location.search);
    const filter = search.get("jql") ?? "";
    const org = decodeURIComponent(m[1]!);
    const key = decodeURIComponent(m[2]!).toUpperCase();
    whenMember(qc, org, () => void prefetchBoard(qc, org, key, filter, search.get("sprint")));
    return;
  }
  m = /^\/([^/]+)\/projects\/([^/]+)\/backlog\/?$/.exec(path);
  if (m) {
    void loadBacklogPage();
    const org = decodeURIComponent(m[1]!);
    const key = decodeURIComponent(m[2]!).toUpperCase();
    whenMember(qc, org, () => void prefetchBacklog(qc, org, key));
    return;
  }
  m = /^\/([^/]+)\/tickets\/([^/]+)\/?$/.exec(path);
  if (m) {
    void loadTicketPage();
    const org = decodeURIComponent(m[1]!);
    const key = decodeURIComponent(m[2]!).toUpperCase();
    whenMember(qc, org, (role) => {
      // The transitions only once the ticket exists (a missing ticket asks the API once).
      void qc.fetchQuery(ticketQuery(org, key)).then(
        () => {
          if (can(role, "tickets.transition")) void qc.prefetchQuery(transitionsQuery(org, key));
          // The details panel shows the project's custom fields.
          void qc.prefetchQuery(customFieldsQuery(org));
        },
        () => {},
      );
    });
    return;
  }
  if (/^\/[^/]+\/(issues|filters|projects\/[^/]+\/list)\/?$/.test(path)) void loadListPage();
}
