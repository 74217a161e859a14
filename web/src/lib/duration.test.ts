import { describe, expect, test } from "vitest";
import { formatDuration, parseDuration, readDuration } from "./duration";

describe("parseDuration", () => {
  test("reads days, hours and minutes with 8-hour days and 5-day weeks", () => {
    expect(parseDuration("1d 4h")).toBe(12 * 60);
    expect(parseDuration("2h30m")).toBe(150);
    expect(parseDuration(" 90m ")).toBe(90);
    expect(parseDuration("1w")).toBe(40 * 60);
    expect(parseDuration("1W 1D")).toBe(48 * 60);
    expect(parseDuration("0.5d")).toBe(240);
  });
  test("a bare number is hours", () => {
    expect(parseDuration("3")).toBe(180);
    expect(parseDuration("1.5")).toBe(90);
  });
  test("refuses what it cannot read", () => {
    expect(parseDuration("")).toBeNull();
    expect(parseDuration("soon")).toBeNull();
    expect(parseDuration("4x")).toBeNull();
    expect(parseDuration("1d 2d")).toBeNull();
    expect(parseDuration("1d banana")).toBeNull();
  });
});

describe("formatDuration", () => {
  test("writes minutes as days, hours and minutes", () => {
    expect(formatDuration(720)).toBe("1d 4h");
    expect(formatDuration(150)).toBe("2h 30m");
    expect(formatDuration(480)).toBe("1d");
    expect(formatDuration(2400)).toBe("5d");
    expect(formatDuration(1)).toBe("1m");
    expect(formatDuration(0)).toBe("0m");
  });
  test("round-trips", () => {
    for (const m of [1, 59, 60, 61, 479, 480, 481, 12345]) expect(parseDuration(formatDuration(m))).toBe(m);
  });
});

describe("readDuration", () => {
  test("reads what parseDuration reads", () => {
    expect(readDuration("2h 30m")).toEqual({ ok: true, minutes: 150 });
    expect(readDuration("1d")).toEqual({ ok: true, minutes: 480 });
    expect(readDuration("90m")).toEqual({ ok: true, minutes: 90 });
    expect(readDuration("1w 1d 2h 30m")).toEqual({ ok: true, minutes: 2400 + 480 + 150 });
  });
  test("says why it refuses", () => {
    expect(readDuration("")).toEqual({ ok: false, message: "Enter a duration, like 2h 30m, 1d or 90m." });
    const bad = readDuration("two hours");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toContain("“two hours” is not a duration");
    expect(readDuration("0m")).toEqual({ ok: false, message: "At least 1 minute." });
    expect(readDuration("0m", { min: 0 })).toEqual({ ok: true, minutes: 0 });
    expect(readDuration("3d", { max: 960 })).toEqual({ ok: false, message: "At most 2d." });
  });
  test("minutes come back Jira-style", () => {
    expect(formatDuration(480 + 150)).toBe("1d 2h 30m");
  });
});
