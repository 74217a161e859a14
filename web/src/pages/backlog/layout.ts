// The backlog screen's pure logic: sprints and tickets grouped into sections, the
// sections flattened into fixed-height rows for one virtualised list, where a drop
// lands (a slot: section and insertion index), and which rank request a drop means
// (`{"before"}` the first ticket at the top, otherwise `{"after"}` the ticket above).
import type { InfiniteData } from "@tanstack/react-query";
import type { PlannedTicket, RankMove, SearchResponse, Sprint, SprintRef, Ticket } from "../../api/types";

/** The section id of the backlog (every other section is a sprint, by id). */
export const BACKLOG = "backlog";

/** Row heights in px (the virtualiser and the drop maths use the same numbers). */
export const SIZE = { header: 72, ticket: 40, empty: 48, more: 40 } as const;
/** The space above a section's box, inside its header row. */
export const HEADER_GAP = 14;

export interface Section {
  /** A sprint id, or BACKLOG. */
  id: string;
  name: string;
  sprint: Sprint | null;
  /** The loaded tickets, in rank order. */
  tickets: PlannedTicket[];
  /** How many tickets the section has (the server's count; the loaded ones while counting). */
  total: number;
  /** Whether `total` is exact. */
  counted: boolean;
  /** More tickets exist than are loaded. */
  hasMore: boolean;
  collapsed: boolean;
}

export type Row =
  | { kind: "header"; section: number }
  | { kind: "ticket"; section: number; index: number; ticket: PlannedTicket; last: boolean }
  | { kind: "empty"; section: number }
  | { kind: "more"; section: number };

/**
 * The rows, as arithmetic: every row kind has a fixed height, so a section is its
 * header, its tickets and at most one tail row (empty hint or "loading more"), and a row's
 * place follows from its section's. Building one is O(sections), however many tickets.
 */
export interface Layout {
  sections: Section[];
  /** Row index of each section's header. */
  headerRow: number[];
  /** Top of each section's header, px from the top of the list. */
  headerTop: number[];
  count: number;
  height: number;
}

export interface Slot {
  section: number;
  /** Insertion index among the section's loaded tickets (counting the dragged one). */
  index: number;
}

export function rowSize(row: Row): number {
  return SIZE[row.kind];
}

/** The open sprints as a backlog shows them: the active one first, then the future ones oldest first. */
export function openSprints(sprints: Sprint[]): Sprint[] {
  return [
    ...sprints.filter((s) => s.state === "active"),
    ...sprints.filter((s) => s.state === "future"),
  ];
}

/** Tickets of the open sprints (one list, in rank order) grouped by sprint, keeping the order. */
export function groupBySprint(tickets: Ticket[], sprintIds: string[]): Map<string, PlannedTicket[]> {
  const groups = new Map<string, PlannedTicket[]>(sprintIds.map((id) => [id, []]));
  for (const t of tickets) {
    const g = t.sprint ? groups.get(t.sprint.id) : undefined;
    if (g) g.push(t);
  }
  return groups;
}

/** Every ticket of the pages once (a page fetched after a move may repeat one). */
export function pagesTickets(data: InfiniteData<SearchResponse, unknown> | undefined): Ticket[] {
  return extendTickets(null, data).list;
}

export interface Flattened {
  pages: SearchResponse[];
  list: Ticket[];
  seen: Set<string>;
}

/**
 * `pagesTickets`, reusing the previous result when the pages only grew (the next page
 * arrived): then only the new page is walked, not the thousands before it.
 */
export function extendTickets(prev: Flattened | null, data: InfiniteData<SearchResponse, unknown> | undefined): Flattened {
  const pages = data?.pages ?? [];
  let from = 0;
  let list: Ticket[] = [];
  let seen = new Set<string>();
  if (prev && prev.pages.length <= pages.length && prev.pages.every((p, i) => p === pages[i])) {
    from = prev.pages.length;
    list = prev.list;
    seen = prev.seen;
    if (from === pages.length) return prev;
    list = list.slice();
    seen = new Set(seen);
  }
  for (let i = from; i < pages.length; i++) {
    for (const t of pages[i]!.issues) {
      if (seen.has(t.key)) continue;
      seen.add(t.key);
      list.push(t);
    }
  }
  return { pages, list, seen };
}

export interface SectionInput {
  sprints: Sprint[];
  /** Tickets of every open sprint, rank order. */
  sprintTickets: Ticket[];
  /** Every page of the open sprints' tickets is loaded. */
  sprintTicketsComplete: boolean;
  backlog: Ticket[];
  backlogTotal: number;
  backlogHasMore: boolean;
  /** The backlog's first page has arrived (before that its section says it is counting). */
  backlogLoaded?: boolean;
  collapsed: ReadonlySet<string>;
}

export function buildSections(input: SectionInput): Section[] {
  const open = openSprints(input.sprints);
  const groups = groupBySprint(input.sprintTickets, open.map((s) => s.id));
  const sections: Section[] = open.map((s) => {
    const tickets = groups.get(s.id) ?? [];
    return {
      id: s.id,
      name: s.name,
      sprint: s,
      tickets,
      total: tickets.length,
      counted: input.sprintTicketsComplete,
      hasMore: !input.sprintTicketsComplete,
      collapsed: input.collapsed.has(s.id),
    };
  });
  const loaded = input.backlogLoaded ?? true;
  sections.push({
    id: BACKLOG,
    name: "Backlog",
    sprint: null,
    tickets: input.backlog,
    total: Math.max(input.backlogTotal, input.backlog.length),
    counted: loaded,
    hasMore: input.backlogHasMore || !loaded,
    collapsed: input.collapsed.has(BACKLOG),
  });
  return sections;
}

/** The tail row of a section: "loading more", the empty hint, or none. */
function tailOf(s: Section): "more" | "empty" | null {
  if (s.collapsed) return null;
  if (s.hasMore) return "more";
  return s.tickets.length === 0 ? "empty" : null;
}

function rowsOf(s: Section): number {
  if (s.collapsed) return 1;
  return 1 + s.tickets.length + (tailOf(s) ? 1 : 0);
}

function heightOf(s: Section): number {
  if (s.collapsed) return SIZE.header;
  const tail = tailOf(s);
  return SIZE.header + s.tickets.length * SIZE.ticket + (tail ? SIZE[tail] : 0);
}

/** The sections one after the other: where each header is, in rows and in px. */
export function flatten(sections: Section[]): Layout {
  const headerRow: number[] = [];
  const headerTop: number[] = [];
  let count = 0;
  let y = 0;
  for (const s of sections) {
    headerRow.push(count);
    headerTop.push(y);
    count += rowsOf(s);
    y += heightOf(s);
  }
  return { sections, headerRow, headerTop, count, height: y };
}

/** The last index `i` with `xs[i] <= v` (xs ascending), or 0. */
function lastAtMost(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Row `i` (built on demand). */
export function rowOf(layout: Layout, i: number): Row {
  const si = lastAtMost(layout.headerRow, i);
  const s = layout.sections[si]!;
  const k = i - layout.headerRow[si]!;
  if (k === 0) return { kind: "header", section: si };
  if (k - 1 < s.tickets.length) {
    const index = k - 1;
    return { kind: "ticket", section: si, index, ticket: s.tickets[index]!, last: index === s.tickets.length - 1 && !s.hasMore };
  }
  return { kind: tailOf(s) ?? "empty", section: si } as Row;
}

/** Row `i`'s height, without building it (the virtualiser asks for every row). */
export function sizeAt(layout: Layout, i: number): number {
  const si = lastAtMost(layout.headerRow, i);
  const s = layout.sections[si]!;
  const k = i - layout.headerRow[si]!;
  if (k === 0) return SIZE.header;
  if (k - 1 < s.tickets.length) return SIZE.ticket;
  return SIZE[tailOf(s) ?? "empty"];
}

/** The top of row `i`, px from the top of the list. */
export function rowStart(layout: Layout, i: number): number {
  const si = lastAtMost(layout.headerRow, i);
  const k = i - layout.headerRow[si]!;
  const top = layout.headerTop[si]!;
  return k === 0 ? top : top + SIZE.header + (k - 1) * SIZE.ticket;
}

/** The row of a ticket, or -1 (not loaded, or in a collapsed section). */
export function ticketRow(layout: Layout, key: string): number {
  for (let si = 0; si < layout.sections.length; si++) {
    const s = layout.sections[si]!;
    if (s.collapsed) continue;
    const i = s.tickets.findIndex((t) => t.key === key);
    if (i >= 0) return layout.headerRow[si]! + 1 + i;
  }
  return -1;
}

/** The row under `y` (px from the top of the list), clamped to the list. */
export function rowAt(layout: Layout, y: number): number {
  if (layout.count === 0) return -1;
  const si = lastAtMost(layout.headerTop, Math.max(0, y));
  const s = layout.sections[si]!;
  const local = Math.max(0, y) - layout.headerTop[si]!;
  const first = layout.headerRow[si]!;
  if (local < SIZE.header || s.collapsed) return first;
  const k = Math.floor((local - SIZE.header) / SIZE.ticket);
  return first + Math.min(k, rowsOf(s) - 2) + 1;
}

function endSlot(layout: Layout, section: number): Slot {
  const s = layout.sections[section]!;
  return { section, index: s.collapsed ? 0 : s.tickets.length };
}

/** Where a drop at `y` lands: above or below the ticket under it, the top of a header's section, or the end of the section above a header's gap. */
export function locate(layout: Layout, y: number): Slot | null {
  const r = rowAt(layout, y);
  if (r < 0) return null;
  const row = rowOf(layout, r);
  const top = rowStart(layout, r);
  switch (row.kind) {
    case "header":
      if (row.section > 0 && y - top < HEADER_GAP) return endSlot(layout, row.section - 1);
      return { section: row.section, index: 0 };
    case "ticket":
      return { section: row.section, index: y < top + SIZE.ticket / 2 ? row.index : row.index + 1 };
    case "empty":
      return { section: row.section, index: 0 };
    case "more":
      return endSlot(layout, row.section);
  }
}

/** The y of the line drawn for a slot. */
export function slotY(layout: Layout, slot: Slot): number {
  const s = layout.sections[slot.section]!;
  const headerEnd = layout.headerTop[slot.section]! + SIZE.header;
  if (s.collapsed || s.tickets.length === 0) return headerEnd;
  return headerEnd + Math.min(slot.index, s.tickets.length) * SIZE.ticket;
}

export interface DropPlan {
  key: string;
  from: string;
  to: string;
  /** The rank request, or null when the target has no other ticket to stand next to. */
  place: RankMove | null;
}

/** Where `key` (now in section `from`) goes for a drop in `slot`; null when nothing would change. */
export function planDrop(sections: Section[], key: string, from: string, slot: Slot): DropPlan | null {
  const target = sections[slot.section];
  if (!target) return null;
  const keys = target.tickets.map((t) => t.key);
  let index = target.collapsed ? 0 : slot.index;
  const own = keys.indexOf(key);
  if (own >= 0) {
    if (index === own || index === own + 1) return null;
    keys.splice(own, 1);
    if (own < index) index -= 1;
  }
  return { key, from, to: target.id, place: placeAt(keys, index) };
}

/** The rank request that puts a ticket at `index` of `keys` (which do not include it). */
export function placeAt(keys: string[], index: number): RankMove | null {
  if (keys.length === 0) return null;
  const i = Math.max(0, Math.min(index, keys.length));
  return i === 0 ? { before: keys[0]! } : { after: keys[i - 1]! };
}

/** Every slot a keyboard move can visit, in order (the two around the dragged ticket count once). */
export function slotsFor(layout: Layout, key: string): Slot[] {
  const out: Slot[] = [];
  layout.sections.forEach((s, si) => {
    if (s.collapsed) {
      out.push({ section: si, index: 0 });
      return;
    }
    const own = s.tickets.findIndex((t) => t.key === key);
    for (let i = 0; i <= s.tickets.length; i++) {
      if (own >= 0 && i === own + 1) continue;
      out.push({ section: si, index: i });
    }
  });
  return out;
}

/** The slot a keyboard move starts in: just above the dragged ticket. */
export function homeSlot(layout: Layout, key: string): Slot | null {
  for (let si = 0; si < layout.sections.length; si++) {
    const s = layout.sections[si]!;
    const i = s.tickets.findIndex((t) => t.key === key);
    if (i >= 0) return { section: si, index: s.collapsed ? 0 : i };
  }
  return null;
}

export function stepSlot(slots: Slot[], current: Slot, delta: 1 | -1): Slot {
  const i = slots.findIndex((s) => s.section === current.section && s.index === current.index);
  const next = slots[Math.max(0, Math.min(slots.length - 1, (i < 0 ? 0 : i) + delta))];
  return next ?? current;
}

/** `<KEY> Sprint N`, one past the highest such number the project has used. */
export function nextSprintName(project: string, sprints: Pick<Sprint, "name">[]): string {
  const prefix = `${project} sprint `;
  let max = 0;
  for (const s of sprints) {
    const name = s.name.trim();
    if (name.toLowerCase().startsWith(prefix.toLowerCase())) {
      const n = Number(name.slice(prefix.length));
      if (Number.isInteger(n) && n > max) max = n;
    }
  }
  return `${project} Sprint ${max + 1}`;
}

/** Another sprint of the project already has this name (JQL matches sprint names ignoring case). */
export function nameTaken(name: string, sprints: Pick<Sprint, "id" | "name">[], except?: string): boolean {
  const n = name.trim().toLowerCase();
  return sprints.some((s) => s.id !== except && s.name.trim().toLowerCase() === n);
}

export interface SectionCounts {
  todo: number;
  in_progress: number;
  done: number;
  /** Sum of story points when the server sends them, else null. */
  points: number | null;
}

export function countSection(tickets: PlannedTicket[]): SectionCounts {
  const c: SectionCounts = { todo: 0, in_progress: 0, done: 0, points: null };
  for (const t of tickets) {
    c[t.status.category] += 1;
    if (typeof t.story_points === "number") c.points = (c.points ?? 0) + t.story_points;
  }
  return c;
}

// ---- The optimistic half of a move, on the two cached searches ----

export type PlanData = InfiniteData<SearchResponse, string | null>;

function retotal(data: PlanData, delta: number): PlanData {
  return { ...data, pages: data.pages.map((p) => ({ ...p, total: Math.max(0, p.total + delta) })) };
}

/** The pages without `key` (and their totals one lower when it was there). */
export function withoutTicket(data: PlanData | undefined, key: string): PlanData | undefined {
  if (!data) return data;
  let removed = false;
  const pages = data.pages.map((p) => {
    const issues = p.issues.filter((t) => t.key !== key);
    if (issues.length !== p.issues.length) removed = true;
    return issues.length === p.issues.length ? p : { ...p, issues };
  });
  return removed ? retotal({ ...data, pages }, -1) : data;
}

/**
 * The pages with `ticket` placed next to its neighbour. A neighbour that is not loaded
 * (past the loaded pages) leaves it out of them, counted; with no neighbour it goes
 * first (`atStart`) or last.
 */
export function withTicketAt(data: PlanData | undefined, ticket: Ticket, place: RankMove | null, atStart: boolean): PlanData | undefined {
  if (!data || data.pages.length === 0) return data;
  const pages = data.pages.map((p) => ({ ...p, issues: p.issues.filter((t) => t.key !== ticket.key) }));
  const had = data.pages.some((p) => p.issues.some((t) => t.key === ticket.key));
  const next = { ...data, pages };
  if (place) {
    const neighbour = "before" in place ? place.before : place.after;
    for (const p of pages) {
      const i = p.issues.findIndex((t) => t.key === neighbour);
      if (i >= 0) {
        p.issues.splice("before" in place ? i : i + 1, 0, ticket);
        break;
      }
    }
  } else if (atStart) {
    pages[0]!.issues.unshift(ticket);
  } else {
    pages[pages.length - 1]!.issues.push(ticket);
  }
  return had ? next : retotal(next, 1);
}

/** The server's copies of tickets, where the pages hold them. */
export function withServerCopies(data: PlanData | undefined, tickets: Ticket[]): PlanData | undefined {
  if (!data || tickets.length === 0) return data;
  const byKey = new Map(tickets.map((t) => [t.key, t]));
  return {
    ...data,
    pages: data.pages.map((p) => (p.issues.some((t) => byKey.has(t.key))
      ? { ...p, issues: p.issues.map((t) => byKey.get(t.key) ?? t) }
      : p)),
  };
}

/** Both searches after moving `ticket` into `to` (a sprint, or the backlog when null) at `place`. */
export function applyMove(
  sprintData: PlanData | undefined,
  backlogData: PlanData | undefined,
  ticket: Ticket,
  to: SprintRef | null,
  place: RankMove | null,
): { sprintData: PlanData | undefined; backlogData: PlanData | undefined } {
  const moved: Ticket = { ...ticket, sprint: to };
  if (to) {
    return {
      sprintData: withTicketAt(sprintData, moved, place, false),
      backlogData: withoutTicket(backlogData, ticket.key),
    };
  }
  return {
    sprintData: withoutTicket(sprintData, ticket.key),
    backlogData: withTicketAt(backlogData, moved, place, true),
  };
}
