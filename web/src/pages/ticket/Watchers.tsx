import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { Avatar, Button, SelectField, useToast } from "../../ui";

/** Watch/Unwatch with the count (viewers may watch), and the list; editors add and remove others. */
export function Watchers({ org, ticketKey, canEdit, me }: { org: string; ticketKey: string; canEdit: boolean; me: string }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [pick, setPick] = useState("");
  const w = useQuery({ queryKey: qk.watchers(org, ticketKey), queryFn: () => endpoints.watchers(org, ticketKey) });
  const members = useQuery({ queryKey: qk.members(org), queryFn: () => endpoints.members(org), staleTime: 60_000, enabled: open && canEdit });
  const done = () => {
    void qc.invalidateQueries({ queryKey: qk.watchers(org, ticketKey) });
    void qc.invalidateQueries({ queryKey: qk.history(org, ticketKey) });
  };
  const add = useMutation({ mutationFn: (login: string) => endpoints.addWatcher(org, ticketKey, login), onSuccess: () => { setPick(""); done(); }, onError: (e) => toast.error(describeError(e)) });
  const remove = useMutation({ mutationFn: (login: string) => endpoints.removeWatcher(org, ticketKey, login), onSuccess: done, onError: (e) => toast.error(describeError(e)) });
  const watching = w.data?.watching ?? false;
  const busy = add.isPending || remove.isPending;
  const others = (members.data?.items ?? []).filter((m) => m.role !== "billing" && !w.data?.items.some((x) => x.login === m.user.login));
  return (
    <div className="watchers">
      <div className="row" role="group" aria-label="Watchers">
        <Button size="sm" disabled={!w.data || busy} aria-pressed={watching} data-testid="watch-toggle"
          onClick={() => (watching ? remove.mutate(me) : add.mutate(me))}>
          {watching ? "Unwatch" : "Watch"}
        </Button>
        <Button size="sm" variant="ghost" aria-expanded={open} aria-controls="watchers-popover" onClick={() => setOpen((x) => !x)}
          aria-label={`${w.data?.count ?? 0} watching: show watchers`} data-testid="watcher-count">
          {w.data?.count ?? "–"} watching
        </Button>
      </div>
      {open && w.data ? (
        <div id="watchers-popover" className="watchers-popover" role="region" aria-label="Watcher list"
          onKeyDown={(e) => { if (e.key === "Escape") setOpen(false); }}>
          {w.data.items.length ? (
            <ul className="watcher-list">
              {w.data.items.map((u) => (
                <li key={u.login} className="row-between">
                  <span className="row"><Avatar login={u.login} name={u.name} /> {u.name} <span className="muted">@{u.login}</span></span>
                  {canEdit && u.login !== me ? (
                    <Button size="sm" variant="ghost" aria-label={`Stop ${u.login} watching`} disabled={busy} onClick={() => remove.mutate(u.login)}>✕</Button>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : <p className="muted">Nobody watches this ticket.</p>}
          {canEdit ? (
            <form className="row watcher-add" onSubmit={(e) => { e.preventDefault(); if (pick) add.mutate(pick); }}>
              <SelectField label="Add watcher" value={pick} onChange={(e) => setPick(e.target.value)}>
                <option value="">Choose a member…</option>
                {others.map((m) => <option key={m.user.login} value={m.user.login}>{m.user.name} (@{m.user.login})</option>)}
              </SelectField>
              <Button type="submit" size="sm" disabled={!pick || busy}>Add</Button>
            </form>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
