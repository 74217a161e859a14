import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import { customFieldsQuery } from "../api/hooks";
import { PRIORITIES, TICKET_TYPES, type NewTicket, type Priority, type TicketType } from "../api/types";
import { PRIORITY_LABEL, TYPE_LABEL } from "../lib/format";
import { Button, Dialog, SelectField, TextField, useToast } from "../ui";
import { MarkdownEditor } from "./MarkdownEditor";
import { CustomFieldInput } from "../customFields/CustomFieldInput";
import { emptyValue, fieldsForProject, keyOf, problemFieldKey, toApiValue, type FormValue } from "../customFields/fields";

export function parseLabels(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    const l = raw.trim();
    if (l && !out.includes(l)) out.push(l);
  }
  return out;
}

export default function CreateTicketDialog({ org, defaultProject, onClose }: { org: string; defaultProject?: string; onClose: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const projects = useQuery({ queryKey: qk.projects(org), queryFn: () => endpoints.projects(org) });
  const members = useQuery({ queryKey: qk.members(org), queryFn: () => endpoints.members(org), staleTime: 60_000 });
  const [project, setProject] = useState(defaultProject ?? "");
  const [title, setTitle] = useState("");
  const [type, setType] = useState<TicketType>("task");
  const [priority, setPriority] = useState<Priority>("medium");
  const [assignee, setAssignee] = useState("");
  const [labels, setLabels] = useState("");
  const [due, setDue] = useState("");
  const [description, setDescription] = useState("");
  const [another, setAnother] = useState(false);
  const [fieldError, setFieldError] = useState<{ field?: string | null; message: string } | null>(null);
  const customDefs = useQuery(customFieldsQuery(org));
  // By field number; values of fields the chosen project lacks are kept but not sent.
  const [custom, setCustom] = useState<Record<string, FormValue>>({});
  const [customErrors, setCustomErrors] = useState<Record<string, string>>({});

  const chosenProject = project || projects.data?.items[0]?.key || "";
  const customFields = chosenProject ? fieldsForProject(customDefs.data ?? [], chosenProject) : [];

  const create = useMutation({
    mutationFn: (body: NewTicket) => endpoints.createTicket(org, chosenProject, body),
    onSuccess: ({ data: t, etag }) => {
      qc.setQueryData(qk.ticket(org, t.key), { data: t, etag });
      void qc.invalidateQueries({ queryKey: qk.searchAll(org) });
      void qc.invalidateQueries({ queryKey: qk.board(org, t.project) });
      toast.show(<span>Created <strong>{t.key}</strong>: {t.title}</span>, {
        tone: "success",
        action: { label: `Open ${t.key}`, onClick: () => navigate(`/${org}/tickets/${t.key}`) },
      });
      if (another) {
        setTitle("");
        setDescription("");
        setFieldError(null);
      } else onClose();
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 402) return; // the upgrade dialog takes over
      setFieldError({ field: isApiError(e) ? e.problem.field : null, message: describeError(e) });
    },
  });

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!title.trim()) {
      setFieldError({ field: "title", message: "A title is required." });
      return;
    }
    const values: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const f of customFields) {
      const r = toApiValue(f, custom[keyOf(f)] ?? emptyValue(f));
      if (!r.ok) errors[keyOf(f)] = r.error;
      else if (r.value === null && f.required) errors[keyOf(f)] = `${f.name} is required.`;
      else if (r.value !== null) values[keyOf(f)] = r.value;
    }
    setCustomErrors(errors);
    if (Object.keys(errors).length) {
      setFieldError(null);
      return;
    }
    create.mutate({
      title: title.trim(),
      type,
      priority,
      description,
      assignee: assignee || null,
      labels: parseLabels(labels),
      due_date: due || null,
      ...(Object.keys(values).length ? { custom_fields: values } : {}),
    });
  };

  const errFor = (f: string) => (fieldError && fieldError.field?.startsWith(f) ? fieldError.message : undefined);
  const generalError = fieldError && !["title", "assignee", "labels", "due_date", "description", "custom_fields."].some((f) => fieldError.field?.startsWith(f));
  const customErrorFor = (key: string) =>
    customErrors[key] ?? (fieldError && problemFieldKey(fieldError.field) === key ? fieldError.message : undefined);

  return (
    <Dialog open onClose={onClose} title="Create ticket" wide dismissOnBackdrop={!title.trim() && !description.trim()}
      footer={<>
        <label className="checkbox" style={{ marginRight: "auto" }}>
          <input type="checkbox" checked={another} onChange={(e) => setAnother(e.target.checked)} /> Create another
        </label>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="primary" type="submit" form="create-ticket-form" disabled={create.isPending || !chosenProject}>
          {create.isPending ? "Creating…" : "Create"}
        </Button>
      </>}>
      <form id="create-ticket-form" className="stack" onSubmit={submit} noValidate>
        <div className="form-grid">
          <SelectField label="Project" value={chosenProject} onChange={(e) => setProject(e.target.value)} required>
            {(projects.data?.items ?? []).filter((p) => !p.archived_at).map((p) => (
              <option key={p.key} value={p.key}>{p.key} · {p.name}</option>
            ))}
          </SelectField>
          <SelectField label="Type" value={type} onChange={(e) => setType(e.target.value as TicketType)}>
            {TICKET_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABEL[t]}</option>)}
          </SelectField>
        </div>
        <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} autoFocus required maxLength={500}
          error={errFor("title")} placeholder="What needs doing?" data-testid="create-title" />
        <div className="field">
          <span className="label" id="create-desc-label">Description</span>
          <MarkdownEditor label="Description" value={description} onChange={setDescription} rows={6} onSubmitShortcut={() => submit()} />
          {errFor("description") ? <span className="error-text">{errFor("description")}</span> : null}
        </div>
        <div className="form-grid">
          <SelectField label="Priority" value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
            {PRIORITIES.map((p) => <option key={p} value={p}>{PRIORITY_LABEL[p]}</option>)}
          </SelectField>
          <SelectField label="Assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)} error={errFor("assignee")}>
            <option value="">Unassigned</option>
            {(members.data?.items ?? []).filter((m) => m.role !== "billing").map((m) => (
              <option key={m.user.login} value={m.user.login}>{m.user.name} (@{m.user.login})</option>
            ))}
          </SelectField>
          <TextField label="Labels" value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="frontend, bug-bash"
            hint="Separate with commas or spaces." error={errFor("labels")} />
          <TextField label="Due date" type="date" value={due} onChange={(e) => setDue(e.target.value)} error={errFor("due_date")} />
        </div>
        {customFields.length ? (
          <section className="stack cf-create" aria-labelledby="create-cf-heading">
            <h3 id="create-cf-heading" className="section-title">Custom fields</h3>
            <div className="form-grid">
              {customFields.map((f) => (
                <CustomFieldInput key={f.id} field={f} value={custom[keyOf(f)] ?? emptyValue(f)} members={members.data?.items ?? []}
                  error={customErrorFor(keyOf(f))}
                  onChange={(v) => {
                    setCustom((c) => ({ ...c, [keyOf(f)]: v }));
                    setCustomErrors((e) => { const { [keyOf(f)]: _gone, ...rest } = e; return rest; });
                  }} />
              ))}
            </div>
          </section>
        ) : null}
        {generalError ? <p className="error-text" role="alert">{fieldError!.message}</p> : null}
      </form>
    </Dialog>
  );
}
