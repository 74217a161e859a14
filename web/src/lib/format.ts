const rtf = typeof Intl !== "undefined" && "RelativeTimeFormat" in Intl ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }) : null;

/** "3 hours ago", "yesterday", or a date for older times. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  if (!rtf) return dateFmt.format(t);
  if (abs < 45) return rtf.format(0, "second").replace(/^in /, "");
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(s / 3600), "hour");
  if (abs < 86400 * 30) return rtf.format(Math.round(s / 86400), "day");
  return dateFmt.format(t);
}

// Formatters are costly to build: make them once (toLocaleString builds one per call).
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateFmt = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });

export function fullTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTimeFmt.format(t);
}

const monthDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export function shortDate(isoDate: string | null | undefined): string {
  if (!isoDate) return "";
  const [y, m, d] = isoDate.split("-").map(Number);
  if (!y || !m || !d) return isoDate;
  const date = new Date(y, m - 1, d);
  return y === new Date().getFullYear() ? monthDay.format(date) : dateFmt.format(date);
}

export function isOverdue(isoDate: string | null | undefined, today = new Date()): boolean {
  if (!isoDate) return false;
  const t = today.toISOString().slice(0, 10);
  return isoDate < t;
}

export const TYPE_LABEL: Record<string, string> = { epic: "Epic", story: "Story", task: "Task", bug: "Bug", subtask: "Sub-task" };
export const TYPE_ICON: Record<string, string> = { epic: "◆", story: "▮", task: "✓", bug: "●", subtask: "↳" };
export const PRIORITY_LABEL: Record<string, string> = { highest: "Highest", high: "High", medium: "Medium", low: "Low", lowest: "Lowest" };
export const PRIORITY_ICON: Record<string, string> = { highest: "⇈", high: "↑", medium: "=", low: "↓", lowest: "⇊" };

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

const BYTE_UNITS = ["KB", "MB", "GB", "TB"];

/**
 * A size for people, in powers of 1024 as file managers show them: "0 B", "812 B",
 * "1.5 KB", "2 MB", "12.3 GB" (one decimal, dropped when it is zero or the number is large).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.96 KB would round to "1024 KB": show it as the next unit instead.
  if (Math.round(value * 10) / 10 >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} ${BYTE_UNITS[unit]}`;
}
