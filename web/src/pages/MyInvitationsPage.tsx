import { Link, useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import { useMe } from "../app/session";
import { relativeTime } from "../lib/format";
import { Button, useToast } from "../ui";

/** The invitee's side: invitations addressed to my login or verified e-mail. */
export default function MyInvitationsPage({ standalone }: { standalone?: boolean }) {
  const { data: me } = useMe();
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const accept = useMutation({
    mutationFn: (id: string) => endpoints.acceptInvitation(id),
    onSuccess: (j) => { void qc.invalidateQueries({ queryKey: qk.me }); toast.success(`You joined ${j.org_slug} as ${j.role}.`); navigate(`/${j.org_slug}/projects`); },
    onError: (e) => toast.error(describeError(e)),
  });
  const decline = useMutation({
    mutationFn: (id: string) => endpoints.declineInvitation(id),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: qk.me }); toast.show("Invitation declined."); },
    onError: (e) => toast.error(describeError(e)),
  });
  const list = me?.invitations ?? [];
  return (
    <div className="page-narrow">
      <div className="page-header"><h1>Your invitations</h1></div>
      {standalone && me && me.orgs.length === 0 && list.length === 0 ? (
        <p className="muted">You don’t belong to any organization yet. Ask a teammate to invite you.</p>
      ) : null}
      {list.length === 0 ? <p className="muted">No open invitations.</p> : (
        <ul className="stack" aria-label="Open invitations" style={{ listStyle: "none", padding: 0 }}>
          {list.map((i) => (
            <li key={i.id} className="card row-between">
              <div>
                <strong>{i.org_name}</strong> <span className="muted">({i.org_slug})</span>
                <div className="muted">Invited by @{i.invited_by} as <strong>{i.role}</strong> · expires {relativeTime(i.expires_at)}</div>
              </div>
              <div className="row">
                <Button variant="primary" onClick={() => accept.mutate(i.id)} disabled={accept.isPending}>Accept<span className="visually-hidden"> invitation to {i.org_name}</span></Button>
                <Button onClick={() => decline.mutate(i.id)} disabled={decline.isPending}>Decline<span className="visually-hidden"> invitation to {i.org_name}</span></Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {standalone && me?.orgs[0] ? <p><Link to={`/${me.orgs[0].slug}/projects`}>Back to {me.orgs[0].name}</Link></p> : null}
    </div>
  );
}
