import { useCallback, useEffect, useReducer, useRef } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import type { Attachment, Page } from "../../api/types";
import { useAppUi } from "../../app/ui-context";
import { useToast } from "../../ui";
import { declaredContentType, describeUploadError, uploadsReducer, type UploadItem } from "./attachments";
import { putFile } from "./uploadFile";

let counter = 0;
const localId = () => `upload-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export interface Uploads {
  items: UploadItem[];
  start: (files: Iterable<File>) => void;
  cancel: (id: string) => void;
  dismiss: (id: string) => void;
}

/**
 * Uploads to one ticket: request a URL, PUT the bytes with progress, confirm. An upload
 * that fails or is cancelled after the API counted it is deleted again (its storage is
 * given back), so nothing half-uploaded shows up in the list. Leaving the page cancels
 * what is still in flight.
 */
export function useUploads(org: string, ticketKey: string): Uploads {
  const qc = useQueryClient();
  const ui = useAppUi();
  const toast = useToast();
  const [items, dispatch] = useReducer(uploadsReducer, []);
  const controllers = useRef(new Map<string, AbortController>());

  useEffect(() => {
    const live = controllers.current;
    return () => {
      for (const c of live.values()) c.abort();
      live.clear();
    };
  }, []);

  const run = useCallback(async (id: string, file: File) => {
    const ctrl = new AbortController();
    controllers.current.set(id, ctrl);
    let attachmentId: string | null = null;
    try {
      const pending = await endpoints.createUpload(org, ticketKey, {
        file_name: file.name,
        size: file.size,
        content_type: declaredContentType(file.type),
      });
      attachmentId = pending.attachment.id;
      dispatch({ type: "created", id, attachmentId });
      await putFile(pending.upload, file, (loaded) => dispatch({ type: "progress", id, loaded }), ctrl.signal);
      dispatch({ type: "uploaded", id });
      controllers.current.delete(id);
      const confirmed = await endpoints.confirmUpload(org, ticketKey, attachmentId);
      qc.setQueryData<Page<Attachment>>(qk.attachments(org, ticketKey), (page) =>
        page && !page.items.some((a) => a.id === confirmed.id) ? { ...page, items: [...page.items, confirmed] } : page,
      );
      dispatch({ type: "confirmed", id });
      // The file is in the list now; its upload row has done its job.
      dispatch({ type: "dismiss", id });
      toast.success(`${confirmed.file_name} attached.`);
      void qc.invalidateQueries({ queryKey: qk.attachments(org, ticketKey) });
      void qc.invalidateQueries({ queryKey: qk.history(org, ticketKey) });
    } catch (e) {
      const cancelled = ctrl.signal.aborted;
      if (!cancelled) {
        dispatch({ type: "failed", id, error: describeUploadError(e, file) });
        if (isApiError(e) && e.kind === "read-only") ui.paymentRequired(e.problem);
      }
      // Counted but never confirmed: cancel it so it neither lingers nor holds storage.
      if (attachmentId) void endpoints.deleteAttachment(org, ticketKey, attachmentId).catch(() => undefined);
    } finally {
      controllers.current.delete(id);
    }
  }, [org, ticketKey, qc, ui, toast]);

  const start = useCallback((files: Iterable<File>) => {
    for (const file of files) {
      const id = localId();
      dispatch({ type: "add", id, fileName: file.name, size: file.size });
      void run(id, file);
    }
  }, [run]);

  const cancel = useCallback((id: string) => {
    const c = controllers.current.get(id);
    dispatch({ type: "cancel", id });
    c?.abort();
  }, []);

  const dismiss = useCallback((id: string) => dispatch({ type: "dismiss", id }), []);

  return { items, start, cancel, dismiss };
}
