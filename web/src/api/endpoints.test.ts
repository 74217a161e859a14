import { describe, expect, it } from "vitest";
import { exportUrl, timeZoneOffset } from "./endpoints";

describe("exportUrl", () => {
  it("carries the query, the format and the caller's time zone", () => {
    const date = new Date("2026-12-04T12:00:00Z");
    const url = new URL(exportUrl("acme co", { jql: 'project = WEB AND summary ~ "a&b"', format: "csv" }, date), "http://x");
    expect(url.pathname).toBe("/api/v1/orgs/acme%20co/export");
    expect(url.searchParams.get("jql")).toBe('project = WEB AND summary ~ "a&b"');
    expect(url.searchParams.get("format")).toBe("csv");
    expect(url.searchParams.get("timeZone")).toBe(timeZoneOffset(date));
    expect(url.searchParams.has("bom")).toBe(false);
    expect(url.searchParams.has("columns")).toBe(false);
  });

  it("asks for a byte order mark and columns only when wanted", () => {
    const url = new URL(exportUrl("acme", { jql: "", format: "csv", bom: true, columns: ["key", "summary"] }), "http://x");
    expect(url.searchParams.get("bom")).toBe("true");
    expect(url.searchParams.get("columns")).toBe("key,summary");
    expect(url.searchParams.get("jql")).toBe("");
  });
});
