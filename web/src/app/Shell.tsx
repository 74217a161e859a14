import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate, useParams } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, type Problem } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import { can } from "../api/types";
import { quickSearchJql, TICKET_KEY } from "../lib/jql";
import { Avatar, Button, Dialog, Menu, Tooltip, useToast, type MenuEntry } from "../ui";
import { NotFoundState } from "./ErrorState";
import { forgetOrgs, useMe } from "./session";
import { SHORTCUTS, useShortcuts } from "./shortcuts";
import { AppUiContext, lastProject, type AppUi } from "./ui-context";

const CreateTicketDialog = lazy(() => import("../components/CreateTicketDialog"));

import { PAYMENT_EVENT } from "./queryClient";

export default function Shell() {
  const { org: slug = "" } = useParams();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const toast = useToast();
  const searchRef = useRef<HTMLInputElement>(null);
  const [navOpen, setNavOpen] = useState(false);
  const [createState, setCreateState] = useState<{ open: boolean; project?: string; status?: string }>({ open: false });
  const [helpOpen, setHelpOpen] = useState(false);
  const [payment, setPayment] = useState<Problem | null>(null);
  const [query, setQuery] = useState("");

  const org = me?.orgs.find((o) => o.slug === slug);
  const role = org?.role;

  const projects = useQuery({
    queryKey: qk.projects(slug),
    queryFn: () => endpoints.projects(slug),
    enabled: !!org && can(role, "projects.read"),
    staleTime: 30_000,
  });
  const filters = useQuery({
    queryKey: qk.filters(slug),
    queryFn: () => endpoints.filters(slug),
    enabled: !!org && can(role, "tickets.read"),
    staleTime: 60_000,
  });
  const billing = useQuery({
    queryKey: qk.billing(slug),
    queryFn: () => endpoints.billing(slug),
    enabled: !!org && can(role, "billing.read"),
    staleTime: 60_000,
  });

  useEffect(() => setNavOpen(false), [location.pathname]);

  useEffect(() => {
    const onPayment = (e: Event) => setPayment((e as CustomEvent<Problem>).detail);
    window.addEventListener(PAYMENT_EVENT, onPayment);
    return () => window.removeEventListener(PAYMENT_EVENT, onPayment);
  }, []);

  const currentProject = useMemo(() => {
    const m = /\/projects\/([^/]+)\//.exec(location.pathname) ?? /\/tickets\/([A-Za-z][A-Za-z0-9]*)-\d+/.exec(location.pathname);
    return m?.[1]?.toUpperCase() ?? lastProject(slug) ?? projects.data?.items[0]?.key ?? null;
  }, [location.pathname, slug, projects.data]);

  const ui = useMemo<AppUi>(() => ({
    openCreate: (d) => setCreateState({ open: true, project: d?.project, status: d?.status }),
    openHelp: () => setHelpOpen(true),
    paymentRequired: (p) => setPayment(p),
  }), []);

  const canCreate = can(role, "tickets.create");
  const openCreate = useCallback(() => {
    if (!canCreate) {
      toast.show("Your role can read tickets but not create them.");
      return;
    }
    setCreateState({ open: true, project: currentProject ?? undefined });
  }, [canCreate, currentProject, toast]);

  useShortcuts({
    create: openCreate,
    search: () => searchRef.current?.focus(),
    help: () => setHelpOpen(true),
    goBoard: () => currentProject && navigate(`/${slug}/projects/${currentProject}/board`),
    goList: () => currentProject && navigate(`/${slug}/projects/${currentProject}/list`),
    goIssues: () => navigate(`/${slug}/issues`),
  });

  if (me && !org) {
    return (
      <main id="main" className="page">
        <NotFoundState what="this organization" />
      </main>
    );
  }

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return;
    if (TICKET_KEY.test(q)) navigate(`/${slug}/tickets/${q.toUpperCase()}`);
    else navigate(`/${slug}/issues?jql=${encodeURIComponent(quickSearchJql(q))}`);
    setQuery("");
    searchRef.current?.blur();
  };

  const openPortal = async () => {
    try {
      const { url } = await endpoints.portal(slug);
      window.location.assign(url);
    } catch (e) {
      toast.error(describeError(e));
    }
  };

  const signOut = async () => {
    try {
      await endpoints.logout();
    } catch {
      /* the cookies are cleared either way */
    }
    qc.clear();
    forgetOrgs();
    navigate("/signin", { replace: true });
  };

  const orgItems: MenuEntry[] = [
    { kind: "label", label: "Switch organization" },
    ...(me?.orgs ?? []).map((o) => ({
      label: (
        <span className="row">
          <span aria-hidden="true">{o.slug === slug ? "✓" : "\u2003"}</span>
          <span>{o.name}</span>
          <span className="muted">({o.role})</span>
        </span>
      ),
      href: `/${o.slug}/projects`,
    })),
  ];
  const userItems: MenuEntry[] = [
    { kind: "label", label: me ? `Signed in as @${me.login}` : "" },
    ...(me && me.invitations.length > 0
      ? [{ label: `Invitations (${me.invitations.length})`, href: `/${slug}/invitations` } as MenuEntry]
      : []),
    { label: "Keyboard shortcuts", onSelect: () => setHelpOpen(true) },
    { kind: "separator" },
    { label: "Sign out", onSelect: () => void signOut(), testId: "sign-out" },
  ];

  const pastDue = billing.data && (billing.data.read_only || billing.data.status === "past_due" || billing.data.status === "unpaid");
  const readOnlyFromWrite = payment?.type === "urn:trellis:problem:read-only";

  return (
    <AppUiContext.Provider value={ui}>
      <div className="app" data-nav-open={navOpen || undefined}>
        <a className="skip-link" href="#main">Skip to content</a>
        <header className="topbar">
          <Button variant="ghost" icon className="nav-toggle" aria-label="Open navigation" aria-expanded={navOpen}
            aria-controls="sidenav" onClick={() => setNavOpen((v) => !v)}>☰</Button>
          <NavLink to={`/${slug}/projects`} className="brand" aria-label="Trellis home">
            <img src="/favicon.svg" alt="" width="22" height="22" />
            <span className="brand-name">Trellis</span>
          </NavLink>
          <Menu label={`Organization: ${org?.name ?? slug}`} buttonClassName="btn btn-ghost org-switcher" testId="org-switcher"
            buttonContent={<><span className="truncate">{org?.name ?? slug}</span><span aria-hidden="true">▾</span></>} items={orgItems} />
          <form role="search" className="topsearch" onSubmit={onSearch}>
            <label htmlFor="global-search" className="visually-hidden">Search tickets</label>
            <input id="global-search" ref={searchRef} className="input" type="search" placeholder="Search or jump to WEB-12…  /"
              value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
          </form>
          <div className="topbar-actions">
            {canCreate ? (
              <Button variant="primary" onClick={openCreate} aria-keyshortcuts="c" aria-label="Create ticket" data-testid="create-ticket">
                <span aria-hidden="true">+</span><span className="hide-narrow" aria-hidden="true">Create</span>
              </Button>
            ) : null}
            <Tooltip text="Keyboard shortcuts (?)">
              <Button variant="ghost" icon aria-label="Keyboard shortcuts" aria-keyshortcuts="?" onClick={() => setHelpOpen(true)}>?</Button>
            </Tooltip>
            <Menu label="User menu" align="end" buttonClassName="btn btn-ghost btn-icon" testId="user-menu"
              buttonContent={me ? <Avatar login={me.login} name={me.name} /> : "…"} items={userItems} />
          </div>
        </header>
        {pastDue || readOnlyFromWrite ? (
          <div className="banner" role="status" data-testid="read-only-banner">
            <strong>{billing.data?.read_only || readOnlyFromWrite ? "This organization is read-only." : "Payment is past due."}</strong>
            <span>
              {billing.data?.read_only || readOnlyFromWrite
                ? "The subscription is past due and its grace period is over: changes are paused until it is paid. Nothing has been deleted."
                : billing.data?.grace_ends_at
                  ? `Update the payment method before ${new Date(billing.data.grace_ends_at).toLocaleDateString()} to keep editing.`
                  : "Update the payment method to keep editing."}
            </span>
            {can(role, "billing.manage") ? (
              <Button size="sm" onClick={() => void openPortal()} data-testid="banner-portal">Update payment in the Billing Portal</Button>
            ) : null}
            <NavLink to={`/${slug}/billing`}>Open billing and the payment portal</NavLink>
          </div>
        ) : null}
        {me && me.invitations.length > 0 && !location.pathname.endsWith("/invitations") ? (
          <div className="banner banner-info" role="status">
            <span>You have {me.invitations.length === 1 ? "an open invitation" : `${me.invitations.length} open invitations`}.</span>
            <NavLink to={`/${slug}/invitations`}>Review</NavLink>
          </div>
        ) : null}
        <div className="body">
          <nav id="sidenav" className="sidenav" aria-label="Main"
            onKeyDown={(e) => { if (e.key === "Escape" && navOpen) { setNavOpen(false); document.querySelector<HTMLButtonElement>(".nav-toggle")?.focus(); } }}>
            <ul>
              <li><NavLink to={`/${slug}/projects`} end>Projects</NavLink></li>
              <li><NavLink to={`/${slug}/issues`} end>Issues &amp; filters</NavLink></li>
              {(filters.data?.items ?? []).slice(0, 8).map((f) => (
                <li key={f.id} className="nav-filter">
                  <Link to={`/${slug}/issues?jql=${encodeURIComponent(f.jql)}&filter=${f.id}`} className="truncate" title={f.jql}
                    aria-current={location.search.includes(`filter=${f.id}`) ? "page" : undefined}>
                    <span aria-hidden="true">⌕ </span>{f.name}
                  </Link>
                </li>
              ))}
            </ul>
            <h2 className="nav-heading" id="nav-projects">Projects</h2>
            <ul aria-labelledby="nav-projects">
              {(projects.data?.items ?? []).map((p) => (
                <li key={p.key} className="nav-project">
                  <span className="nav-project-name truncate" title={p.name}>
                    <span className="mono muted">{p.key}</span> {p.name}
                    {p.private ? <span className="visually-hidden"> (private)</span> : null}
                    {p.private ? <span aria-hidden="true" title="Private"> 🔒</span> : null}
                  </span>
                  <span className="nav-sub">
                    <NavLink to={`/${slug}/projects/${p.key}/board`} aria-label={`${p.key} board`}>Board</NavLink>
                    <NavLink to={`/${slug}/projects/${p.key}/list`} aria-label={`${p.key} list`}>List</NavLink>
                    <NavLink to={`/${slug}/projects/${p.key}/backlog`} aria-label={`${p.key} backlog`}>Backlog</NavLink>
                    <NavLink to={`/${slug}/projects/${p.key}/settings/workflow`} aria-label={`${p.key} workflow`}>Workflow</NavLink>
                  </span>
                </li>
              ))}
              {projects.isLoading ? <li className="muted">Loading…</li> : null}
            </ul>
            <h2 className="nav-heading" id="nav-planning">Planning</h2>
            <ul aria-labelledby="nav-planning">
              <li><NavLink to={currentProject ? `/${slug}/projects/${currentProject}/backlog` : `/${slug}/backlog`}>Backlog &amp; sprints</NavLink></li>
              <li><NavLink to={`/${slug}/reports`}>Reports</NavLink></li>
              <li><NavLink to={`/${slug}/notifications`}>Notifications</NavLink></li>
            </ul>
            <h2 className="nav-heading" id="nav-org">Organization</h2>
            <ul aria-labelledby="nav-org">
              <li><NavLink to={`/${slug}/settings/members`}>Settings</NavLink></li>
              {can(role, "billing.read") ? <li><NavLink to={`/${slug}/billing`}>Billing</NavLink></li> : null}
            </ul>
          </nav>
          {navOpen ? <div className="nav-scrim" aria-hidden="true" onClick={() => setNavOpen(false)} /> : null}
          <main id="main" className="page" tabIndex={-1}>
            <Outlet />
          </main>
        </div>
      </div>
      {createState.open ? (
        <Suspense fallback={null}>
          <CreateTicketDialog
            org={slug}
            defaultProject={createState.project}
            onClose={() => setCreateState({ open: false })}
          />
        </Suspense>
      ) : null}
      <Dialog open={helpOpen} onClose={() => setHelpOpen(false)} title="Keyboard shortcuts">
        <table className="table">
          <caption className="visually-hidden">Keyboard shortcuts</caption>
          <thead><tr><th scope="col">Keys</th><th scope="col">Action</th></tr></thead>
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}><td><kbd>{k}</kbd></td><td>{what}</td></tr>
            ))}
          </tbody>
        </table>
      </Dialog>
      <Dialog open={payment !== null && payment.type !== "urn:trellis:problem:read-only"} onClose={() => setPayment(null)}
        title="Your plan’s limit is reached"
        footer={<>
          <Button onClick={() => setPayment(null)}>Not now</Button>
          {can(role, "billing.read") ? (
            <Button variant="primary" onClick={() => { setPayment(null); navigate(`/${slug}/billing`); }}>See plans and upgrade</Button>
          ) : null}
        </>}>
        <p>{payment?.detail || "This needs a bigger plan."}</p>
        {payment?.limit_kind ? (
          <p className="muted">
            {payment.plan ? `Plan ${payment.plan}: ` : ""}{payment.usage ?? "?"} of {payment.limit ?? "?"} {payment.limit_kind} used.
          </p>
        ) : null}
        {!can(role, "billing.read") ? <p>Ask an owner or a billing manager of this organization to upgrade.</p> : null}
      </Dialog>
    </AppUiContext.Provider>
  );
}
