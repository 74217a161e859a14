import { lazy, Suspense, useEffect } from "react";
import { Navigate, Route, Routes, useLocation, useNavigate, useParams } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { setUnauthenticatedHandler } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import { can } from "../api/types";
import { SkeletonRows } from "../ui";
import { ErrorState, NotFoundState } from "./ErrorState";
import { forgetOrgs, hasSessionCookie, useMe } from "./session";
import Shell from "./Shell";
import { ErrorBoundary } from "./ErrorBoundary";
import SignInPage from "../pages/SignInPage";
import { loadBacklogPage, loadBoardPage, loadListPage, loadTicketPage, warmLikelyPages } from "./lazyPages";
import { lastProject } from "./ui-context";

const ProjectsPage = lazy(() => import("../pages/ProjectsPage"));
const BoardPage = lazy(loadBoardPage);
const ListPage = lazy(loadListPage);
const TicketPage = lazy(loadTicketPage);
const BacklogPage = lazy(loadBacklogPage);
const SettingsPage = lazy(() => import("../pages/SettingsPage"));
const ProjectSettingsPage = lazy(() => import("../pages/ProjectSettingsPage"));
const BillingPage = lazy(() => import("../pages/BillingPage"));
const InvitationLinkPage = lazy(() => import("../pages/InvitationLinkPage"));
const MyInvitationsPage = lazy(() => import("../pages/MyInvitationsPage"));
const PlaceholderPage = lazy(() => import("../pages/PlaceholderPage"));

function PageFallback() {
  return <SkeletonRows rows={8} label="Loading page" />;
}

/** `/`: the first org's first project board, onboarding, or sign-in. */
function RootRedirect() {
  const signedIn = hasSessionCookie();
  const me = useMe();
  const first = me.data?.orgs[0]?.slug;
  const readsProjects = can(me.data?.orgs[0]?.role, "projects.read");
  const projects = useQuery({
    queryKey: qk.projects(first ?? ""),
    queryFn: () => endpoints.projects(first!),
    enabled: !!first && readsProjects,
  });
  if (!signedIn) return <Navigate to="/signin" replace />;
  if (me.isError) return <Navigate to="/signin" replace />;
  if (me.data && !first) return <Navigate to="/invitations" replace />;
  if (me.data && first && !readsProjects) return <Navigate to={`/${first}/billing`} replace />;
  if (projects.isError) return <Navigate to={`/${first}/projects`} replace />;
  if (projects.data) {
    const p = projects.data.items[0];
    return <Navigate to={p ? `/${first}/projects/${p.key}/board` : `/${first}/projects`} replace />;
  }
  return (
    <main id="main" className="page">
      <SkeletonRows rows={6} label="Opening Trellis" />
    </main>
  );
}

/** Pages under /:org need a session; without one go to sign-in and come back. */
function RequireSession({ children }: { children: React.ReactNode }) {
  const me = useMe();
  const location = useLocation();
  const back = `${location.pathname}${location.search}`;
  if (!hasSessionCookie() || (me.isError && (me.error as { status?: number }).status === 401)) {
    return <Navigate to={`/signin?redirect_to=${encodeURIComponent(back)}`} replace />;
  }
  if (me.isError) return <main id="main" className="page"><ErrorState error={me.error} retry={() => void me.refetch()} /></main>;
  if (me.data) warmLikelyPages();
  if (!me.data) return <main id="main" className="page"><SkeletonRows rows={6} label="Loading your account" /></main>;
  return <>{children}</>;
}

function SettingsIndex() {
  const { org } = useParams();
  return <Navigate to={`/${org}/settings/members`} replace />;
}
function OrgIndex() {
  const { org } = useParams();
  return <Navigate to={`/${org}/projects`} replace />;
}

export function App() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      qc.removeQueries({ queryKey: qk.me });
      forgetOrgs();
      const back = `${window.location.pathname}${window.location.search}`;
      if (!window.location.pathname.startsWith("/signin")) {
        navigate(`/signin?redirect_to=${encodeURIComponent(back)}`, { replace: true });
      }
    });
  }, [navigate, qc]);

  return (
    <ErrorBoundary>
    <Suspense fallback={<PageFallback />}>
      <Routes>
        <Route path="/" element={<RootRedirect />} />
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/invitations/:token" element={<InvitationLinkPage />} />
        <Route path="/invitations" element={<RequireSession><main id="main" className="page"><MyInvitationsPage standalone /></main></RequireSession>} />
        <Route path="/:org" element={<RequireSession><Shell /></RequireSession>}>
          <Route index element={<OrgIndex />} />
          <Route path="projects" element={<S><ProjectsPage /></S>} />
          <Route path="projects/:key" element={<ProjectIndex />} />
          <Route path="projects/:key/board" element={<S><BoardPage /></S>} />
          <Route path="projects/:key/list" element={<S><ListPage /></S>} />
          <Route path="projects/:key/backlog" element={<S><BacklogPage /></S>} />
          <Route path="projects/:key/settings" element={<ProjectSettingsIndex />} />
          <Route path="projects/:key/settings/:tab" element={<S><ProjectSettingsPage /></S>} />
          <Route path="issues" element={<S><ListPage /></S>} />
          <Route path="filters" element={<S><ListPage /></S>} />
          <Route path="tickets/:ticketKey" element={<S><TicketPage /></S>} />
          <Route path="settings" element={<SettingsIndex />} />
          <Route path="settings/:tab" element={<S><SettingsPage /></S>} />
          <Route path="billing" element={<S><BillingPage /></S>} />
          <Route path="invitations" element={<S><MyInvitationsPage /></S>} />
          <Route path="backlog" element={<BacklogIndex />} />
          <Route path="reports" element={<S><PlaceholderPage kind="reports" /></S>} />
          <Route path="notifications" element={<S><PlaceholderPage kind="notifications" /></S>} />
          <Route path="*" element={<NotFoundState />} />
        </Route>
        <Route path="*" element={<main id="main" className="page"><NotFoundState /></main>} />
      </Routes>
    </Suspense>
    </ErrorBoundary>
  );
}

/** `/:org/backlog`: the backlog of the project last looked at, else the first project's. */
function BacklogIndex() {
  const { org = "" } = useParams();
  const last = lastProject(org);
  const projects = useQuery({ queryKey: qk.projects(org), queryFn: () => endpoints.projects(org), enabled: !last });
  if (last) return <Navigate to={`/${org}/projects/${last}/backlog`} replace />;
  if (projects.isError) return <ErrorState error={projects.error} what="the projects" retry={() => void projects.refetch()} />;
  if (projects.data) {
    const first = projects.data.items[0];
    return <Navigate to={first ? `/${org}/projects/${first.key}/backlog` : `/${org}/projects`} replace />;
  }
  return <SkeletonRows rows={6} label="Opening the backlog" />;
}

function ProjectSettingsIndex() {
  const { org, key } = useParams();
  return <Navigate to={`/${org}/projects/${key}/settings/workflow`} replace />;
}

function ProjectIndex() {
  const { org, key } = useParams();
  return <Navigate to={`/${org}/projects/${key}/board`} replace />;
}

function S({ children }: { children: React.ReactNode }) {
  const location = useLocation();
  return (
    <ErrorBoundary resetKey={location.pathname}>
      <Suspense fallback={<PageFallback />}>{children}</Suspense>
    </ErrorBoundary>
  );
}
