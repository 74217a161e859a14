import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { endpoints, qk } from "../../api/endpoints";
import { customFieldsQuery } from "../../api/hooks";
import type { CustomField, Member, Ticket, TicketPatch } from "../../api/types";
import { CustomFieldInput } from "../../customFields/CustomFieldInput";
import { fieldsForProject, formatValue, keyOf, sameValue, toApiValue, toFormValue, type FormValue } from "../../customFields/fields";

/**
 * The custom fields enabled in the ticket's project, in the details panel: editors by
 * type for those who may edit (each saves with PATCH `custom_fields`, If-Match like the
 * other fields), the values as text for everyone else. The API's 422 shows at its field.
 */
export function TicketCustomFields({ org, ticket: t, canEdit, patch, errors }: {
  org: string;
  ticket: Ticket;
  canEdit: boolean;
  patch: (p: TicketPatch) => void;
  errors: Record<string, string>;
}) {
  const defs = useQuery(customFieldsQuery(org));
  const members = useQuery({ queryKey: qk.members(org), queryFn: () => endpoints.members(org), staleTime: 60_000 });
  const fields = fieldsForProject(defs.data ?? [], t.project);
  if (!fields.length) return null;
  const people = members.data?.items ?? [];
  if (!canEdit) {
    return (
      <section aria-label="Custom fields" className="cf-section">
        <h2 className="section-title">Custom fields</h2>
        <dl className="meta-list cf-values">
          {fields.map((f) => {
            const shown = formatValue(f, t.custom_fields[keyOf(f)], people.map((m) => m.user));
            return (
              <div key={f.id} className="cf-pair" data-testid={`cf-${f.number}`}>
                <dt>{f.name}</dt>
                <dd>{shown || <span className="muted">None</span>}</dd>
              </div>
            );
          })}
        </dl>
      </section>
    );
  }
  return (
    <section aria-label="Custom fields" className="cf-section stack">
      <h2 className="section-title">Custom fields</h2>
      {fields.map((f) => (
        <CustomFieldEditor key={f.id} field={f} stored={t.custom_fields[keyOf(f)]} members={people}
          serverError={errors[keyOf(f)] ?? null}
          onSave={(value) => patch({ custom_fields: { [keyOf(f)]: value } })} />
      ))}
    </section>
  );
}

/**
 * One field's editor: selects, checkboxes and dates save on change (a date once it is
 * whole, so typing the year digit by digit does not save 0002), text and numbers on blur
 * or Enter; a number that is not one is refused here, before sending.
 */
function CustomFieldEditor({ field, stored, members, serverError, onSave }: {
  field: CustomField;
  stored: unknown;
  members: readonly Member[];
  serverError: string | null;
  onSave: (value: string | number | string[] | null) => void;
}) {
  const people = members.map((m) => m.user);
  const [draft, setDraft] = useState<FormValue>(() => toFormValue(field, stored, people));
  const [error, setError] = useState<string | null>(null);
  // By value: a refetch with the same value keeps what is being typed.
  const shownKey = JSON.stringify(toFormValue(field, stored, people));
  useEffect(() => setDraft(JSON.parse(shownKey) as FormValue), [shownKey]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);

  const commit = (v: FormValue) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const r = toApiValue(field, v);
    if (!r.ok) { setError(r.error); return; }
    setError(null);
    // Compared as the API would be sent them (a user field stores an id but is sent a login).
    const current = toApiValue(field, toFormValue(field, stored, people));
    if (current.ok && sameValue(r.value, current.value)) return;
    onSave(r.value);
  };

  const onChange = (v: FormValue) => {
    setDraft(v);
    if (field.type === "select" || field.type === "multi_select" || field.type === "user") commit(v);
    else if (field.type === "date") {
      if (timer.current) clearTimeout(timer.current);
      const s = typeof v === "string" ? v : "";
      if (!s) commit(v);
      else if (toApiValue(field, v).ok) timer.current = setTimeout(() => commit(v), 700);
    }
  };

  return (
    <CustomFieldInput field={field} value={draft} members={members} error={error ?? serverError}
      onChange={onChange} onCommit={() => commit(draft)} />
  );
}
