// Custom fields' pure logic: which fields a project shows, the form value each editor
// holds, what goes to the API (`custom_fields: {"10001": value | null}`), how a stored
// value reads for people, and the option list an admin edits.
import type { CustomField, CustomFieldKind, OptionEdit, UserRef } from "../api/types";

export const KIND_LABEL: Record<CustomFieldKind, string> = {
  text: "Text",
  number: "Number",
  date: "Date",
  select: "Select (one option)",
  multi_select: "Multi-select (several options)",
  user: "User (a member)",
};
export const KINDS: CustomFieldKind[] = ["text", "number", "date", "select", "multi_select", "user"];

export function hasOptions(kind: CustomFieldKind): boolean {
  return kind === "select" || kind === "multi_select";
}

/** The key of a field's value in a ticket's `custom_fields` (and JQL's `cf[N]`). */
export function keyOf(field: Pick<CustomField, "number">): string {
  return String(field.number);
}

/** The fields enabled in `project` (`projects: null` is every project), in the API's order. */
export function fieldsForProject(fields: readonly CustomField[], project: string): CustomField[] {
  const p = project.toUpperCase();
  return fields.filter((f) => f.projects == null || f.projects.some((k) => k.toUpperCase() === p));
}

/** "All projects" or the keys. */
export function projectsLabel(field: Pick<CustomField, "projects">): string {
  if (field.projects == null) return "All projects";
  return field.projects.length ? field.projects.join(", ") : "No project";
}

/**
 * What an editor holds: text for text, number (as typed) and date fields, an option id
 * for a select, option ids for a multi-select, a login for a user field; "" (or []) is
 * no value.
 */
export type FormValue = string | string[];

export function emptyValue(field: Pick<CustomField, "type">): FormValue {
  return field.type === "multi_select" ? [] : "";
}

export function isEmptyValue(v: FormValue): boolean {
  return Array.isArray(v) ? v.length === 0 : v.trim() === "";
}

type Person = Pick<UserRef, "id" | "login" | "name">;

/** A member named by a stored user id (or, in an optimistic copy, by the login just sent). */
export function personOf(stored: unknown, people: readonly Person[]): Person | null {
  if (typeof stored !== "string" || !stored) return null;
  return people.find((p) => p.id === stored) ?? people.find((p) => p.login === stored) ?? null;
}

/** The editor's value for a ticket's stored value (options the field no longer has are dropped). */
export function toFormValue(field: CustomField, stored: unknown, people: readonly Person[] = []): FormValue {
  if (stored === undefined || stored === null) return emptyValue(field);
  switch (field.type) {
    case "text":
    case "date":
      return typeof stored === "string" ? stored : "";
    case "number":
      return typeof stored === "number" ? String(stored) : typeof stored === "string" ? stored : "";
    case "select":
      return typeof stored === "string" && field.options.some((o) => o.id === stored) ? stored : "";
    case "multi_select":
      return Array.isArray(stored) ? field.options.filter((o) => stored.includes(o.id)).map((o) => o.id) : [];
    case "user":
      return personOf(stored, people)?.login ?? (typeof stored === "string" ? stored : "");
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMBER_MAX = 1e15;

/** Whether `s` is a real calendar date written `YYYY-MM-DD`, in a plausible year. */
export function isWholeDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2999) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export type ApiValue =
  | { ok: true; value: string | number | string[] | null }
  | { ok: false; error: string };

/** What the API is sent for an editor's value (`null` clears), or why it cannot be sent. */
export function toApiValue(field: CustomField, v: FormValue): ApiValue {
  if (isEmptyValue(v)) return { ok: true, value: null };
  switch (field.type) {
    case "multi_select":
      return { ok: true, value: Array.isArray(v) ? v : [v] };
    case "number": {
      const s = String(v).trim().replace(/\s+/g, "");
      const n = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s) ? Number(s) : NaN;
      if (!Number.isFinite(n)) return { ok: false, error: "A number, such as 12 or 3.5." };
      if (Math.abs(n) > NUMBER_MAX) return { ok: false, error: "A number between -1e15 and 1e15." };
      return { ok: true, value: n };
    }
    case "date": {
      const s = String(v).trim();
      return isWholeDate(s) ? { ok: true, value: s } : { ok: false, error: "A date, written YYYY-MM-DD." };
    }
    case "text":
      return { ok: true, value: String(v).trim() };
    default:
      return { ok: true, value: Array.isArray(v) ? (v[0] ?? null) : v.trim() };
  }
}

/** Whether two stored values are the same value (the order of a multi-select is the field's). */
export function sameValue(a: unknown, b: unknown): boolean {
  const norm = (x: unknown) => (x === undefined || x === "" || (Array.isArray(x) && x.length === 0) ? null : x);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** A stored value for people: the option's value, the member's name, the number or date; "" for none. */
export function formatValue(field: CustomField, stored: unknown, people: readonly Person[] = []): string {
  if (stored === undefined || stored === null || stored === "") return "";
  switch (field.type) {
    case "text":
    case "date":
      return String(stored);
    case "number":
      return typeof stored === "number" ? stored.toLocaleString("en-US", { maximumFractionDigits: 10 }) : String(stored);
    case "select":
      return field.options.find((o) => o.id === stored)?.value ?? "(a deleted option)";
    case "multi_select":
      return Array.isArray(stored)
        ? field.options.filter((o) => stored.includes(o.id)).map((o) => o.value).join(", ")
        : "";
    case "user": {
      const p = personOf(stored, people);
      return p ? `${p.name} (@${p.login})` : "A former member";
    }
  }
}

/** The field number a problem's `field` names (`custom_fields.10001`, `custom_fields.10001[2]`), else null. */
export function problemFieldKey(problemField: string | null | undefined): string | null {
  const m = /^custom_fields\.([^.[\]]+)/.exec(problemField ?? "");
  return m ? m[1]! : null;
}

// The option list an admin edits: rows keep the option's id (kept options are renamed,
// not replaced, so tickets keep them) and a local key for React.
export interface OptionRow {
  key: string;
  id?: string;
  value: string;
}

let rowSeq = 0;
export function newOptionRow(value = ""): OptionRow {
  rowSeq += 1;
  return { key: `new-${rowSeq}`, value };
}

export function optionRows(field: Pick<CustomField, "options">): OptionRow[] {
  return field.options.map((o) => ({ key: o.id, id: o.id, value: o.value }));
}

/** Moves row `index` by `delta` (−1 up, +1 down); out of range leaves the list as it is. */
export function moveRow(rows: readonly OptionRow[], index: number, delta: number): OptionRow[] {
  const to = index + delta;
  if (index < 0 || index >= rows.length || to < 0 || to >= rows.length) return [...rows];
  const next = [...rows];
  const [row] = next.splice(index, 1);
  next.splice(to, 0, row!);
  return next;
}

export type OptionCheck =
  | { ok: true; options: OptionEdit[] }
  | { ok: false; index: number; error: string };

/**
 * The whole new option list for `PATCH` (or `POST`), trimmed, blank rows left out; two
 * options with the same value (ignoring case) are refused, as the API would.
 */
export function checkOptions(rows: readonly OptionRow[]): OptionCheck {
  const out: OptionEdit[] = [];
  const seen = new Map<string, number>();
  for (const [i, r] of rows.entries()) {
    const value = r.value.trim();
    if (!value) continue;
    if (value.length > 255) return { ok: false, index: i, error: "At most 255 characters." };
    const lower = value.toLowerCase();
    if (seen.has(lower)) return { ok: false, index: i, error: `“${value}” is listed twice.` };
    seen.set(lower, i);
    out.push(r.id ? { id: r.id, value } : { value });
  }
  return { ok: true, options: out };
}

// The list view's optional columns: `?cf=10001,10002` names the fields shown.

/** The fields `param` names that exist (and, in a project's list, are enabled there), in the order named. */
export function columnFields(fields: readonly CustomField[], param: string | null, project: string | null): CustomField[] {
  const offered = project ? fieldsForProject(fields, project) : [...fields];
  const wanted = (param ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const out: CustomField[] = [];
  for (const n of wanted) {
    const f = offered.find((x) => keyOf(x) === n);
    if (f && !out.includes(f)) out.push(f);
  }
  return out;
}

/** `param` with the field's column added at the end, or taken away; "" when none is left. */
export function toggleColumn(param: string | null, field: Pick<CustomField, "number">): string {
  const wanted = (param ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const n = keyOf(field);
  return (wanted.includes(n) ? wanted.filter((x) => x !== n) : [...wanted, n]).join(",");
}
