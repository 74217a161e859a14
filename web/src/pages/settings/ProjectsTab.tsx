import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { can, PROJECT_ROLES, type Project, type ProjectRole, type Role } from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import { Avatar, Badge, Button, Dialog, SelectField, SkeletonRows, TextAreaField, TextField, useToast } from "../../ui";
import { ProjectForm } from "../ProjectsPage";

export function ProjectsTab({ org, role }: { org: string; role: Role | undefined }) {
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery({ queryKey: qk.projects(org, true), queryFn: () => endpoints.projects(org, true) });
  const [membersOf, setMembersOf] = useState<Project | null>(null);
  const [editing, setEditing] = useState<Project | null>(null);
  const [creating, setCreating] = useState(false);
  const refresh = () => { void qc.invalidateQueries({ queryKey: ["org", org, "projects"] }); void qc.invalidateQueries({ queryKey: qk.billing(org) }); };
  const act = useMutation({
    mutationFn: ({ p, what }: { p: Project; what: "archive" | "unarchive" | "private" | "public" }) =>
      what === "archive" ? endpoints.archiveProject(org, p.key, p.version)
        : what === "unarchive" ? endpoints.unarchiveProject(org, p.key, p.version)
        : endpoints.updateProject(org, p.key, { private: what === "private" }, p.version),
    onSuccess: (p, v) => { refresh(); toast.success(`${p.key} ${v.what === "archive" ? "archived" : v.what === "unarchive" ? "restored" : v.what === "private" ? "is now private" : "is now visible to the organization"}.`); },
    onError: (e) => { refresh(); if (!(isApiError(e) && e.status === 402)) toast.error(describeError(e)); },
  });
  if (list.isError) return <ErrorState error={list.error} what="projects" />;
  if (!list.data) return <SkeletonRows rows={3} label="Loading projects" />;
  const manage = can(role, "projects.archive");
  return (
    <section aria-label="Projects" className="stack">
      {can(role, "projects.create") ? <div><Button variant="primary" size="sm" onClick={() => setCreating(true)}>New project</Button></div> : null}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Projects table">
        <table className="table">
          <thead><tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Visibility</th><th scope="col">State</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {list.data.items.map((p) => (
              <tr key={p.key}>
                <td className="mono">{p.key}</td>
                <td><Link to={`/${org}/projects/${p.key}/board`}>{p.name}</Link></td>
                <td>{p.private ? <Badge tone="warning">Private</Badge> : "Organization"}</td>
                <td>{p.archived_at ? <Badge>Archived</Badge> : <Badge tone="success">Active</Badge>}</td>
                <td>
                  <div className="row">
                    <Button size="sm" onClick={() => setMembersOf(p)}>Members<span className="visually-hidden"> of {p.key}</span></Button>
                    <Link className="btn btn-sm" to={`/${org}/projects/${p.key}/settings/workflow`}>Workflow<span className="visually-hidden"> of {p.key}</span></Link>
                    {can(role, "projects.update") ? <Button size="sm" onClick={() => setEditing(p)}>Edit<span className="visually-hidden"> {p.key}</span></Button> : null}
                    {can(role, "projects.update") ? (
                      <Button size="sm" onClick={() => act.mutate({ p, what: p.private ? "public" : "private" })}>{p.private ? "Make visible to all" : "Make private"}<span className="visually-hidden"> {p.key}</span></Button>
                    ) : null}
                    {manage ? (
                      p.archived_at
                        ? <Button size="sm" onClick={() => act.mutate({ p, what: "unarchive" })}>Unarchive<span className="visually-hidden"> {p.key}</span></Button>
                        : <Button size="sm" variant="danger" onClick={() => act.mutate({ p, what: "archive" })}>Archive<span className="visually-hidden"> {p.key}</span></Button>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Dialog open={membersOf !== null} onClose={() => setMembersOf(null)} title={`${membersOf?.key ?? ""} members`} wide>
        {membersOf ? <ProjectMembers org={org} project={membersOf} /> : null}
      </Dialog>
      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={`Edit ${editing?.key ?? ""}`}>
        {editing ? <EditProject org={org} project={editing} onDone={() => { setEditing(null); refresh(); }} /> : null}
      </Dialog>
      <Dialog open={creating} onClose={() => setCreating(false)} title="New project">
        {creating ? <ProjectForm org={org} onCreated={(p) => { setCreating(false); toast.success(`Project ${p.key} created.`); }} /> : null}
      </Dialog>
    </section>
  );
}

function EditProject({ org, project, onDone }: { org: string; project: Project; onDone: () => void }) {
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => endpoints.updateProject(org, project.key, { name: name.trim(), description }, project.version),
    onSuccess: onDone,
    onError: (e) => setError(isApiError(e) && e.status === 412 ? "Someone else changed this project meanwhile. Close and reopen to see their version." : describeError(e)),
  });
  return (
    <form className="stack" onSubmit={(e) => { e.preventDefault(); if (name.trim()) save.mutate(); else setError("A name is required."); }}>
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoFocus />
      <TextAreaField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} rows={4} />
      {error ? <p className="error-text" role="alert">{error}</p> : null}
      <div><Button type="submit" variant="primary" disabled={save.isPending}>Save project</Button></div>
    </form>
  );
}

function ProjectMembers({ org, project }: { org: string; project: Project }) {
  const qc = useQueryClient();
  const toast = useToast();
  const pm = useQuery({ queryKey: qk.projectMembers(org, project.key), queryFn: () => endpoints.projectMembers(org, project.key) });
  const members = useQuery({ queryKey: qk.members(org), queryFn: () => endpoints.members(org) });
  const [login, setLogin] = useState("");
  const [role, setRole] = useState<ProjectRole>("member");
  const done = () => void qc.invalidateQueries({ queryKey: qk.projectMembers(org, project.key) });
  const set = useMutation({
    mutationFn: ({ login: l, role: r }: { login: string; role: ProjectRole }) => endpoints.setProjectMember(org, project.key, l, r),
    onSuccess: () => { done(); setLogin(""); },
    onError: (e) => toast.error(describeError(e)),
  });
  const remove = useMutation({
    mutationFn: (l: string) => endpoints.removeProjectMember(org, project.key, l),
    onSuccess: done,
    onError: (e) => toast.error(describeError(e)),
  });
  if (pm.isError) return <ErrorState error={pm.error} what="project members" />;
  const inProject = new Set((pm.data ?? []).map((m) => m.user.login));
  return (
    <div className="stack">
      <p className="muted">{project.private ? "Only these people (and the organization’s owners and admins) can see this private project." : "Project roles: lead manages members; viewer only reads, whatever the organization role."}</p>
      {!pm.data ? <SkeletonRows rows={2} label="Loading project members" /> : (
        <table className="table">
          <thead><tr><th scope="col">Member</th><th scope="col">Project role</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {pm.data.length === 0 ? <tr><td colSpan={3} className="muted">No project members yet.</td></tr> : null}
            {pm.data.map((m) => (
              <tr key={m.user.login}>
                <td><div className="row"><Avatar login={m.user.login} name={m.user.name} />{m.user.name} <span className="muted">@{m.user.login}</span></div></td>
                <td>
                  <label className="visually-hidden" htmlFor={`prole-${m.user.login}`}>Project role of {m.user.login}</label>
                  <select id={`prole-${m.user.login}`} className="select select-inline" value={m.role} onChange={(e) => set.mutate({ login: m.user.login, role: e.target.value as ProjectRole })}>
                    {PROJECT_ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                  </select>
                </td>
                <td><Button size="sm" variant="danger" onClick={() => remove.mutate(m.user.login)}>Remove<span className="visually-hidden"> {m.user.login} from {project.key}</span></Button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="form-grid form-grid-end" onSubmit={(e) => { e.preventDefault(); if (login) set.mutate({ login, role }); }}>
        <SelectField label="Add a member" value={login} onChange={(e) => setLogin(e.target.value)}>
          <option value="">Choose…</option>
          {(members.data?.items ?? []).filter((m) => !inProject.has(m.user.login)).map((m) => <option key={m.user.login} value={m.user.login}>{m.user.name} (@{m.user.login})</option>)}
        </SelectField>
        <SelectField label="Project role" value={role} onChange={(e) => setRole(e.target.value as ProjectRole)}>
          {PROJECT_ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </SelectField>
        <div><Button type="submit" variant="primary" disabled={!login}>Add</Button></div>
      </form>
    </div>
  );
}
