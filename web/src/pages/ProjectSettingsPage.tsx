import { Link, NavLink, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { endpoints, qk } from "../api/endpoints";
import { can } from "../api/types";
import { ErrorState, NotFoundState } from "../app/ErrorState";
import { useCurrentOrg, useMe } from "../app/session";
import { useTitle } from "../app/useTitle";
import { Skeleton } from "../ui";
import { projectQuery } from "./board/queries";
import { WorkflowEditor } from "./workflow/WorkflowEditor";
import { mayEditWorkflow } from "./workflow/workflow";

const TABS = [{ id: "workflow", label: "Workflow" }] as const;

/** `/:org/projects/:key/settings/:tab`: a project's own settings (its workflow for now). */
export default function ProjectSettingsPage() {
  const { key = "", tab = "workflow" } = useParams();
  const project = key.toUpperCase();
  const { slug: org, role } = useCurrentOrg();
  const me = useMe().data;
  const detail = useQuery(projectQuery(org, project));
  const members = useQuery({
    queryKey: qk.projectMembers(org, project),
    queryFn: () => endpoints.projectMembers(org, project),
    enabled: !!me && !can(role, "projects.update"),
  });
  useTitle(`${detail.data?.name ?? project} settings: ${TABS.find((t) => t.id === tab)?.label ?? tab}`);
  if (detail.isError) return <ErrorState error={detail.error} what={`project ${project}`} retry={() => void detail.refetch()} />;
  const projectRole = members.data?.find((m) => m.user.id === me?.id)?.role ?? null;
  const archived = !!detail.data?.archived_at;
  // Until the project's members answer, a lead who is an org member sees the read-only view.
  const editable = mayEditWorkflow(role, projectRole) && !archived;
  return (
    <div className="settings-page project-settings">
      <div className="crumbs">
        <Link to={`/${org}/projects`}>Projects</Link> / <Link to={`/${org}/projects/${project}/board`}>{project}</Link> / Settings
      </div>
      <div className="page-header">
        <h1>{detail.data ? `${detail.data.name} settings` : <Skeleton width="12rem" />}</h1>
      </div>
      <nav className="subnav" aria-label="Project settings sections">
        {TABS.map((t) => <NavLink key={t.id} to={`/${org}/projects/${project}/settings/${t.id}`}>{t.label}</NavLink>)}
      </nav>
      {!TABS.some((t) => t.id === tab) ? <NotFoundState what="this settings page" /> : (
        <>
          {!editable && detail.data ? (
            <p className="banner banner-info banner-inline wf-note" role="note" data-testid="workflow-read-only">
              {archived
                ? "This project is archived: its workflow is shown read-only. Unarchive it to change it."
                : "You can see this workflow. Its project lead, an organization admin or an owner changes it."}
            </p>
          ) : null}
          <WorkflowEditor org={org} project={project} editable={editable} />
        </>
      )}
    </div>
  );
}
