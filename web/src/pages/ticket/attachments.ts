// Attachments on the ticket page without React: what an upload is doing (a small state
// machine the hook drives), which files may show a thumbnail, what to declare as their
// type, and what to tell a person when the API or the storage refuses one.
import { describeError, isApiError } from "../../api/client";
import { formatBytes } from "../../lib/format";

/**
 * An upload's steps: ask the API for a URL (`requesting`), PUT the bytes (`uploading`),
 * confirm (`confirming`), then `done`. `failed` and `cancelled` end it early; only
 * `requesting` and `uploading` may be cancelled (a confirm in flight is left to finish).
 */
export type UploadPhase = "requesting" | "uploading" | "confirming" | "done" | "failed" | "cancelled";

export interface UploadFailure {
  message: string;
  /** The plan's storage is full: offer the way to a bigger plan. */
  upgrade: boolean;
}

export interface UploadItem {
  /** Local id (the attachment id arrives with the API's answer). */
  id: string;
  fileName: string;
  size: number;
  phase: UploadPhase;
  /** Bytes sent so far (of `size`). */
  loaded: number;
  attachmentId: string | null;
  error: UploadFailure | null;
}

export type UploadEvent =
  | { type: "add"; id: string; fileName: string; size: number }
  | { type: "created"; id: string; attachmentId: string }
  | { type: "progress"; id: string; loaded: number }
  | { type: "uploaded"; id: string }
  | { type: "confirmed"; id: string }
  | { type: "failed"; id: string; error: UploadFailure }
  | { type: "cancel"; id: string }
  | { type: "dismiss"; id: string };

const FINAL: ReadonlySet<UploadPhase> = new Set(["done", "failed", "cancelled"]);

export function isFinished(item: UploadItem): boolean {
  return FINAL.has(item.phase);
}

export function canCancel(item: UploadItem): boolean {
  return item.phase === "requesting" || item.phase === "uploading";
}

/** Whole percent sent, 0 to 100 (an empty file is complete once it is confirmed). */
export function percent(item: UploadItem): number {
  if (item.phase === "done" || item.phase === "confirming") return 100;
  if (item.size <= 0) return 0;
  return Math.min(100, Math.floor((item.loaded / item.size) * 100));
}

/**
 * The next list of uploads. Events that arrive for an upload that has already ended (a
 * late progress report after a cancel, a failure after a cancel) change nothing, so a
 * cancelled upload never comes back as failed or done.
 */
export function uploadsReducer(items: UploadItem[], ev: UploadEvent): UploadItem[] {
  if (ev.type === "add") {
    if (items.some((x) => x.id === ev.id)) return items;
    return [...items, { id: ev.id, fileName: ev.fileName, size: ev.size, phase: "requesting", loaded: 0, attachmentId: null, error: null }];
  }
  if (ev.type === "dismiss") {
    return items.filter((x) => !(x.id === ev.id && isFinished(x)));
  }
  return items.map((x) => {
    if (x.id !== ev.id || isFinished(x)) return x;
    switch (ev.type) {
      case "created":
        return x.phase === "requesting" ? { ...x, phase: "uploading", attachmentId: ev.attachmentId } : x;
      case "progress":
        return x.phase === "uploading" ? { ...x, loaded: Math.max(x.loaded, Math.min(ev.loaded, x.size)) } : x;
      case "uploaded":
        return x.phase === "uploading" ? { ...x, phase: "confirming", loaded: x.size } : x;
      case "confirmed":
        return x.phase === "confirming" ? { ...x, phase: "done" } : x;
      case "failed":
        return { ...x, phase: "failed", error: ev.error };
      case "cancel":
        return canCancel(x) ? { ...x, phase: "cancelled" } : x;
      default:
        return x;
    }
  });
}

/** What a person reads about an upload in progress. */
export function phaseLabel(item: UploadItem): string {
  switch (item.phase) {
    case "requesting":
      return "Starting…";
    case "uploading":
      return `${formatBytes(item.loaded)} of ${formatBytes(item.size)}`;
    case "confirming":
      return "Checking…";
    case "done":
      return "Attached";
    case "cancelled":
      return "Cancelled";
    case "failed":
      return "Failed";
  }
}

// Raster images a browser decodes as images only, and which the server serves with their
// own type (backend/src/attachments: INERT_TYPES). SVG is left out on purpose: it is a
// document that can carry script, and the server serves it as octet-stream anyway.
const THUMBNAIL_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);
/** Larger images are not fetched for a 40-pixel preview. */
export const THUMBNAIL_MAX_BYTES = 5 * 1024 * 1024;

export function showsThumbnail(contentType: string, size: number): boolean {
  return THUMBNAIL_TYPES.has(contentType.toLowerCase()) && size <= THUMBNAIL_MAX_BYTES;
}

/** A glyph for the file's kind, for rows without a thumbnail. */
export function fileKind(contentType: string, fileName: string): "image" | "pdf" | "text" | "archive" | "media" | "file" {
  const t = contentType.toLowerCase();
  const ext = fileName.toLowerCase().split(".").pop() ?? "";
  if (t.startsWith("image/")) return "image";
  if (t === "application/pdf") return "pdf";
  if (t.startsWith("audio/") || t.startsWith("video/")) return "media";
  if (/zip|tar|gzip|7z|compressed/.test(t) || ["zip", "tar", "gz", "tgz", "7z"].includes(ext)) return "archive";
  if (t.startsWith("text/") || t === "application/json" || ["md", "txt", "csv", "log", "json"].includes(ext)) return "text";
  return "file";
}

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/;

/**
 * The content type to declare for a file: the browser's guess without parameters,
 * lower-cased, when it is a plain `type/subtype`; otherwise (unknown, empty, odd)
 * `application/octet-stream`. The PUT must send exactly this type.
 */
export function declaredContentType(browserType: string): string {
  const t = browserType.split(";")[0]!.trim().toLowerCase();
  return MIME.test(t) && t.length <= 127 ? t : "application/octet-stream";
}

/** A problem document's number member, if it is one. */
function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** A sentence for an upload the API or the storage refused, naming the file. */
export function describeUploadError(e: unknown, file: { name: string; size: number }): UploadFailure {
  const plain = (message: string): UploadFailure => ({ message, upgrade: false });
  if (!isApiError(e)) {
    return plain(e instanceof Error && e.message ? e.message : `${file.name} could not be uploaded.`);
  }
  const p = e.problem;
  if (e.status === 422 && p.field === "size") {
    const max = num(p.max_size);
    return plain(max !== null
      ? `${file.name} is ${formatBytes(file.size)}; the largest file allowed is ${formatBytes(max)}.`
      : `${file.name} is too large: ${p.detail}`);
  }
  if (e.status === 413) {
    const max = num(p.limit);
    return plain(`${file.name} is too large${max !== null ? `; the largest file allowed is ${formatBytes(max)}` : ""}.`);
  }
  if (e.status === 402 && e.kind === "plan-limit") {
    const limit = num(p.limit);
    const usage = num(p.usage);
    const used = limit !== null && usage !== null ? ` (${formatBytes(usage)} of ${formatBytes(limit)} used)` : "";
    return {
      message: `Not enough attachment storage left on the ${p.plan ?? "current"} plan for ${file.name}${used}.`,
      upgrade: true,
    };
  }
  if (e.kind === "upload-mismatch") return plain(`${file.name} arrived different from what was sent (size or type), so it was discarded. Try again.`);
  if (e.kind === "upload-expired" || e.kind === "url-expired") return plain(`The upload of ${file.name} took too long and its link expired. Try again.`);
  if (e.kind === "upload-missing") return plain(`${file.name} did not reach the storage. Try again.`);
  if (e.status === 422 && p.field === "file_name") return plain(`The name “${file.name}” cannot be used: ${p.detail}`);
  return plain(`${file.name}: ${describeError(e)}`);
}
