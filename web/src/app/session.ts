import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { readCookie } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import type { Me, MyOrg, Role } from "../api/types";

/** Whether this browser holds a session at all (the readable CSRF cookie comes with it). */
export function hasSessionCookie(): boolean {
  return readCookie("trellis_csrf") !== null;
}

const ORGS_KEY = "trellis:orgs";

/** The person's orgs and roles as this tab last saw them (for start-up prefetching only). */
export function rememberOrgs(me: Me): void {
  try {
    sessionStorage.setItem(ORGS_KEY, JSON.stringify(me.orgs.map((o) => [o.slug, o.role])));
  } catch {
    /* storage may be unavailable */
  }
}
export function rememberedRole(slug: string): Role | undefined {
  try {
    const list = JSON.parse(sessionStorage.getItem(ORGS_KEY) ?? "[]") as Array<[string, Role]>;
    return list.find(([s]) => s === slug)?.[1];
  } catch {
    return undefined;
  }
}
export function forgetOrgs(): void {
  try {
    sessionStorage.removeItem(ORGS_KEY);
  } catch {
    /* ignore */
  }
}

export async function fetchMe(): Promise<Me> {
  const me = await endpoints.me();
  rememberOrgs(me);
  return me;
}

export function useMe() {
  return useQuery<Me>({
    queryKey: qk.me,
    queryFn: fetchMe,
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
