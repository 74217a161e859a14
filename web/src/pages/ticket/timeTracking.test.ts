import { describe, expect, test } from "vitest";
import { fromLocalInput, remainingAfter, timeSummary, toLocalInput } from "./timeTracking";

describe("timeSummary", () => {
  test("logged and remaining of the original estimate", () => {
    const s = timeSummary({ original_estimate: 480, time_spent: 210, remaining_estimate: 270 });
    expect(s.text).toBe("3h 30m logged, 4h 30m remaining of 1d estimate");
    expect(s.loggedPercent).toBe(43.8);
    expect(s.over).toBe(0);
  });
  test("nothing logged and no estimate", () => {
    const s = timeSummary({ original_estimate: null, time_spent: 0, remaining_estimate: null });
    expect(s.text).toBe("0m logged, no remaining estimate");
    expect(s.loggedPercent).toBe(0);
  });
  test("more logged than estimated is the overrun", () => {
    const s = timeSummary({ original_estimate: 60, time_spent: 90, remaining_estimate: 0 });
    expect(s.text).toBe("1h 30m logged, 0m remaining of 1h estimate");
    expect(s.loggedPercent).toBe(100);
    expect(s.over).toBe(30);
  });
});

describe("remainingAfter", () => {
  const t = { original_estimate: 480, time_spent: 0, remaining_estimate: 300 };
  test("auto subtracts, never below zero", () => {
    expect(remainingAfter(t, 90, "auto")).toBe(210);
    expect(remainingAfter(t, 900, "auto")).toBe(0);
  });
  test("auto starts from the original estimate without a remaining one, and keeps none without either", () => {
    expect(remainingAfter({ ...t, remaining_estimate: null }, 60, "auto")).toBe(420);
    expect(remainingAfter({ time_spent: 0 }, 60, "auto")).toBeNull();
  });
  test("new sets it, leave keeps it", () => {
    expect(remainingAfter(t, 90, "new", 120)).toBe(120);
    expect(remainingAfter(t, 90, "leave")).toBe(300);
  });
});

describe("datetime-local values", () => {
  test("round-trip through the browser's zone", () => {
    const d = new Date(2026, 11, 4, 9, 5);
    expect(toLocalInput(d)).toBe("2026-12-04T09:05");
    expect(fromLocalInput("2026-12-04T09:05")).toBe(d.toISOString());
  });
  test("refuse what is not one", () => {
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("yesterday")).toBeNull();
  });
});
