import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { can, type Role } from "../../api/types";
import { ErrorState } from "../../app/ErrorState";
import { fullTime } from "../../lib/format";
import { Button, SkeletonRows, TextField, useToast } from "../../ui";

export function GeneralTab({ org, role }: { org: string; role: Role | undefined }) {
  const qc = useQueryClient();
  const toast = useToast();
  const current = useQuery({ queryKey: qk.org(org), queryFn: () => endpoints.org(org) });
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { if (current.data) setName(current.data.data.name); }, [current.data]);
  const save = useMutation({
    mutationFn: () => endpoints.updateOrg(org, { name: name.trim() }, current.data?.etag ?? null),
    onSuccess: () => {
      setError(null);
      toast.success("Organization renamed.");
      void qc.invalidateQueries({ queryKey: qk.org(org) });
      void qc.invalidateQueries({ queryKey: qk.me });
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 412) {
        setError("Someone else changed the organization meanwhile; the current name is shown. Try again.");
        void qc.invalidateQueries({ queryKey: qk.org(org) });
      } else setError(describeError(e));
    },
  });
  if (current.isError) return <ErrorState error={current.error} what="the organization" />;
  if (!current.data) return <SkeletonRows rows={2} label="Loading the organization" />;
  const o = current.data.data;
  return (
    <section aria-label="General" className="stack page-narrow">
      <form className="card stack" onSubmit={(e) => { e.preventDefault(); if (name.trim()) save.mutate(); else setError("A name is required."); }}>
        <TextField label="Organization name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200}
          disabled={!can(role, "org.update")} error={error ?? undefined} />
        <p className="hint">URL name <code>{o.slug}</code> (permanent) · created {fullTime(o.created_at)}</p>
        <div><Button type="submit" variant="primary" disabled={save.isPending || name.trim() === o.name}>Save</Button></div>
      </form>
    </section>
  );
}
