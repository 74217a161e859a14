import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import { ErrorBoundary } from "./ErrorBoundary";

function Boom({ message }: { message: string }): never {
  throw new Error(message);
}

describe("ErrorBoundary", () => {
  it("shows a reload instead of a blank page", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    render(<ErrorBoundary><Boom message="x is undefined" /></ErrorBoundary>);
    expect(screen.getByRole("heading").textContent).toBe("This screen failed to load");
    expect(screen.getByRole("button", { name: "Reload" })).toBeInTheDocument();
    spy.mockRestore();
  });
  it("says the app was updated when a route chunk is gone", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    render(<ErrorBoundary><Boom message="Failed to fetch dynamically imported module: /assets/BoardPage-x.js" /></ErrorBoundary>);
    expect(screen.getByRole("heading").textContent).toBe("Trellis was updated");
    spy.mockRestore();
  });
});
