import { useState, type FormEvent } from "react";
import { useTitle } from "../app/useTitle";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import { can, type Project } from "../api/types";
import { ErrorState } from "../app/ErrorState";
import { useCurrentOrg } from "../app/session";
import { Badge, Button, Checkbox, Dialog, SkeletonRows, TextAreaField, TextField, useToast } from "../ui";

export function suggestKey(name: string): string {
  const words = name.toUpperCase().replace(/[^A-Z0-9 ]/g, " ").split(/\s+/).filter(Boolean);
  let key = words.length > 1 ? words.map((w) => w[0]).join("") : (words[0] ?? "").slice(0, 4);
  key = key.replace(/^[0-9]+/, "");
  return key.slice(0, 10);
}

export const KEY_RULE = /^[A-Z][A-Z0-9]{1,9}$/;

export function ProjectForm({ org, onCreated, submitLabel = "Create project" }: { org: string; onCreated: (p: Project) => void; submitLabel?: string }) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [key, setKey] = useState("");
  const [keyTouched, setKeyTouched] = useState(false);
  const [description, setDescription] = useState("");
  const [priv, setPriv] = useState(false);
  const [error, setError] = useState<{ field?: string | null; message: string } | null>(null);
  const effectiveKey = keyTouched ? key : suggestKey(name);
  const create = useMutation({
    mutationFn: () => endpoints.createProject(org, { key: effectiveKey, name: name.trim(), description, private: priv }),
    onSuccess: (p) => {
      void qc.invalidateQueries({ queryKey: ["org", org, "projects"] });
      void qc.invalidateQueries({ queryKey: qk.billing(org) });
      onCreated(p);
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 402) return;
      setError({ field: isApiError(e) ? e.problem.field : null, message: describeError(e) });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError({ field: "name", message: "A name is required." });
    if (!KEY_RULE.test(effectiveKey)) return setError({ field: "key", message: "2 to 10 characters: an upper-case letter, then upper-case letters or digits." });
    create.mutate();
  };
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required autoFocus maxLength={200}
        error={error?.field === "name" ? error.message : undefined} placeholder="Website" />
      <TextField label="Key" value={effectiveKey} onChange={(e) => { setKeyTouched(true); setKey(e.target.value.toUpperCase()); }} required maxLength={10}
        hint="Prefixes ticket keys, like WEB in WEB-12. Cannot be changed later." error={error?.field === "key" ? error.message : undefined} className="mono" />
      <TextAreaField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
      <Checkbox label="Private: visible only to the project’s members and the organization’s owners and admins" checked={priv} onChange={(e) => setPriv(e.target.checked)} />
      {error && error.field !== "name" && error.field !== "key" ? <p className="error-text" role="alert">{error.message}</p> : null}
      <div><Button variant="primary" type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : submitLabel}</Button></div>
    </form>
  );
}

export default function ProjectsPage() {
  const { slug: org, role, org: myOrg } = useCurrentOrg();
  const navigate = useNavigate();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  useTitle("Projects");
  const readable = can(role, "projects.read");
  const projects = useQuery({ queryKey: qk.projects(org), queryFn: () => endpoints.projects(org), enabled: readable });
  const canCreate = can(role, "projects.create");

  if (!readable) {
    return <div className="state"><h1>Projects</h1><p>Your role (billing) manages the plan and does not see projects or tickets.</p></div>;
  }

  if (projects.isError) return <ErrorState error={projects.error} what="projects" retry={() => void projects.refetch()} />;
  if (projects.isLoading) return <SkeletonRows rows={5} label="Loading projects" />;
  const items = projects.data?.items ?? [];

  if (items.length === 0) {
    return (
      <div className="onboarding page-narrow">
        <h1>Welcome to {myOrg?.name ?? org}</h1>
        {canCreate ? (
          <>
            <p className="muted">Create your first project to start tracking work. You can invite your team afterwards.</p>
            <div className="card"><ProjectForm org={org} submitLabel="Create your first project" onCreated={(p) => { toast.success(`Project ${p.key} created.`); navigate(`/${org}/projects/${p.key}/board`); }} /></div>
          </>
        ) : (
          <p className="muted">There are no projects you can see yet. Ask an owner or admin to create one or add you to one.</p>
        )}
      </div>
    );
  }

  return (
    <div className="page-narrow">
      <div className="page-header">
        <h1>Projects</h1>
        <div className="row">
          {can(role, "projects.archive") ? <Link className="btn btn-sm" to={`/${org}/settings/projects`}>Manage projects</Link> : null}
          {canCreate ? <Button variant="primary" size="sm" onClick={() => setCreating(true)}>New project</Button> : null}
        </div>
      </div>
      <ul className="project-grid" aria-label="Projects">
        {items.map((p) => (
          <li key={p.key} className="card project-card">
            <div className="row-between">
              <h2><Link to={`/${org}/projects/${p.key}/board`}>{p.name}</Link></h2>
              <span className="mono muted">{p.key}</span>
            </div>
            {p.description ? <p className="muted project-desc">{p.description}</p> : null}
            <div className="row">
              {p.private ? <Badge tone="warning">Private</Badge> : null}
              <span className="grow" />
              <Link className="btn btn-sm" to={`/${org}/projects/${p.key}/board`} aria-label={`Open ${p.key} board`}>Board</Link>
              <Link className="btn btn-sm" to={`/${org}/projects/${p.key}/list`} aria-label={`Open ${p.key} list`}>List</Link>
            </div>
          </li>
        ))}
      </ul>
      <Dialog open={creating} onClose={() => setCreating(false)} title="New project">
        {creating ? <ProjectForm org={org} onCreated={(p) => { setCreating(false); toast.success(`Project ${p.key} created.`); navigate(`/${org}/projects/${p.key}/board`); }} /> : null}
      </Dialog>
    </div>
  );
}
