import { useRef, useState, type DragEvent, type ReactNode } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/client";
import { endpoints, qk } from "../../api/endpoints";
import { can, type Attachment, type Page, type Role } from "../../api/types";
import { formatBytes, fullTime, relativeTime } from "../../lib/format";
import { Button, Dialog, SkeletonRows, useToast } from "../../ui";
import { canCancel, fileKind, percent, phaseLabel, showsThumbnail, type UploadItem } from "./attachments";
import type { Uploads } from "./useUploads";

/** Every confirmed attachment of the ticket, oldest first (each page of the cursor list). */
export function attachmentsQuery(org: string, ticketKey: string) {
  return {
    queryKey: qk.attachments(org, ticketKey),
    queryFn: async (): Promise<Page<Attachment>> => {
      const items: Attachment[] = [];
      let cursor: string | null | undefined = null;
      do {
        const page = await endpoints.attachments(org, ticketKey, cursor);
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return { items, next_cursor: null };
    },
    staleTime: 15_000,
  };
}

/** The ticket's files: attach (button or drop), watch uploads progress, download, delete. */
export function Attachments({ org, ticketKey, canEdit, role, uploads }: {
  org: string;
  ticketKey: string;
  canEdit: boolean;
  role: Role | undefined;
  uploads: Uploads;
}) {
  const qc = useQueryClient();
  const toast = useToast();
  const input = useRef<HTMLInputElement>(null);
  const list = useQuery(attachmentsQuery(org, ticketKey));
  const [deleting, setDeleting] = useState<Attachment | null>(null);
  const del = useMutation({
    mutationFn: (a: Attachment) => endpoints.deleteAttachment(org, ticketKey, a.id),
    onSuccess: (_r, a) => {
      qc.setQueryData<Page<Attachment>>(qk.attachments(org, ticketKey), (p) => p && { ...p, items: p.items.filter((x) => x.id !== a.id) });
      void qc.invalidateQueries({ queryKey: qk.history(org, ticketKey) });
      setDeleting(null);
      toast.success(`${a.file_name} deleted.`);
    },
    onError: (e) => {
      setDeleting(null);
      toast.error(isApiError(e) && e.status === 404 ? "That file was already deleted." : describeError(e));
      void qc.invalidateQueries({ queryKey: qk.attachments(org, ticketKey) });
    },
  });
  const items = list.data?.items ?? [];

  /** Checks the file is still there (the route answers 302), then lets the browser download it. */
  const download = async (a: Attachment, href: string) => {
    const res = await fetch(href, { redirect: "manual", credentials: "include" }).catch(() => null);
    if (res && (res.type === "opaqueredirect" || res.ok)) {
      window.location.assign(href);
      return;
    }
    toast.error(res?.status === 404 ? `${a.file_name} is no longer attached.` : `${a.file_name} could not be downloaded right now. Try again.`);
    void qc.invalidateQueries({ queryKey: qk.attachments(org, ticketKey) });
  };

  return (
    <section className="ticket-attachments" aria-label="Attachments" data-testid="attachments">
      <div className="row-between">
        <h2 className="section-title">Attachments {items.length ? <span className="badge">{items.length}</span> : null}</h2>
        {canEdit ? (
          <>
            <input ref={input} type="file" multiple hidden data-testid="attach-input"
              onChange={(e) => {
                if (e.target.files?.length) uploads.start(Array.from(e.target.files));
                e.target.value = "";
              }} />
            <Button size="sm" variant="ghost" onClick={() => input.current?.click()}>Attach files</Button>
          </>
        ) : null}
      </div>
      {uploads.items.length ? (
        <ul className="upload-list" aria-label="Uploads">
          {uploads.items.map((u) => <UploadRow key={u.id} org={org} role={role} item={u} uploads={uploads} />)}
        </ul>
      ) : null}
      {list.isError ? <p className="error-text" role="alert">{describeError(list.error)}</p> : null}
      {!list.data && !list.isError ? <SkeletonRows rows={1} label="Loading attachments" /> : null}
      {list.data && !items.length && !uploads.items.length ? (
        <p className="muted">{canEdit ? <>No files yet. Attach some, or drop them on this ticket.</> : "No files."}</p>
      ) : null}
      {items.length ? (
        <ul className="attachment-list" aria-label="Attached files">
          {items.map((a) => {
            const href = endpoints.attachmentDownloadPath(org, ticketKey, a.id);
            return (
              <li key={a.id} className="attachment-row" data-testid={`attachment-${a.file_name}`}>
                <FileThumb attachment={a} href={href} />
                <div className="attachment-meta">
                  <a href={href} className="attachment-name" title={`Download ${a.file_name}`}
                    onClick={(e) => { e.preventDefault(); void download(a, href); }}>{a.file_name}</a>
                  <span className="attachment-sub">
                    <span>{formatBytes(a.size)}</span>
                    <span aria-hidden="true">·</span>
                    <span>{a.uploaded_by.name}</span>
                    <span aria-hidden="true">·</span>
                    <time dateTime={a.confirmed_at ?? a.created_at} title={fullTime(a.confirmed_at ?? a.created_at)}>{relativeTime(a.confirmed_at ?? a.created_at)}</time>
                  </span>
                </div>
                {canEdit ? (
                  <Button size="sm" variant="ghost" className="attachment-delete" aria-label={`Delete ${a.file_name}`} onClick={() => setDeleting(a)}>
                    Delete
                  </Button>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      <Dialog open={deleting !== null} onClose={() => setDeleting(null)} title={`Delete ${deleting?.file_name ?? "file"}?`}
        footer={<>
          <Button onClick={() => setDeleting(null)}>Cancel</Button>
          <Button variant="danger" disabled={del.isPending} onClick={() => deleting && del.mutate(deleting)}>Delete file</Button>
        </>}>
        <p>The file is removed for everyone at once. The ticket’s history keeps its name.</p>
      </Dialog>
    </section>
  );
}

function UploadRow({ org, role, item: u, uploads }: { org: string; role: Role | undefined; item: UploadItem; uploads: Uploads }) {
  const pct = percent(u);
  return (
    <li className="upload-row" data-phase={u.phase}>
      <div className="upload-line">
        <span className="truncate upload-name">{u.fileName}</span>
        <span className="muted upload-state">{phaseLabel(u)}</span>
        {canCancel(u) ? (
          <Button size="sm" variant="ghost" aria-label={`Cancel the upload of ${u.fileName}`} onClick={() => uploads.cancel(u.id)}>Cancel</Button>
        ) : null}
        {u.phase === "failed" || u.phase === "cancelled" ? (
          <Button size="sm" variant="ghost" aria-label={`Dismiss ${u.fileName}`} onClick={() => uploads.dismiss(u.id)}>Dismiss</Button>
        ) : null}
      </div>
      {u.phase === "requesting" || u.phase === "uploading" || u.phase === "confirming" ? (
        <div className="upload-bar" role="progressbar" aria-label={`Uploading ${u.fileName}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}
          aria-valuetext={`${pct}%`}>
          <span style={{ width: `${pct}%` }} />
        </div>
      ) : null}
      {u.error ? (
        <p className="error-text" role="alert" data-testid="upload-error">
          {u.error.message}
          {u.error.upgrade ? (
            can(role, "billing.read")
              ? <> <Link to={`/${org}/billing`}>See plans and upgrade</Link></>
              : " Ask an owner or a billing manager of this organization to upgrade."
          ) : null}
        </p>
      ) : null}
    </li>
  );
}

/** A preview for raster images the server serves as images; a labelled tile for everything else. */
function FileThumb({ attachment: a, href }: { attachment: Attachment; href: string }) {
  const [broken, setBroken] = useState(false);
  if (showsThumbnail(a.content_type, a.size) && !broken) {
    return <img className="file-thumb" src={href} alt="" width={40} height={40} loading="lazy" decoding="async" onError={() => setBroken(true)} />;
  }
  const ext = (a.file_name.includes(".") ? a.file_name.split(".").pop() ?? "" : "").slice(0, 4).toUpperCase();
  return <span className={`file-icon file-icon-${fileKind(a.content_type, a.file_name)}`} aria-hidden="true">{ext || "FILE"}</span>;
}

/** Whether a drag carries files (not text or a card being dragged). */
function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes("Files");
}

/**
 * Makes its children a drop target for files: a veil says where they go while files are
 * dragged over, and a drop starts their uploads. Inert for people who may not attach.
 */
export function FileDropZone({ enabled, ticketKey, onFiles, children, className }: {
  enabled: boolean;
  ticketKey: string;
  onFiles: (files: File[]) => void;
  children: ReactNode;
  className?: string;
}) {
  const depth = useRef(0);
  const [over, setOver] = useState(false);
  if (!enabled) return <div className={className}>{children}</div>;
  return (
    <div className={className} data-file-over={over || undefined}
      onDragEnter={(e) => { if (!hasFiles(e)) return; e.preventDefault(); depth.current++; setOver(true); }}
      onDragOver={(e) => { if (!hasFiles(e)) return; e.preventDefault(); e.dataTransfer.dropEffect = "copy"; }}
      onDragLeave={(e) => { if (!hasFiles(e)) return; depth.current = Math.max(0, depth.current - 1); if (depth.current === 0) setOver(false); }}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        const files = Array.from(e.dataTransfer.files);
        if (files.length) onFiles(files);
      }}>
      {children}
      {over ? <div className="file-drop-veil" aria-hidden="true"><span>Drop files to attach them to {ticketKey}</span></div> : null}
    </div>
  );
}
