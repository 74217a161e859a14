import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { ApiError } from "../api/client";
import { ErrorState } from "./ErrorState";

const err = (status: number, kind: string, retryAfter: number | null = null) =>
  new ApiError(status, { type: `urn:trellis:problem:${kind}`, title: kind, status, detail: "d", request_id: "rid-42" }, retryAfter, null);

function show(e: unknown) {
  render(<MemoryRouter><ErrorState error={e} what="the board" retry={() => {}} /></MemoryRouter>);
}

describe("ErrorState", () => {
  it("429 says when to retry", () => {
    show(err(429, "rate-limited", 12));
    expect(screen.getByRole("alert").textContent).toContain("12 seconds");
  });
  it("5xx shows the request id", () => {
    show(err(503, "unavailable"));
    expect(screen.getByTestId("request-id").textContent).toBe("rid-42");
  });
  it("403 and 404 read as access and not-found", () => {
    show(err(403, "forbidden"));
    expect(screen.getByRole("heading").textContent).toContain("don’t have access to the board");
  });
  it("404", () => {
    show(err(404, "not-found"));
    expect(screen.getByRole("heading", { name: "Not found" })).toBeInTheDocument();
  });
});
