import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { permissionsOf, type CreatedToken, type Role } from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import { relativeTime } from "../../lib/format";
import { Button, Checkbox, SkeletonRows, TextField, useToast } from "../../ui";

export function TokensTab({ org, role }: { org: string; role: Role | undefined }) {
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery({ queryKey: qk.tokens(org), queryFn: () => endpoints.tokens(org) });
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [narrow, setNarrow] = useState(false);
  const [perms, setPerms] = useState<string[]>(["tickets.read"]);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mine = permissionsOf(role);
  const create = useMutation({
    mutationFn: () => endpoints.createToken(org, { name: name.trim(), permissions: narrow ? perms : null, expires_in_days: days ? Number(days) : null }),
    onSuccess: (t) => { setCreated(t); setName(""); setError(null); void qc.invalidateQueries({ queryKey: qk.tokens(org) }); },
    onError: (e) => setError(describeError(e)),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => endpoints.revokeToken(org, id),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: qk.tokens(org) }); toast.success("Token revoked; it stops working at once."); },
    onError: (e) => toast.error(describeError(e)),
  });
  return (
    <section aria-label="API tokens" className="stack">
      <form className="card stack" onSubmit={(e) => { e.preventDefault(); if (name.trim()) create.mutate(); else setError("Give the token a name."); }}>
        <h2>Create an API token</h2>
        <div className="form-grid">
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} placeholder="CI pipeline" maxLength={100} error={error ?? undefined} />
          <TextField label="Expires in (days)" type="number" min={1} max={366} value={days} onChange={(e) => setDays(e.target.value)} hint="Empty: never expires." />
        </div>
        <Checkbox label="Narrow this token to some permissions" checked={narrow} onChange={(e) => setNarrow(e.target.checked)} />
        {narrow ? (
          <fieldset>
            <legend>Permissions (within your role’s)</legend>
            <div className="perm-grid">
              {mine.map((p) => (
                <Checkbox key={p} label={<code>{p}</code>} checked={perms.includes(p)}
                  onChange={(e) => setPerms((xs) => (e.target.checked ? [...xs, p] : xs.filter((x) => x !== p)))} />
              ))}
            </div>
          </fieldset>
        ) : null}
        <div><Button type="submit" variant="primary" disabled={create.isPending}>Create token</Button></div>
        {created ? (
          <div className="secret-box" role="status" data-testid="new-token">
            <p><strong>Copy your new token now.</strong> It is shown only this once.</p>
            <div className="row">
              <label className="visually-hidden" htmlFor="new-token">New API token</label>
              <input id="new-token" className="input mono grow" readOnly value={created.token} onFocus={(e) => e.target.select()} />
              <Button onClick={() => void navigator.clipboard?.writeText(created.token).then(() => toast.success("Token copied."), () => toast.error("Copy failed; select it by hand."))}>Copy token</Button>
              <Button variant="ghost" onClick={() => setCreated(null)}>Done</Button>
            </div>
          </div>
        ) : null}
      </form>
      {list.isError ? <ErrorState error={list.error} what="tokens" /> : !list.data ? <SkeletonRows rows={3} label="Loading tokens" /> : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="API tokens table">
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col">Permissions</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {list.data.items.length === 0 ? <tr><td colSpan={6} className="muted">No tokens.</td></tr> : null}
              {list.data.items.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>@{t.user_login}</td>
                  <td>{t.permissions ? t.permissions.map((p) => <code key={p} className="perm">{p}</code>) : <span className="muted">All of the role</span>}</td>
                  <td className="muted">{t.last_used_at ? relativeTime(t.last_used_at) : "Never"}</td>
                  <td className="muted">{t.expires_at ? relativeTime(t.expires_at) : "Never"}</td>
                  <td><Button size="sm" variant="danger" onClick={() => revoke.mutate(t.id)}>Revoke<span className="visually-hidden"> token {t.name}</span></Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
