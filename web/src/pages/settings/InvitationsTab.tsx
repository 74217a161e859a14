import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { ROLES, type Invitation, type Role } from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import { relativeTime } from "../../lib/format";
import { Badge, Button, SelectField, SkeletonRows, TextField, useToast } from "../../ui";
import { mayAssign } from "./MembersTab";

export function InvitationsTab({ org, role }: { org: string; role: Role | undefined }) {
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery({ queryKey: qk.invitations(org), queryFn: () => endpoints.invitations(org) });
  const [who, setWho] = useState("");
  const [newRole, setNewRole] = useState<Role>("member");
  const [created, setCreated] = useState<Invitation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const invite = useMutation({
    mutationFn: () => {
      const v = who.trim().replace(/^@/, "");
      return endpoints.invite(org, v.includes("@") ? { email: v, role: newRole } : { github_login: v, role: newRole });
    },
    onSuccess: (inv) => { setCreated(inv); setWho(""); setError(null); void qc.invalidateQueries({ queryKey: qk.invitations(org) }); },
    onError: (e) => { if (!(isApiError(e) && e.status === 402)) setError(describeError(e)); },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => endpoints.revokeInvitation(org, id),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: qk.invitations(org) }); toast.success("Invitation revoked."); },
    onError: (e) => toast.error(describeError(e)),
  });
  const copy = async (text: string) => {
    try { await navigator.clipboard.writeText(text); toast.success("Link copied."); } catch { toast.error("Could not copy; select the link and copy it by hand."); }
  };
  return (
    <section aria-label="Invitations" className="stack">
      <form className="card stack" onSubmit={(e) => { e.preventDefault(); if (who.trim()) invite.mutate(); else setError("Enter a GitHub login or an e-mail address."); }}>
        <h2>Invite someone</h2>
        <div className="form-grid">
          <TextField label="GitHub login or e-mail" value={who} onChange={(e) => setWho(e.target.value)} placeholder="octocat or dev@example.com" error={error ?? undefined} />
          <SelectField label="Role" value={newRole} onChange={(e) => setNewRole(e.target.value as Role)}>
            {ROLES.filter((r) => mayAssign(role, r)).map((r) => <option key={r} value={r}>{r}</option>)}
          </SelectField>
        </div>
        <div><Button type="submit" variant="primary" disabled={invite.isPending}>Create invitation</Button></div>
        {created?.link ? (
          <div className="secret-box" role="status" data-testid="invitation-link">
            <p><strong>Send this link to {created.github_login ? `@${created.github_login}` : created.email}.</strong> It is shown only now and expires {relativeTime(created.expires_at)}.</p>
            <div className="row">
              <label className="visually-hidden" htmlFor="inv-link">Invitation link</label>
              <input id="inv-link" className="input mono grow" readOnly value={created.link} onFocus={(e) => e.target.select()} />
              <Button onClick={() => void copy(created.link!)}>Copy link</Button>
              <Button variant="ghost" onClick={() => setCreated(null)}>Done</Button>
            </div>
          </div>
        ) : null}
      </form>
      {list.isError ? <ErrorState error={list.error} what="invitations" /> : !list.data ? <SkeletonRows rows={3} label="Loading invitations" /> : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Invitations table">
          <table className="table">
            <thead><tr><th scope="col">Invitee</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Invited by</th><th scope="col">Expires</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {list.data.items.length === 0 ? <tr><td colSpan={6} className="muted">No invitations yet.</td></tr> : null}
              {list.data.items.map((i) => (
                <tr key={i.id}>
                  <td>{i.github_login ? `@${i.github_login}` : i.email}</td>
                  <td>{i.role}</td>
                  <td><Badge tone={i.status === "pending" ? "accent" : i.status === "accepted" ? "success" : undefined}>{i.status}</Badge></td>
                  <td>@{i.invited_by}</td>
                  <td className="muted">{relativeTime(i.expires_at)}</td>
                  <td>{i.status === "pending" && mayAssign(role, i.role) ? <Button size="sm" variant="danger" onClick={() => revoke.mutate(i.id)}>Revoke<span className="visually-hidden"> invitation for {i.github_login ?? i.email}</span></Button> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
