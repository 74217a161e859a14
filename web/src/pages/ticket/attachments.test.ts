import { describe, expect, test } from "vitest";
import { ApiError } from "../../api/client";
import {
  canCancel, declaredContentType, describeUploadError, percent, phaseLabel, showsThumbnail, uploadsReducer,
  type UploadEvent, type UploadItem,
} from "./attachments";

const run = (events: UploadEvent[], start: UploadItem[] = []) => events.reduce(uploadsReducer, start);
const add: UploadEvent = { type: "add", id: "u1", fileName: "plan.pdf", size: 1000 };

describe("the upload state machine", () => {
  test("a good upload goes requesting → uploading → confirming → done", () => {
    let s = run([add]);
    expect(s[0]).toMatchObject({ phase: "requesting", loaded: 0, attachmentId: null });
    expect(canCancel(s[0]!)).toBe(true);
    s = run([{ type: "created", id: "u1", attachmentId: "a1" }, { type: "progress", id: "u1", loaded: 400 }], s);
    expect(s[0]).toMatchObject({ phase: "uploading", loaded: 400, attachmentId: "a1" });
    expect(percent(s[0]!)).toBe(40);
    expect(phaseLabel(s[0]!)).toBe("400 B of 1000 B");
    s = run([{ type: "uploaded", id: "u1" }], s);
    expect(s[0]).toMatchObject({ phase: "confirming", loaded: 1000 });
    expect(canCancel(s[0]!)).toBe(false);
    s = run([{ type: "confirmed", id: "u1" }], s);
    expect(s[0]!.phase).toBe("done");
    expect(percent(s[0]!)).toBe(100);
  });

  test("progress never goes backwards nor past the size", () => {
    const s = run([add, { type: "created", id: "u1", attachmentId: "a1" }, { type: "progress", id: "u1", loaded: 700 },
      { type: "progress", id: "u1", loaded: 300 }]);
    expect(s[0]!.loaded).toBe(700);
    expect(run([{ type: "progress", id: "u1", loaded: 5000 }], s)[0]!.loaded).toBe(1000);
  });

  test("progress before the URL arrives is ignored", () => {
    expect(run([add, { type: "progress", id: "u1", loaded: 500 }])[0]!.loaded).toBe(0);
  });

  test("a cancelled upload stays cancelled: late progress, failure or confirmation change nothing", () => {
    const s = run([add, { type: "created", id: "u1", attachmentId: "a1" }, { type: "cancel", id: "u1" },
      { type: "progress", id: "u1", loaded: 900 },
      { type: "failed", id: "u1", error: { message: "aborted", upgrade: false } },
      { type: "uploaded", id: "u1" }, { type: "confirmed", id: "u1" }]);
    expect(s[0]).toMatchObject({ phase: "cancelled", error: null });
  });

  test("a confirmation in flight cannot be cancelled", () => {
    const s = run([add, { type: "created", id: "u1", attachmentId: "a1" }, { type: "uploaded", id: "u1" }, { type: "cancel", id: "u1" }]);
    expect(s[0]!.phase).toBe("confirming");
  });

  test("a failure keeps its message; only ended uploads can be dismissed", () => {
    let s = run([add, { type: "add", id: "u2", fileName: "b.txt", size: 3 }]);
    s = run([{ type: "failed", id: "u1", error: { message: "too large", upgrade: false } }, { type: "dismiss", id: "u2" }], s);
    expect(s.map((x) => x.phase)).toEqual(["failed", "requesting"]);
    expect(s[0]!.error?.message).toBe("too large");
    expect(run([{ type: "dismiss", id: "u1" }], s).map((x) => x.id)).toEqual(["u2"]);
  });

  test("events for another upload leave this one alone; adding the same id twice adds it once", () => {
    const s = run([add, add, { type: "created", id: "other", attachmentId: "x" }]);
    expect(s).toHaveLength(1);
    expect(s[0]!.phase).toBe("requesting");
  });

  test("an empty file reports 0% until confirmed", () => {
    const s = run([{ type: "add", id: "e", fileName: "empty.txt", size: 0 }, { type: "created", id: "e", attachmentId: "a" }]);
    expect(percent(s[0]!)).toBe(0);
  });
});

describe("thumbnails", () => {
  test("only raster images the server serves as images, and not huge ones", () => {
    expect(showsThumbnail("image/png", 10_000)).toBe(true);
    expect(showsThumbnail("image/JPEG", 10_000)).toBe(true);
    expect(showsThumbnail("image/webp", 10_000)).toBe(true);
    expect(showsThumbnail("image/svg+xml", 100)).toBe(false);
    expect(showsThumbnail("text/html", 100)).toBe(false);
    expect(showsThumbnail("application/octet-stream", 100)).toBe(false);
    expect(showsThumbnail("image/png", 50 * 1024 * 1024)).toBe(false);
  });
});

describe("the declared content type", () => {
  test("the browser's type, lower-cased, without parameters", () => {
    expect(declaredContentType("image/PNG")).toBe("image/png");
    expect(declaredContentType("text/plain;charset=utf-8")).toBe("text/plain");
    expect(declaredContentType("application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
      .toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  });
  test("unknown or odd types are octet-stream", () => {
    expect(declaredContentType("")).toBe("application/octet-stream");
    expect(declaredContentType("weird")).toBe("application/octet-stream");
    expect(declaredContentType("a b/c")).toBe("application/octet-stream");
  });
});

const problem = (status: number, kind: string, extra: Record<string, unknown> = {}) =>
  new ApiError(status, { type: `urn:trellis:problem:${kind}`, title: kind, status, detail: `${kind} detail`, ...extra }, null, null);

describe("upload errors", () => {
  const file = { name: "big.bin", size: 3 * 1024 * 1024 };
  test("the per-file limit names the file, its size and the limit", () => {
    expect(describeUploadError(problem(422, "validation", { field: "size", max_size: 2 * 1024 * 1024 }), file))
      .toEqual({ message: "big.bin is 3 MB; the largest file allowed is 2 MB.", upgrade: false });
    expect(describeUploadError(problem(413, "payload-too-large", { limit: 1048576 }), file).message)
      .toBe("big.bin is too large; the largest file allowed is 1 MB.");
  });
  test("the plan's storage offers an upgrade", () => {
    const e = describeUploadError(problem(402, "plan-limit", { limit_kind: "storage", plan: "free", limit: 1024 ** 3, usage: 1024 ** 3 - 10 }), file);
    expect(e.upgrade).toBe(true);
    expect(e.message).toBe("Not enough attachment storage left on the free plan for big.bin (1 GB of 1 GB used).");
  });
  test("storage answers and network failures read as sentences", () => {
    expect(describeUploadError(problem(409, "upload-mismatch"), file).message).toMatch(/discarded/);
    expect(describeUploadError(problem(403, "url-expired"), file).message).toMatch(/expired/);
    expect(describeUploadError(new Error("The connection broke"), file).message).toBe("The connection broke");
    expect(describeUploadError(problem(404, "not-found"), file).message).toBe("big.bin: not-found detail");
  });
});
