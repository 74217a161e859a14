import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { readCookie } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import type { Me, MyOrg, Role } from "../api/types";

/** Whether this browser holds a session at all (the readable CSRF cookie comes with it). */
export function hasSessionCookie(): boolean {
  return readCookie("trellis_csrf") !== null;
}

export function useMe() {
  return useQuery<Me>({
    queryKey: qk.me,
    queryFn: endpoints.me,
    staleTime: 60_000,
    retry: false,
  });
}

export function useOrgSlug(): string {
  const { org } = useParams();
  return org ?? "";
}

/** The current org as /auth/me lists it (undefined while loading or when not a member). */
export function useCurrentOrg(): { org: MyOrg | undefined; role: Role | undefined; slug: string } {
  const slug = useOrgSlug();
  const { data } = useMe();
  const org = data?.orgs.find((o) => o.slug === slug);
  return { org, role: org?.role, slug };
}
