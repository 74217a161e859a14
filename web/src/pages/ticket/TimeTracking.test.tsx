import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { json, mockFetch, problem } from "../../test/fetchMock";
import { baseTicket } from "../../test/fixtures";
import { makeWrapper } from "../../test/wrapper";
import { TimeTrackingSummary, WorklogDialog } from "./TimeTracking";

afterEach(() => vi.unstubAllGlobals());

const ticket = { ...baseTicket, original_estimate: 480, remaining_estimate: 270, time_spent: 210 };
const worklog = {
  id: "w1", minutes: 60, comment: "", started_at: "2026-12-04T09:00:00Z", version: 1,
  created_at: "2026-12-04T09:00:00Z", updated_at: "2026-12-04T09:00:00Z", author: { id: "u1", login: "alice", name: "Alice" },
};

function renderDialog(onClose = vi.fn()) {
  const { Wrapper } = makeWrapper();
  render(<WorklogDialog org="acme" ticket={ticket} onClose={onClose} />, { wrapper: Wrapper });
  return onClose;
}
const submit = () => fireEvent.click(screen.getByRole("button", { name: "Log time" }));
const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe("TimeTrackingSummary", () => {
  it("says logged and remaining of the estimate, and offers Log time only to those who may", () => {
    const { Wrapper } = makeWrapper();
    const { rerender } = render(<TimeTrackingSummary org="acme" ticket={ticket} canLog />, { wrapper: Wrapper });
    const bar = screen.getByRole("progressbar", { name: "Time logged" });
    expect(bar.getAttribute("aria-valuetext")).toBe("3h 30m logged, 4h 30m remaining of 1d estimate");
    expect(screen.getByRole("button", { name: "Log time" })).toBeInTheDocument();
    rerender(<TimeTrackingSummary org="acme" ticket={ticket} canLog={false} />);
    expect(screen.queryByRole("button", { name: "Log time" })).toBeNull();
  });
});

describe("WorklogDialog", () => {
  it("refuses an unreadable duration at the field, sending nothing", () => {
    const { calls } = mockFetch(() => json(201, worklog));
    renderDialog();
    type("Time spent", "soon");
    submit();
    expect(screen.getByLabelText("Time spent")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText(/“soon” is not a duration/)).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  it("retries a submission after a network error with the same Idempotency-Key; a changed form gets a new one", async () => {
    const { calls } = mockFetch(
      () => Promise.reject(new TypeError("Failed to fetch")),
      () => Promise.reject(new TypeError("Failed to fetch")),
      () => json(201, worklog),
    );
    const onClose = renderDialog();
    type("Time spent", "1h");
    submit();
    await screen.findByTestId("worklog-error");
    submit();
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[0]!.headers["idempotency-key"]).toBeTruthy();
    expect(calls[1]!.headers["idempotency-key"]).toBe(calls[0]!.headers["idempotency-key"]);
    expect(calls[0]!.body).toMatchObject({ minutes: 60, adjust_estimate: "auto", comment: "" });

    type("Time spent", "2h");
    await waitFor(() => expect(screen.getByRole("button", { name: "Log time" })).not.toBeDisabled());
    submit();
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls[2]!.headers["idempotency-key"]).not.toBe(calls[0]!.headers["idempotency-key"]);
    expect(calls[2]!.body).toMatchObject({ minutes: 120 });
  });

  it("shows the API's 422 at the field it names", async () => {
    mockFetch(() => problem(422, "validation", { field: "minutes", detail: "minutes must be 1 to 10080" }));
    renderDialog();
    type("Time spent", "22d");
    submit();
    expect(await screen.findByText("minutes must be 1 to 10080")).toBeInTheDocument();
    expect(screen.getByLabelText("Time spent")).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByTestId("worklog-error")).toBeNull();
  });

  it("sends a new remaining estimate only with “Set to”, and previews the automatic one", async () => {
    const { calls } = mockFetch(() => json(201, worklog));
    renderDialog();
    type("Time spent", "30m");
    expect(screen.getByTestId("remaining-preview").textContent).toBe("Remaining: 4h 30m → 4h");
    fireEvent.click(screen.getByLabelText("Set to"));
    type("New remaining estimate", "0m");
    submit();
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.body).toMatchObject({ minutes: 30, adjust_estimate: "new", new_estimate: 0 });
  });
});
