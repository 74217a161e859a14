import { useId } from "react";
import type { CustomField, Member } from "../api/types";
import { Checkbox, SelectField, TextField } from "../ui";
import type { FormValue } from "./fields";

/**
 * The editor for one custom field's value, by type: a text or number input, a date
 * picker, a select of the options, checkboxes for a multi-select, a select of the
 * members. Controlled; `onCommit` (blur or Enter in a text or number input) lets the
 * ticket page save once typing is done.
 */
export function CustomFieldInput({
  field, value, onChange, onCommit, members, error, disabled,
}: {
  field: CustomField;
  value: FormValue;
  onChange: (v: FormValue) => void;
  onCommit?: () => void;
  members: readonly Member[];
  error?: string | null;
  disabled?: boolean;
}) {
  const errorId = useId();
  const label = field.name;
  const hint = [field.required ? "Required." : "", field.description].filter(Boolean).join(" ") || undefined;
  const err = error ?? undefined;
  const text = typeof value === "string" ? value : "";
  const enter = (e: React.KeyboardEvent) => {
    if (e.key === "Enter" && onCommit) { e.preventDefault(); onCommit(); }
  };
  switch (field.type) {
    case "text":
      return <TextField label={label} value={text} maxLength={10_000} disabled={disabled} error={err} hint={hint} required={field.required}
        onChange={(e) => onChange(e.target.value)} onBlur={onCommit} onKeyDown={enter} />;
    case "number":
      return <TextField label={label} value={text} inputMode="decimal" disabled={disabled} error={err} hint={hint} required={field.required}
        onChange={(e) => onChange(e.target.value)} onBlur={onCommit} onKeyDown={enter} />;
    case "date":
      return <TextField label={label} type="date" value={text} disabled={disabled} error={err} hint={hint} required={field.required}
        onChange={(e) => onChange(e.target.value)} onBlur={onCommit} />;
    case "select":
      return (
        <SelectField label={label} value={text} disabled={disabled} error={err} hint={hint} required={field.required}
          onChange={(e) => onChange(e.target.value)}>
          <option value="">None</option>
          {field.options.map((o) => <option key={o.id} value={o.id}>{o.value}</option>)}
        </SelectField>
      );
    case "user": {
      return (
        <SelectField label={label} value={text} disabled={disabled} error={err} hint={hint} required={field.required}
          onChange={(e) => onChange(e.target.value)}>
          <option value="">Nobody</option>
          {text && !members.some((m) => m.user.login === text) ? <option value={text}>A former member</option> : null}
          {members.filter((m) => m.role !== "billing").map((m) => (
            <option key={m.user.login} value={m.user.login}>{m.user.name} (@{m.user.login})</option>
          ))}
        </SelectField>
      );
    }
    case "multi_select": {
      const chosen = Array.isArray(value) ? value : [];
      return (
        <fieldset className="field components-field cf-multi" aria-describedby={err ? errorId : undefined}>
          <legend>{label}</legend>
          {hint ? <span className="hint">{hint}</span> : null}
          {field.options.length === 0 ? <span className="muted">The field has no options yet.</span> : null}
          {field.options.map((o) => (
            <Checkbox key={o.id} label={o.value} checked={chosen.includes(o.id)} disabled={disabled}
              onChange={(e) => {
                const next = e.target.checked ? [...chosen, o.id] : chosen.filter((x) => x !== o.id);
                // In the field's order, as the API stores it.
                onChange(field.options.filter((x) => next.includes(x.id)).map((x) => x.id));
              }} />
          ))}
          {err ? <span id={errorId} className="error-text" role="alert">{err}</span> : null}
        </fieldset>
      );
    }
  }
}
