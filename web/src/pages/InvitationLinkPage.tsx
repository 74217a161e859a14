import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import { hasSessionCookie } from "../app/session";
import { Button } from "../ui";

/** `/invitations/:token`: the link an invitee got. Holding it is the proof. */
export default function InvitationLinkPage() {
  const { token = "" } = useParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [declined, setDeclined] = useState(false);
  const signedIn = hasSessionCookie();
  const accept = useMutation({
    mutationFn: () => endpoints.acceptLink(token),
    onSuccess: (j) => {
      void qc.invalidateQueries({ queryKey: qk.me });
      navigate(`/${j.org_slug}/projects`, { replace: true });
    },
  });
  const back = `/invitations/${encodeURIComponent(token)}`;
  const err = accept.error;
  return (
    <main id="main" className="signin">
      <div className="signin-card card stack">
        <h1>You’re invited to Trellis</h1>
        {!signedIn ? (
          <>
            <p>Sign in first; you’ll come back here to accept.</p>
            <Link className="btn btn-primary" to={`/signin?redirect_to=${encodeURIComponent(back)}`}>Sign in to accept</Link>
          </>
        ) : declined ? (
          <p>You declined this link. Nothing was changed; the invitation stays open until it expires or is revoked. <Link to="/">Go home</Link></p>
        ) : (
          <>
            <p>Accept to join the organization that invited you.</p>
            {err ? (
              <p className="error-text" role="alert">
                {isApiError(err) && err.kind === "already-member" ? "You are already a member of this organization." :
                  isApiError(err) && err.kind === "invitation-expired" ? "This invitation has expired. Ask for a new one." :
                  isApiError(err) && err.kind === "invitation-closed" ? "This invitation was already used, declined or revoked." :
                  isApiError(err) && err.status === 404 ? "This invitation link is not valid." : describeError(err)}
              </p>
            ) : null}
            <div className="row">
              <Button variant="primary" onClick={() => accept.mutate()} disabled={accept.isPending} data-testid="accept-invitation">Accept invitation</Button>
              <Button onClick={() => setDeclined(true)}>Not now</Button>
            </div>
            <p className="hint">To decline for good, open your invitations after signing in: <Link to="/invitations">your invitations</Link>.</p>
          </>
        )}
      </div>
    </main>
  );
}
