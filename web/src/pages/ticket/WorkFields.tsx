import { useEffect, useState } from "react";
import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { endpoints, qk } from "../../api/endpoints";
import type { Ticket, TicketPatch } from "../../api/types";
import { formatDuration, parseDuration } from "../../lib/duration";
import { Checkbox, TextField } from "../../ui";
import { KeyPicker } from "./KeyPicker";

type Patch = (p: TicketPatch) => void;

/** The project's components as checkboxes (PATCH replaces the list). */
export function ComponentsField({ org, ticket: t, canEdit, patch }: { org: string; ticket: Ticket; canEdit: boolean; patch: Patch }) {
  const comps = useQuery({ queryKey: qk.components(org, t.project), queryFn: () => endpoints.components(org, t.project), staleTime: 60_000 });
  const has = (name: string) => t.components.some((c) => c.toLowerCase() === name.toLowerCase());
  if (!canEdit) {
    return (
      <div className="field"><span className="field-label">Components</span>
        <div className="row" data-testid="ticket-components">{t.components.length ? t.components.map((c) => <span key={c} className="badge">{c}</span>) : <span className="muted">None</span>}</div>
      </div>
    );
  }
  return (
    <fieldset className="field components-field" data-testid="ticket-components">
      <legend>Components</legend>
      {comps.data && !comps.data.length ? <span className="muted">The project has no components.</span> : null}
      {(comps.data ?? []).map((c) => (
        <Checkbox key={c.id} label={c.name} checked={has(c.name)}
          onChange={(e) => patch({ components: e.target.checked ? [...t.components, c.name] : t.components.filter((x) => x.toLowerCase() !== c.name.toLowerCase()) })} />
      ))}
    </fieldset>
  );
}

/** Parent (a key), with a link to it; editors change or clear it. */
export function ParentField({ org, ticket: t, canEdit, patch }: { org: string; ticket: Ticket; canEdit: boolean; patch: Patch }) {
  const [draft, setDraft] = useState(t.parent ?? "");
  useEffect(() => setDraft(t.parent ?? ""), [t.parent]);
  const save = () => {
    const v = draft.trim().toUpperCase() || null;
    if (v !== (t.parent ?? null)) patch({ parent: v });
  };
  return (
    <div className="stack parent-field">
      {canEdit ? (
        <form onSubmit={(e) => { e.preventDefault(); save(); }}>
          <KeyPicker org={org} label="Parent" value={draft} onChange={setDraft} exclude={t.key} testId="parent-input" />
          <span className="hint">{t.parent ? "Enter to save; empty to clear." : "A ticket key; Enter to save."}</span>
        </form>
      ) : null}
      {t.parent ? <div className="row" data-testid="ticket-parent"><span className="muted">Parent</span> <Link className="mono" to={`/${org}/tickets/${t.parent}`}>{t.parent}</Link></div> : null}
    </div>
  );
}

/** Story points, original estimate ("1d 4h", minutes stored) and start date. */
export function EstimateFields({ ticket: t, canEdit, patch }: { ticket: Ticket; canEdit: boolean; patch: Patch }) {
  const [points, setPoints] = useState(t.story_points?.toString() ?? "");
  const [est, setEst] = useState(t.original_estimate != null ? formatDuration(t.original_estimate) : "");
  const [estError, setEstError] = useState<string | null>(null);
  const [pointsError, setPointsError] = useState<string | null>(null);
  useEffect(() => setPoints(t.story_points?.toString() ?? ""), [t.story_points]);
  useEffect(() => setEst(t.original_estimate != null ? formatDuration(t.original_estimate) : ""), [t.original_estimate]);
  const savePoints = () => {
    const s = points.trim();
    const v = s === "" ? null : Number(s);
    if (v !== null && (!Number.isFinite(v) || v < 0 || v > 1000)) { setPointsError("A number from 0 to 1000."); return; }
    setPointsError(null);
    if (v !== (t.story_points ?? null)) patch({ story_points: v });
  };
  const saveEst = () => {
    const s = est.trim();
    const v = s === "" ? null : parseDuration(s);
    if (s !== "" && (v === null || v > 1_000_000)) { setEstError('Write it like "1d 4h" or "90m" (8-hour days).'); return; }
    setEstError(null);
    if (v !== (t.original_estimate ?? null)) patch({ original_estimate: v });
  };
  const enter = (fn: () => void) => (e: React.KeyboardEvent) => { if (e.key === "Enter") { e.preventDefault(); fn(); } };
  return (
    <>
      <TextField label="Story points" inputMode="decimal" value={points} disabled={!canEdit} error={pointsError}
        onChange={(e) => setPoints(e.target.value)} onBlur={savePoints} onKeyDown={enter(savePoints)} />
      <TextField label="Original estimate" value={est} disabled={!canEdit} error={estError} placeholder="e.g. 1d 4h"
        hint={canEdit ? "w, d (8 h), h, m" : undefined}
        onChange={(e) => setEst(e.target.value)} onBlur={saveEst} onKeyDown={enter(saveEst)} />
      <TextField label="Start date" type="date" value={t.start_date ?? ""} disabled={!canEdit}
        onChange={(e) => { const v = e.target.value || null; if (!v || /^(19[7-9]\d|2\d{3})-\d{2}-\d{2}$/.test(v)) patch({ start_date: v }); }} />
    </>
  );
}

/** Children: a progress bar (done of total) and the list from a search. */
export function ChildIssues({ org, ticket: t }: { org: string; ticket: Ticket }) {
  const { total, done } = t.children;
  const list = useQuery({
    queryKey: qk.search(org, `parent = ${t.key} ORDER BY rank`),
    queryFn: ({ signal }) => endpoints.search(org, { jql: `parent = ${t.key} ORDER BY rank`, maxResults: 50 }, signal),
    enabled: total > 0,
  });
  if (!total) return null;
  const pct = Math.round((done / total) * 100);
  return (
    <section className="child-issues" aria-label="Child issues">
      <div className="row-between"><h2 className="section-title">Child issues</h2><span className="muted" data-testid="children-progress">{done} of {total} done</span></div>
      <div className="progress" role="progressbar" aria-label="Child issues done" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-valuetext={`${done} of ${total} done`}>
        <div className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
      <ul className="link-list">
        {(list.data?.issues ?? []).map((c) => (
          <li key={c.key} className="link-row">
            <Link to={`/${org}/tickets/${c.key}`} className="mono">{c.key}</Link>
            <span className="truncate link-title">{c.title}</span>
            <span className={`status-pill cat-${c.status.category}`}>{c.status.name}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
