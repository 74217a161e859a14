// How a sprint's dates read on the backlog and the board.
import type { Sprint } from "../api/types";
import { plural, shortDate } from "./format";

/** Whole days from today to an ISO date (negative: in the past). */
export function daysUntil(isoDate: string, today = new Date()): number {
  const [y, m, d] = isoDate.split("-").map(Number);
  const end = Date.UTC(y!, m! - 1, d!);
  const now = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.round((end - now) / 86_400_000);
}

/** `Dec 3 – Dec 17`, and for the active sprint how long it has left. */
export function sprintDates(s: Pick<Sprint, "start_date" | "end_date" | "state">, today = new Date()): string {
  if (!s.start_date && !s.end_date) return "No dates set";
  const range = `${s.start_date ? shortDate(s.start_date) : "…"} – ${s.end_date ? shortDate(s.end_date) : "…"}`;
  if (s.state !== "active" || !s.end_date) return range;
  const left = daysUntil(s.end_date, today);
  return `${range} · ${left > 0 ? `${plural(left, "day")} left` : left === 0 ? "ends today" : `ended ${plural(-left, "day")} ago`}`;
}
