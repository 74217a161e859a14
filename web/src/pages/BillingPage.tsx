import { useState } from "react";
import { useTitle } from "../app/useTitle";
import { useMutation, useQuery } from "@tanstack/react-query";
import { describeError, isApiError } from "../api/client";
import { endpoints, qk } from "../api/endpoints";
import { can, type BillingSummary } from "../api/types";
import { ErrorState } from "../app/ErrorState";
import { useCurrentOrg } from "../app/session";
import { Badge, Button, SelectField, SkeletonRows, TextField } from "../ui";

const PLAN_TEXT: Record<string, string> = {
  free: "Free: 5 seats, 3 projects, 1 GiB of attachments.",
  team: "Team: the seats you buy, 50 projects, 100 GiB.",
  business: "Business: the seats you buy, unlimited projects, 1 TiB.",
};

function UsageBar({ label, used, limit }: { label: string; used: number; limit?: number | null }) {
  const pct = limit ? Math.min(100, Math.round((used / limit) * 100)) : 0;
  return (
    <div className="usage">
      <div className="row-between"><span className="label">{label}</span><span>{used.toLocaleString()} {limit != null ? `of ${limit.toLocaleString()}` : "(unlimited)"}</span></div>
      {limit != null ? (
        <div className="usage-bar" role="progressbar" aria-label={`${label} used`} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used}>
          <span style={{ width: `${pct}%` }} data-full={used >= limit || undefined} />
        </div>
      ) : null}
    </div>
  );
}

export function statusBadge(b: BillingSummary) {
  if (b.read_only) return <Badge tone="danger">Read-only</Badge>;
  if (b.status === "past_due" || b.status === "unpaid") return <Badge tone="warning">Past due</Badge>;
  if (b.status === "active" || b.status === "trialing") return <Badge tone="success">{b.status === "trialing" ? "Trial" : "Active"}</Badge>;
  if (b.status === "none") return <Badge>No subscription</Badge>;
  return <Badge>{b.status.replace(/_/g, " ")}</Badge>;
}

export default function BillingPage() {
  const { slug: org, role } = useCurrentOrg();
  useTitle("Billing");
  const billing = useQuery({ queryKey: qk.billing(org), queryFn: () => endpoints.billing(org), enabled: can(role, "billing.read") });
  const [plan, setPlan] = useState<"team" | "business">("team");
  const [seats, setSeats] = useState("");
  const manage = can(role, "billing.manage");
  const go = (url: string) => window.location.assign(url);
  const checkout = useMutation({
    mutationFn: () => endpoints.checkout(org, { plan, seats: Number(seats || billing.data?.seats.used || 1) }),
    onSuccess: (r) => go(r.url),
  });
  const portal = useMutation({ mutationFn: () => endpoints.portal(org), onSuccess: (r) => go(r.url) });

  if (!can(role, "billing.read")) {
    return <div className="state"><h1>Billing</h1><p>Only owners, admins and billing managers see this organization’s plan.</p></div>;
  }
  if (billing.isError) return <ErrorState error={billing.error} what="billing" retry={() => void billing.refetch()} />;
  if (!billing.data) return <SkeletonRows rows={5} label="Loading billing" />;
  const b = billing.data;
  const err = checkout.error ?? portal.error;
  const subscribed = b.status !== "none" && b.status !== "canceled" && b.status !== "incomplete_expired";

  return (
    <div className="page-narrow stack">
      <div className="page-header"><h1>Billing</h1></div>
      {b.read_only || b.status === "past_due" || b.status === "unpaid" ? (
        <div className="banner" role="status">
          <strong>{b.read_only ? "Read-only: writes are paused until the subscription is paid." : "Payment is past due."}</strong>
          {b.grace_ends_at && !b.read_only ? <span>Grace period ends {new Date(b.grace_ends_at).toLocaleString()}.</span> : null}
          {manage ? <Button size="sm" onClick={() => portal.mutate()}>Update payment in the portal</Button> : <span>Ask a billing manager or owner to update the payment method.</span>}
        </div>
      ) : null}
      <section className="card stack" aria-labelledby="plan-h">
        <div className="row-between">
          <h2 id="plan-h">Plan: <span data-testid="billing-plan">{b.plan[0]!.toUpperCase() + b.plan.slice(1)}</span></h2>
          {statusBadge(b)}
        </div>
        <p className="muted">{PLAN_TEXT[b.plan]}</p>
        {b.current_period_end ? <p>Current period ends {new Date(b.current_period_end).toLocaleDateString()}.</p> : null}
        <UsageBar label="Seats" used={b.seats.used} limit={b.seats.limit} />
        <UsageBar label="Projects" used={b.projects.used} limit={b.projects.limit} />
      </section>
      {manage ? (
        <section className="card stack" aria-labelledby="upgrade-h">
          <h2 id="upgrade-h">{subscribed ? "Manage your subscription" : "Upgrade"}</h2>
          {!subscribed ? (
            <form className="stack" onSubmit={(e) => { e.preventDefault(); checkout.mutate(); }}>
              <div className="form-grid">
                <SelectField label="Plan" value={plan} onChange={(e) => setPlan(e.target.value as "team" | "business")}>
                  <option value="team">Team</option>
                  <option value="business">Business</option>
                </SelectField>
                <TextField label="Seats" type="number" min={1} max={10000} value={seats || String(Math.max(b.seats.used, 1))} onChange={(e) => setSeats(e.target.value)} />
              </div>
              <div><Button variant="primary" type="submit" disabled={checkout.isPending}>{checkout.isPending ? "Opening Checkout…" : "Continue to Checkout"}</Button></div>
              <p className="hint">Payment happens on Stripe’s Checkout page; you come back here afterwards.</p>
            </form>
          ) : (
            <p className="muted">Change plan or seats, update the card or download invoices in the Stripe Billing Portal.</p>
          )}
          <div><Button onClick={() => portal.mutate()} disabled={portal.isPending}>{portal.isPending ? "Opening…" : "Open the Billing Portal"}</Button></div>
          {err ? (
            <p className="error-text" role="alert">
              {isApiError(err) && err.kind === "billing-not-configured" ? "Billing is not configured on this server (no Stripe keys)." :
                isApiError(err) && err.kind === "no-billing-account" ? "The portal opens after a first checkout." :
                isApiError(err) && err.kind === "already-subscribed" ? "A subscription is live: change plan or seats in the portal." : describeError(err)}
            </p>
          ) : null}
        </section>
      ) : <p className="muted">Only owners and billing managers change the plan.</p>}
    </div>
  );
}
