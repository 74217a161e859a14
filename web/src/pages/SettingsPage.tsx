import { NavLink, useParams } from "react-router";
import { useTitle } from "../app/useTitle";
import { can } from "../api/types";
import { NotFoundState } from "../app/ErrorState";
import { useCurrentOrg } from "../app/session";
import { AuditTab } from "./settings/AuditTab";
import { CustomFieldsTab } from "./settings/CustomFieldsTab";
import { GeneralTab } from "./settings/GeneralTab";
import { InvitationsTab } from "./settings/InvitationsTab";
import { MembersTab } from "./settings/MembersTab";
import { ProjectsTab } from "./settings/ProjectsTab";
import { TokensTab } from "./settings/TokensTab";

const TABS = [
  { id: "general", label: "General" },
  { id: "members", label: "Members" },
  { id: "invitations", label: "Invitations" },
  { id: "tokens", label: "API tokens" },
  { id: "projects", label: "Projects" },
  { id: "custom-fields", label: "Custom fields" },
  { id: "audit", label: "Audit log" },
] as const;

export default function SettingsPage() {
  const { tab = "members" } = useParams();
  const { slug: org, role, org: myOrg } = useCurrentOrg();
  const visible = TABS.filter((t) =>
    t.id === "invitations" ? can(role, "members.manage")
      : t.id === "tokens" ? can(role, "tokens.manage")
      : t.id === "audit" ? can(role, "audit.read")
      : t.id === "projects" ? can(role, "projects.read")
      : t.id === "custom-fields" ? can(role, "tickets.read")
      : t.id === "general" ? can(role, "org.update")
      : true,
  );
  useTitle(`Settings: ${TABS.find((t) => t.id === tab)?.label ?? tab}`);
  const known = TABS.some((t) => t.id === tab);
  return (
    <div className="settings-page">
      <div className="page-header"><h1>{myOrg?.name ?? org} settings</h1></div>
      <nav className="subnav" aria-label="Settings sections">
        {visible.map((t) => <NavLink key={t.id} to={`/${org}/settings/${t.id}`}>{t.label}</NavLink>)}
      </nav>
      {!known ? <NotFoundState what="this settings page" /> :
        tab === "members" ? <MembersTab org={org} role={role} /> :
        tab === "general" ? <GeneralTab org={org} role={role} /> :
        tab === "invitations" ? <InvitationsTab org={org} role={role} /> :
        tab === "tokens" ? <TokensTab org={org} role={role} /> :
        tab === "audit" ? <AuditTab org={org} role={role} /> :
        tab === "custom-fields" ? <CustomFieldsTab org={org} role={role} /> :
        <ProjectsTab org={org} role={role} />}
    </div>
  );
}
