import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { can, permissionsOf, ROLES, type Member, type Role } from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import { useMe } from "../../app/session";
import { relativeTime } from "../../lib/format";
import { Avatar, Button, Dialog, SkeletonRows, useToast } from "../../ui";

/** Someone may hand out a role only if theirs grants everything it grants (docs/API.md). */
export function mayAssign(mine: Role | undefined, target: Role): boolean {
  const have = permissionsOf(mine);
  return permissionsOf(target).every((p) => have.includes(p));
}

export function MembersTab({ org, role }: { org: string; role: Role | undefined }) {
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const members = useQuery({ queryKey: qk.members(org), queryFn: () => endpoints.members(org) });
  const [removing, setRemoving] = useState<Member | null>(null);
  const [leaving, setLeaving] = useState(false);
  const manage = can(role, "members.manage");

  const change = useMutation({
    mutationFn: ({ login, role: r }: { login: string; role: Role }) => endpoints.changeRole(org, login, r),
    onSuccess: (_d, v) => { void qc.invalidateQueries({ queryKey: qk.members(org) }); void qc.invalidateQueries({ queryKey: qk.me }); toast.success(`@${v.login} is now ${v.role}.`); },
    onError: (e) => { toast.error(describeError(e)); void qc.invalidateQueries({ queryKey: qk.members(org) }); },
  });
  const remove = useMutation({
    mutationFn: (login: string) => endpoints.removeMember(org, login),
    onSuccess: (_d, login) => { setRemoving(null); void qc.invalidateQueries({ queryKey: qk.members(org) }); toast.success(`@${login} was removed; their API tokens here are revoked.`); },
    onError: (e) => toast.error(describeError(e)),
  });
  const leave = useMutation({
    mutationFn: () => endpoints.leave(org),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: qk.me }); navigate("/"); },
    onError: (e) => { setLeaving(false); toast.error(describeError(e)); },
  });

  if (members.isError) return <ErrorState error={members.error} what="members" />;
  if (!members.data) return <SkeletonRows rows={4} label="Loading members" />;

  return (
    <section aria-label="Members" className="stack">
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Members table">
        <table className="table" data-testid="members-table">
          <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col" className="hide-narrow">Joined</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {members.data.items.map((m) => {
              const self = m.user.id === me?.id;
              const editable = manage && !self && mayAssign(role, m.role);
              return (
                <tr key={m.user.login}>
                  <td><div className="row"><Avatar login={m.user.login} name={m.user.name} /><span>{m.user.name}</span><span className="muted">@{m.user.login}</span>{self ? <span className="badge">you</span> : null}</div></td>
                  <td>
                    {editable ? (
                      <>
                        <label className="visually-hidden" htmlFor={`role-${m.user.login}`}>Role of {m.user.login}</label>
                        <select id={`role-${m.user.login}`} className="select select-inline" value={m.role}
                          onChange={(e) => change.mutate({ login: m.user.login, role: e.target.value as Role })}>
                          {ROLES.filter((r) => mayAssign(role, r)).map((r) => <option key={r} value={r}>{r}</option>)}
                        </select>
                      </>
                    ) : <span className="badge">{m.role}</span>}
                  </td>
                  <td className="muted hide-narrow">{relativeTime(m.joined_at)}</td>
                  <td>{editable ? <Button size="sm" variant="danger" onClick={() => setRemoving(m)}>Remove<span className="visually-hidden"> {m.user.login}</span></Button> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div><Button variant="danger" size="sm" onClick={() => setLeaving(true)}>Leave this organization</Button></div>
      <Dialog open={removing !== null} onClose={() => setRemoving(null)} title={`Remove @${removing?.user.login ?? ""}?`}
        footer={<><Button onClick={() => setRemoving(null)}>Cancel</Button><Button variant="danger" onClick={() => removing && remove.mutate(removing.user.login)}>Remove member</Button></>}>
        <p>They lose access at once and their API tokens in this organization are revoked.</p>
      </Dialog>
      <Dialog open={leaving} onClose={() => setLeaving(false)} title="Leave this organization?"
        footer={<><Button onClick={() => setLeaving(false)}>Cancel</Button><Button variant="danger" onClick={() => leave.mutate()}>Leave</Button></>}>
        <p>You lose access to its projects and tickets. The last owner cannot leave.</p>
      </Dialog>
    </section>
  );
}
