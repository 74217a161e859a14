// The ticket's time tracking as Jira shows it: original estimate, time logged, time
// remaining, and what a worklog will do to the remaining estimate (docs/API.md
// "Time tracking (worklogs)"). Pure, so the page and its tests share one reading.
import type { AdjustEstimate } from "../../api/types";
import { formatDuration } from "../../lib/duration";

/** `minutes` of a worklog: 1 to 10,080 (a calendar week), as the API takes them. */
export const MAX_WORKLOG_MINUTES = 10_080;

export interface TimeFields {
  original_estimate?: number | null;
  remaining_estimate?: number | null;
  time_spent: number;
}

export interface TimeSummary {
  original: number | null;
  spent: number;
  remaining: number | null;
  /** Width of the logged part of the bar, 0 to 100 (logged of logged + remaining). */
  loggedPercent: number;
  /** Minutes logged and remaining beyond the original estimate (0 when within it or without one). */
  over: number;
  /** One sentence for the bar's accessible text: "3h 30m logged, 4h 30m remaining of 1d estimate". */
  text: string;
}

export function timeSummary(t: TimeFields): TimeSummary {
  const original = t.original_estimate ?? null;
  const remaining = t.remaining_estimate ?? null;
  const spent = t.time_spent;
  const total = spent + (remaining ?? 0);
  const loggedPercent = total > 0 ? Math.round((spent / total) * 1000) / 10 : 0;
  const over = original !== null ? Math.max(0, total - original) : 0;
  const parts = [`${formatDuration(spent)} logged`];
  parts.push(remaining !== null ? `${formatDuration(remaining)} remaining` : "no remaining estimate");
  const text = `${parts.join(", ")}${original !== null ? ` of ${formatDuration(original)} estimate` : ""}`;
  return { original, spent, remaining, loggedPercent, over, text };
}

/**
 * The remaining estimate after logging `minutes` (or changing a worklog by `minutes`),
 * by the API's rules: `auto` subtracts, never below 0, starting from the original
 * estimate when there is no remaining one; `new` sets it; `leave` keeps it.
 */
export function remainingAfter(t: TimeFields, minutes: number, adjust: AdjustEstimate, newEstimate: number | null = null): number | null {
  const current = t.remaining_estimate ?? null;
  if (adjust === "leave") return current;
  if (adjust === "new") return newEstimate;
  const from = current ?? t.original_estimate ?? null;
  return from === null ? null : Math.max(0, from - minutes);
}

/** `2026-12-04T09:30` in the browser's time zone, for `<input type="datetime-local">`. */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The instant a `datetime-local` value means here, as RFC 3339; null when it is not one. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
