import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { storeTicket, type TicketEntry } from "../../api/hooks";
import type { CustomField, Member, Page, Ticket, TicketPatch } from "../../api/types";
import { problemFieldKey } from "../../customFields/fields";
import { useToast } from "../../ui";
import { applyPatch, ticketDiff, type FieldChange } from "./diff";

export interface Conflict {
  patch: TicketPatch;
  mine: Ticket;
  server: Ticket;
  serverEtag: string | null;
  changes: FieldChange[];
}

/**
 * Field edits: optimistic, sent with If-Match from the ETag, one at a time per ticket.
 * A 412 rolls back and opens the conflict view: what changed on the server, and the
 * choice to re-apply the edit on top of it. A 422 naming a custom field
 * (`custom_fields.10001`) is kept in `fieldErrors` by the field's number, to show at
 * the field; other refusals are toasts.
 */
export function useTicketPatch(org: string, key: string) {
  const qc = useQueryClient();
  const toast = useToast();
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const tkey = qk.ticket(org, key);

  const people = () => (qc.getQueryData<Page<Member>>(qk.members(org))?.items ?? []).map((m) => m.user);
  const member = (login: string) => people().find((u) => u.login === login) ?? null;
  const customFields = () => qc.getQueryData<CustomField[]>(qk.customFields(org)) ?? [];

  const mutation = useMutation({
    scope: { id: `ticket:${org}:${key.toUpperCase()}` },
    mutationFn: async ({ patch, etag }: { patch: TicketPatch; etag?: string | null }) => {
      const entry = qc.getQueryData<TicketEntry>(tkey);
      const tag = etag !== undefined ? etag : (entry?.etag ?? (entry ? `"${entry.data.version}"` : null));
      return endpoints.patchTicket(org, key, patch, tag);
    },
    onMutate: async ({ patch }) => {
      const touched = Object.keys(patch.custom_fields ?? {});
      if (touched.length) {
        setFieldErrors((errs) => Object.fromEntries(Object.entries(errs).filter(([k]) => !touched.includes(k))));
      }
      await qc.cancelQueries({ queryKey: tkey });
      const prev = qc.getQueryData<TicketEntry>(tkey);
      if (prev) qc.setQueryData<TicketEntry>(tkey, { ...prev, data: applyPatch(prev.data, patch, member) });
      return { prev };
    },
    onError: async (e, { patch }, ctx) => {
      if (ctx?.prev) qc.setQueryData(tkey, ctx.prev);
      if (isApiError(e) && e.status === 412 && ctx?.prev) {
        try {
          const fresh = await endpoints.ticket(org, key);
          qc.setQueryData<TicketEntry>(tkey, { data: fresh.data, etag: fresh.etag });
          setConflict({
            patch,
            mine: applyPatch(ctx.prev.data, patch, member),
            server: fresh.data,
            serverEtag: fresh.etag,
            changes: ticketDiff(ctx.prev.data, fresh.data, customFields(), people()),
          });
        } catch (e2) {
          toast.error(describeError(e2));
        }
        return;
      }
      const custom = isApiError(e) && e.status === 422 ? problemFieldKey(e.problem.field) : null;
      if (custom) {
        setFieldErrors((errs) => ({ ...errs, [custom]: describeError(e) }));
        return;
      }
      if (!(isApiError(e) && e.status === 402)) toast.error(`Not saved: ${describeError(e)}`);
    },
    onSuccess: ({ data, etag }) => {
      storeTicket(qc, org, data, etag);
      void qc.invalidateQueries({ queryKey: qk.history(org, data.key) });
      void qc.invalidateQueries({ queryKey: qk.searchAll(org), refetchType: "none" });
      void qc.invalidateQueries({ queryKey: qk.board(org, data.project), refetchType: "none" });
    },
  });

  return {
    patch: (patch: TicketPatch) => mutation.mutate({ patch }),
    pending: mutation.isPending,
    conflict,
    fieldErrors,
    reapply: () => {
      if (!conflict) return;
      mutation.mutate({ patch: conflict.patch, etag: conflict.serverEtag });
      setConflict(null);
    },
    discard: () => setConflict(null),
  };
}
