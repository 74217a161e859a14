import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { Button, SelectField } from "../../ui";
import { groupLinks, linkPhrases } from "./links";
import { KeyPicker } from "./KeyPicker";

/** The ticket's links, grouped by phrase; editors add and remove them. */
export function Links({ org, ticketKey, canEdit }: { org: string; ticketKey: string; canEdit: boolean }) {
  const qc = useQueryClient();
  const links = useQuery({ queryKey: qk.links(org, ticketKey), queryFn: () => endpoints.links(org, ticketKey) });
  const types = useQuery({ queryKey: qk.linkTypes(org), queryFn: () => endpoints.linkTypes(org), staleTime: Infinity });
  const [adding, setAdding] = useState(false);
  const [phrase, setPhrase] = useState("blocks");
  const [other, setOther] = useState("");
  const [error, setError] = useState<string | null>(null);
  const changed = (otherKey?: string) => {
    void qc.invalidateQueries({ queryKey: qk.links(org, ticketKey) });
    void qc.invalidateQueries({ queryKey: qk.history(org, ticketKey) });
    if (otherKey) void qc.invalidateQueries({ queryKey: qk.links(org, otherKey) });
  };
  const add = useMutation({
    mutationFn: () => endpoints.addLink(org, ticketKey, { link: phrase, ticket: other.trim().toUpperCase() }),
    onSuccess: (l) => { setOther(""); setError(null); setAdding(false); changed(l.ticket.key); },
    onError: (e) => setError(describeError(e)),
  });
  const remove = useMutation({
    mutationFn: (l: { id: string; key: string }) => endpoints.removeLink(org, ticketKey, l.id),
    onSuccess: (_r, l) => changed(l.key),
    onError: (e) => setError(describeError(e)),
  });
  const groups = groupLinks(links.data ?? [], types.data ?? []);
  return (
    <section className="ticket-links" aria-label="Links">
      <div className="row-between">
        <h2 className="section-title">Links {links.data?.length ? <span className="badge">{links.data.length}</span> : null}</h2>
        {canEdit && !adding ? <Button size="sm" variant="ghost" onClick={() => { setAdding(true); setError(null); }}>Add link</Button> : null}
      </div>
      {adding ? (
        <form className="link-form" aria-label="Add link" onSubmit={(e) => { e.preventDefault(); if (other.trim()) add.mutate(); }}>
          <SelectField label="Link type" value={phrase} onChange={(e) => setPhrase(e.target.value)}>
            {linkPhrases(types.data ?? []).map((p) => <option key={p} value={p}>{p}</option>)}
          </SelectField>
          <KeyPicker org={org} label="Ticket" value={other} onChange={setOther} exclude={ticketKey} testId="link-ticket" />
          <div className="row">
            <Button type="submit" variant="primary" size="sm" disabled={add.isPending || !other.trim()}>Link</Button>
            <Button size="sm" onClick={() => { setAdding(false); setError(null); }}>Cancel</Button>
          </div>
        </form>
      ) : null}
      {error ? <p className="error-text" role="alert" data-testid="link-error">{error}</p> : null}
      {links.isError ? <p className="error-text" role="alert">{describeError(links.error)}</p> : null}
      {links.data && !groups.length && !adding ? <p className="muted">No links.</p> : null}
      {groups.map((g) => (
        <div key={g.phrase} className="link-group">
          <h3 className="link-phrase">{g.phrase}</h3>
          <ul className="link-list" aria-label={g.phrase}>
            {g.links.map((l) => (
              <li key={l.id} className="link-row">
                <Link to={`/${org}/tickets/${l.ticket.key}`} className="mono">{l.ticket.key}</Link>
                <span className="truncate link-title">{l.ticket.title}</span>
                <span className={`status-pill cat-${l.ticket.status.category}`}>{l.ticket.status.name}</span>
                {canEdit ? (
                  <Button size="sm" variant="ghost" aria-label={`Remove link: ${g.phrase} ${l.ticket.key}`} disabled={remove.isPending}
                    onClick={() => remove.mutate({ id: l.id, key: l.ticket.key })}>✕</Button>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
