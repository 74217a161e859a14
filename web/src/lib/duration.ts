// Time estimates as Jira writes them: "1w 2d 4h 30m", with 8-hour days and 5-day weeks.
// The API stores whole minutes (docs/API.md "Estimates").

const UNIT: Record<string, number> = { w: 5 * 8 * 60, d: 8 * 60, h: 60, m: 1 };

/** Minutes from "1d 4h", "90m", "2h30m" or a bare number of hours ("1.5"); null when unreadable. */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 60);
  const re = /(\d+(?:\.\d+)?)\s*([wdhm])/gy;
  let total = 0;
  let matched = 0;
  const seen = new Set<string>();
  const compact = s.replace(/\s+/g, " ");
  let pos = 0;
  while (pos < compact.length) {
    if (compact[pos] === " ") { pos++; continue; }
    re.lastIndex = pos;
    const m = re.exec(compact);
    if (!m) return null;
    const unit = m[2]!;
    if (seen.has(unit)) return null;
    seen.add(unit);
    total += Number(m[1]) * UNIT[unit]!;
    matched++;
    pos = re.lastIndex;
  }
  return matched ? Math.round(total) : null;
}

/** "1d 4h" from 720 minutes; "0m" for zero. Weeks are written as days (Jira's default). */
export function formatDuration(minutes: number): string {
  if (minutes <= 0) return "0m";
  const d = Math.floor(minutes / UNIT.d!);
  const h = Math.floor((minutes % UNIT.d!) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : ""].filter(Boolean).join(" ");
}

export type DurationReading = { ok: true; minutes: number } | { ok: false; message: string };

/**
 * A duration a person typed, or the sentence saying why it cannot be one: unreadable,
 * under `min` (1 minute unless told), or (with `max`) more than the API takes.
 */
export function readDuration(text: string, { min = 1, max }: { min?: number; max?: number } = {}): DurationReading {
  if (!text.trim()) return { ok: false, message: "Enter a duration, like 2h 30m, 1d or 90m." };
  const minutes = parseDuration(text);
  if (minutes === null) return { ok: false, message: `“${text.trim()}” is not a duration. Write it like 2h 30m, 1d or 90m (1d = 8h, 1w = 5d).` };
  if (minutes < min) return { ok: false, message: min === 1 ? "At least 1 minute." : `At least ${formatDuration(min)}.` };
  if (max !== undefined && minutes > max) return { ok: false, message: `At most ${formatDuration(max)}.` };
  return { ok: true, minutes };
}
