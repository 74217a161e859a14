// The PUT of an upload's bytes to its presigned URL, through XMLHttpRequest: fetch cannot
// report upload progress. The URL carries its own signature: no session header goes
// with it, only the headers the API handed out (the signature covers them).
import { ApiError, type Problem } from "../../api/client";
import type { PendingUpload } from "../../api/types";

// The browser sets these itself (and refuses to let scripts set them).
const BROWSER_HEADERS = /^(content-length|host|connection|origin|referer|cookie)$/i;

function problemOf(status: number, text: string): Problem {
  try {
    const json = JSON.parse(text) as Partial<Problem>;
    if (json && typeof json.type === "string") return { title: "", detail: "", status, ...json } as Problem;
  } catch {
    /* S3 answers XML: fall through */
  }
  return {
    type: `urn:trellis:problem:http-${status}`,
    title: `HTTP ${status}`,
    status,
    detail: status === 403 ? "the storage refused the upload (its link may have expired)" : `the storage answered ${status}`,
  };
}

/** Sends `file` as the upload instructs; resolves when stored, rejects with an ApiError or an AbortError. */
export function putFile(
  upload: PendingUpload["upload"],
  file: Blob,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new DOMException("The upload was cancelled.", "AbortError"));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method || "PUT", upload.url);
    for (const [name, value] of Object.entries(upload.headers ?? {})) {
      if (!BROWSER_HEADERS.test(name)) xhr.setRequestHeader(name, String(value));
    }
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      signal.removeEventListener("abort", abort);
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new ApiError(xhr.status, problemOf(xhr.status, xhr.responseText), null, xhr.getResponseHeader("X-Request-Id")));
    };
    xhr.onerror = () => {
      signal.removeEventListener("abort", abort);
      reject(new Error(`The connection broke while uploading; nothing was attached.`));
    };
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    const abort = () => xhr.abort();
    signal.addEventListener("abort", abort, { once: true });
    xhr.send(file);
  });
}
