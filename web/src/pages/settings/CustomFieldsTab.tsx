import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { can, type CustomField, type CustomFieldKind, type Role } from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import {
  checkOptions, hasOptions, KIND_LABEL, KINDS, moveRow, newOptionRow, optionRows, projectsLabel, type OptionRow,
} from "../../customFields/fields";
import { Badge, Button, Checkbox, Dialog, SelectField, SkeletonRows, TextAreaField, TextField, useToast } from "../../ui";
import { customFieldsQuery } from "../../api/hooks";

/**
 * The organization's custom fields: everyone reads the list; owners and admins
 * (`org.update`) create, edit (If-Match; a 412 reloads the field into the form) and
 * delete them.
 */
export function CustomFieldsTab({ org, role }: { org: string; role: Role | undefined }) {
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery(customFieldsQuery(org));
  const [editing, setEditing] = useState<CustomField | "new" | null>(null);
  const [deleting, setDeleting] = useState<CustomField | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const manage = can(role, "org.update");
  const refresh = () => void qc.invalidateQueries({ queryKey: qk.customFields(org) });
  const del = useMutation({
    mutationFn: (f: CustomField) => endpoints.deleteCustomField(org, f.id, f.version),
    onSuccess: (_r, f) => {
      refresh();
      setDeleting(null);
      toast.success(`Deleted the field “${f.name}”.`);
    },
    onError: (e) => {
      refresh();
      setDeleteError(isApiError(e) && e.status === 412
        ? "Someone else changed this field meanwhile. Close this and look at it again before deleting it."
        : describeError(e));
    },
  });
  if (list.isError) return <ErrorState error={list.error} what="custom fields" retry={() => void list.refetch()} />;
  if (!list.data) return <SkeletonRows rows={3} label="Loading custom fields" />;
  const fields = list.data;
  return (
    <section aria-label="Custom fields" className="stack">
      <div className="row-between">
        <p className="muted cf-intro">Fields of your own on every ticket of the projects you choose. Search them in JQL by name (<code>"Customer" = Acme</code>) or number (<code>cf[10001]</code>).</p>
        {manage ? <Button variant="primary" size="sm" onClick={() => setEditing("new")}>New field</Button> : null}
      </div>
      {!manage ? <p className="banner banner-info banner-inline" role="note" data-testid="custom-fields-read-only">Only the organization’s owners and admins change custom fields.</p> : null}
      {fields.length === 0 ? (
        <div className="state"><h2>No custom fields yet</h2><p>{manage ? "“New field” adds one: text, a number, a date, options or a member." : "Owners and admins can add them."}</p></div>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Custom fields table">
          <table className="table" data-testid="custom-fields-table">
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Type</th><th scope="col">JQL</th><th scope="col">Projects</th>
                <th scope="col">Options</th>
                {manage ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr key={f.id} data-testid={`custom-field-${f.name}`}>
                  <td>
                    <div className="stack-sm">
                      <span className="row"><strong>{f.name}</strong>{f.required ? <Badge tone="accent">Required</Badge> : null}</span>
                      {f.description ? <span className="muted cf-desc">{f.description}</span> : null}
                    </div>
                  </td>
                  <td>{KIND_LABEL[f.type].replace(/ \(.*\)$/, "")}</td>
                  <td className="mono">cf[{f.number}]</td>
                  <td>{projectsLabel(f)}</td>
                  <td className="cf-options">{hasOptions(f.type) ? (f.options.length ? f.options.map((o) => o.value).join(", ") : <span className="muted">None yet</span>) : <span className="muted">—</span>}</td>
                  {manage ? (
                    <td>
                      <div className="row">
                        <Button size="sm" onClick={() => setEditing(f)}>Edit<span className="visually-hidden"> {f.name}</span></Button>
                        <Button size="sm" variant="danger" onClick={() => { setDeleteError(null); setDeleting(f); }}>Delete<span className="visually-hidden"> {f.name}</span></Button>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={editing !== null} onClose={() => setEditing(null)} wide dismissOnBackdrop={false}
        title={editing === "new" ? "New custom field" : `Edit ${editing?.name ?? ""}`}>
        {editing ? (
          <FieldForm key={editing === "new" ? "new" : editing.id} org={org} field={editing === "new" ? null : editing}
            onDone={(f, created) => {
              setEditing(null);
              // The answer is the newest version: an edit opened right away must not be stale.
              qc.setQueryData<CustomField[]>(qk.customFields(org), (all) =>
                all ? (all.some((x) => x.id === f.id) ? all.map((x) => (x.id === f.id ? f : x)) : [...all, f]) : all);
              refresh();
              toast.success(created ? `Created the field “${f.name}” (cf[${f.number}]).` : `Saved the field “${f.name}”.`);
            }} />
        ) : null}
      </Dialog>
      <Dialog open={deleting !== null} onClose={() => setDeleting(null)} title={`Delete ${deleting?.name ?? ""}?`}
        footer={<>
          <Button onClick={() => setDeleting(null)}>Cancel</Button>
          <Button variant="danger" disabled={del.isPending} onClick={() => deleting && del.mutate(deleting)}>Delete field</Button>
        </>}>
        <p>Every ticket’s value of <strong>{deleting?.name}</strong> is deleted with it, and saved filters that name it stop working. This cannot be undone.</p>
        {deleteError ? <p className="error-text" role="alert">{deleteError}</p> : null}
      </Dialog>
    </section>
  );
}

/** Create (`field` null) or edit a field. The type is fixed once created. */
function FieldForm({ org, field, onDone }: { org: string; field: CustomField | null; onDone: (f: CustomField, created: boolean) => void }) {
  const qc = useQueryClient();
  const projects = useQuery({ queryKey: qk.projects(org), queryFn: () => endpoints.projects(org) });
  const [base, setBase] = useState<CustomField | null>(field);
  const [name, setName] = useState(field?.name ?? "");
  const [description, setDescription] = useState(field?.description ?? "");
  const [kind, setKind] = useState<CustomFieldKind>(field?.type ?? "text");
  const [required, setRequired] = useState(field?.required ?? false);
  const [everywhere, setEverywhere] = useState(field ? field.projects == null : true);
  const [chosen, setChosen] = useState<string[]>(field?.projects ?? []);
  const [rows, setRows] = useState<OptionRow[]>(() => (field ? optionRows(field) : [newOptionRow(), newOptionRow()]));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);

  const load = (f: CustomField) => {
    setBase(f);
    setName(f.name);
    setDescription(f.description);
    setRequired(f.required);
    setEverywhere(f.projects == null);
    setChosen(f.projects ?? []);
    setRows(optionRows(f));
  };

  const save = useMutation({
    mutationFn: async (body: { name: string; description: string; required: boolean; projects: string[] | null; options: ReturnType<typeof checkOptions> }) => {
      const options = body.options.ok ? body.options.options : [];
      if (!base) {
        return endpoints.createCustomField(org, {
          name: body.name, description: body.description, type: kind, required: body.required, projects: body.projects,
          ...(hasOptions(kind) ? { options: options.map((o) => o.value) } : {}),
        });
      }
      return endpoints.updateCustomField(org, base.id, {
        name: body.name, description: body.description, required: body.required, projects: body.projects,
        ...(hasOptions(base.type) ? { options } : {}),
      }, base.version);
    },
    onSuccess: (f) => onDone(f, !base),
    onError: async (e) => {
      if (isApiError(e) && e.status === 412 && base) {
        // Their version replaces the form: the change is made again on top of it.
        try {
          const fresh = await endpoints.customField(org, base.id);
          load(fresh.data);
          void qc.invalidateQueries({ queryKey: qk.customFields(org) });
          setErrors({});
          setNotice("Someone else changed this field meanwhile; their version is shown now. Make your change again and save.");
        } catch (e2) {
          setNotice(describeError(e2));
        }
        return;
      }
      const at = isApiError(e) ? (e.problem.field ?? "") : "";
      const key = at.startsWith("options") ? "options" : at.startsWith("projects") ? "projects" : ["name", "description"].includes(at) ? at : isApiError(e) && e.status === 409 ? "name" : "";
      setNotice(null);
      setErrors(key ? { [key]: describeError(e) } : { form: describeError(e) });
    },
  });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!name.trim()) errs.name = "A name is required.";
    const options = checkOptions(hasOptions(kind) ? rows : []);
    if (!options.ok) errs.options = `Option ${options.index + 1}: ${options.error}`;
    if (!everywhere && chosen.length === 0) errs.projects = "Choose at least one project, or all projects.";
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setNotice(null);
    save.mutate({ name: name.trim(), description, required, projects: everywhere ? null : chosen, options });
  };

  const active = (projects.data?.items ?? []).filter((p) => !p.archived_at || chosen.includes(p.key));
  const setRow = (i: number, value: string) => setRows((r) => r.map((x, j) => (j === i ? { ...x, value } : x)));
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={base ? `Edit ${base.name}` : "New custom field"}>
      {notice ? <p className="banner banner-inline" role="alert" data-testid="custom-field-conflict">{notice}</p> : null}
      <div className="form-grid">
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoFocus required error={errors.name} />
        <SelectField label="Type" value={kind} disabled={!!base} onChange={(e) => setKind(e.target.value as CustomFieldKind)}
          hint={base ? "The type is fixed once the field exists." : undefined}>
          {KINDS.map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}
        </SelectField>
      </div>
      <TextAreaField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} rows={2} maxLength={2000}
        hint="Shown under the field on tickets." error={errors.description} />
      <Checkbox label="Required: a ticket cannot be created without a value (and it cannot be cleared)" checked={required} onChange={(e) => setRequired(e.target.checked)} />
      <fieldset className="stack-sm cf-projects" aria-describedby={errors.projects ? "cf-projects-error" : undefined}>
        <legend>Projects</legend>
        <label className="checkbox"><input type="radio" name="cf-projects" checked={everywhere} onChange={() => setEverywhere(true)} /> <span>All projects (also those created later)</span></label>
        <label className="checkbox"><input type="radio" name="cf-projects" checked={!everywhere} onChange={() => setEverywhere(false)} /> <span>Only these projects</span></label>
        {!everywhere ? (
          <div className="cf-project-list" role="group" aria-label="Projects the field is in">
            {active.map((p) => (
              <Checkbox key={p.key} label={`${p.key} · ${p.name}`} checked={chosen.includes(p.key)}
                onChange={(e) => setChosen((c) => (e.target.checked ? [...c, p.key] : c.filter((k) => k !== p.key)))} />
            ))}
          </div>
        ) : null}
        {errors.projects ? <span id="cf-projects-error" className="error-text" role="alert">{errors.projects}</span> : null}
      </fieldset>
      {hasOptions(kind) ? (
        <fieldset className="stack-sm" aria-describedby={errors.options ? "cf-options-error" : undefined}>
          <legend>Options</legend>
          <p className="hint">{base ? "Renaming keeps the option on its tickets; a removed option leaves every ticket that held it." : "In the order they are offered. Blank rows are left out."}</p>
          <ol className="cf-option-list" aria-label="Options">
            {rows.map((r, i) => (
              <li key={r.key} className="cf-option-row">
                <TextField label={`Option ${i + 1}`} hideLabel value={r.value} maxLength={255} onChange={(e) => setRow(i, e.target.value)}
                  placeholder={`Option ${i + 1}`}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") { e.preventDefault(); setRows((x) => [...x.slice(0, i + 1), newOptionRow(), ...x.slice(i + 1)]); }
                  }} />
                <Button size="sm" variant="ghost" icon aria-label={`Move option ${i + 1} up`} disabled={i === 0} onClick={() => setRows((x) => moveRow(x, i, -1))}>↑</Button>
                <Button size="sm" variant="ghost" icon aria-label={`Move option ${i + 1} down`} disabled={i === rows.length - 1} onClick={() => setRows((x) => moveRow(x, i, 1))}>↓</Button>
                <Button size="sm" variant="ghost" icon aria-label={`Remove option ${i + 1}`} onClick={() => setRows((x) => x.filter((_, j) => j !== i))}>✕</Button>
              </li>
            ))}
          </ol>
          <div><Button size="sm" onClick={() => setRows((x) => [...x, newOptionRow()])}>Add option</Button></div>
          {errors.options ? <span id="cf-options-error" className="error-text" role="alert">{errors.options}</span> : null}
        </fieldset>
      ) : null}
      {errors.form ? <p className="error-text" role="alert">{errors.form}</p> : null}
      <div className="row">
        <Button type="submit" variant="primary" disabled={save.isPending}>{base ? "Save field" : "Create field"}</Button>
      </div>
    </form>
  );
}
