import { describe, expect, it } from "vitest";
import type { SearchResponse, Sprint, Ticket } from "../../api/types";
import { baseTicket } from "../../test/fixtures";
import {
  applyMove, BACKLOG, buildSections, countSection, extendTickets, flatten, HEADER_GAP, homeSlot, locate, nameTaken, nextSprintName, openSprints,
  pagesTickets, placeAt, planDrop, rowAt, rowOf, rowSize, rowStart, SIZE, sizeAt, slotsFor, slotY, stepSlot, ticketRow, withTicketAt, withoutTicket,
  type Layout, type PlanData, type SectionInput,
} from "./layout";

function sprint(id: string, name: string, state: Sprint["state"]): Sprint {
  return {
    id, name, state, project: "WEB", goal: "", start_date: null, end_date: null, started_at: null, completed_at: null,
    version: 1, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z",
  };
}
function t(n: number, s: Sprint | null = null, category: Ticket["status"]["category"] = "todo"): Ticket {
  return {
    ...baseTicket, id: `t${n}`, key: `WEB-${n}`, number: n, title: `Ticket ${n}`, rank: String(n).padStart(4, "0"),
    sprint: s ? { id: s.id, name: s.name } : null,
    status: { id: category, name: category === "done" ? "Done" : category === "todo" ? "To Do" : "In Progress", category },
  };
}
function data(...pages: Ticket[][]): PlanData {
  const total = pages.reduce((n, p) => n + p.length, 0);
  return {
    pages: pages.map((issues, i): SearchResponse => ({ issues, total, isLast: i === pages.length - 1, nextPageToken: i === pages.length - 1 ? null : `p${i + 1}` })),
    pageParams: pages.map((_, i) => (i === 0 ? null : `p${i}`)),
  };
}
const keys = (d: PlanData | undefined) => pagesTickets(d).map((x) => x.key);
const rows = (l: Layout) => Array.from({ length: l.count }, (_, i) => rowOf(l, i));
const starts = (l: Layout) => Array.from({ length: l.count }, (_, i) => rowStart(l, i));
const totalOf = (d: PlanData | undefined) => d?.pages[0]?.total;

const s1 = sprint("s1", "WEB Sprint 1", "active");
const s2 = sprint("s2", "WEB Sprint 2", "future");
const s3 = sprint("s3", "WEB Sprint 3", "future");
const closed = sprint("s0", "WEB Sprint 0", "closed");

function input(over: Partial<SectionInput> = {}): SectionInput {
  return {
    sprints: [closed, s2, s1, s3],
    // One list, rank order across sprints: grouping keeps each sprint's order.
    sprintTickets: [t(1, s1), t(2, s2), t(3, s1, "done"), t(4, s1, "in_progress")],
    sprintTicketsComplete: true,
    backlog: [t(5), t(6), t(7)],
    backlogTotal: 3,
    backlogHasMore: false,
    collapsed: new Set(),
    ...over,
  };
}

describe("sections", () => {
  it("lists the active sprint first, then the future ones oldest first, then the backlog; closed sprints are left out", () => {
    expect(openSprints([closed, s2, s1, s3]).map((s) => s.id)).toEqual(["s1", "s2", "s3"]);
    const sections = buildSections(input());
    expect(sections.map((s) => s.name)).toEqual(["WEB Sprint 1", "WEB Sprint 2", "WEB Sprint 3", "Backlog"]);
    expect(sections.map((s) => s.tickets.map((x) => x.key))).toEqual([["WEB-1", "WEB-3", "WEB-4"], ["WEB-2"], [], ["WEB-5", "WEB-6", "WEB-7"]]);
    expect(sections.map((s) => s.total)).toEqual([3, 1, 0, 3]);
    expect(sections[3]!.id).toBe(BACKLOG);
  });

  it("does not claim sprint counts until every page of the sprints' tickets is loaded", () => {
    const sections = buildSections(input({ sprintTicketsComplete: false }));
    expect(sections[0]!.counted).toBe(false);
    expect(sections[0]!.hasMore).toBe(true);
    expect(sections[3]!.counted).toBe(true);
  });

  it("shows the sprints before the backlog's first page: the backlog is counting and loading", () => {
    const backlog = buildSections(input({ backlog: [], backlogTotal: 0, backlogLoaded: false }))[3]!;
    expect([backlog.counted, backlog.hasMore]).toEqual([false, true]);
    expect(rows(flatten(buildSections(input({ backlog: [], backlogLoaded: false })))).at(-1)!.kind).toBe("more");
  });

  it("counts status categories and sums story points only when the server sends them", () => {
    const sections = buildSections(input());
    expect(countSection(sections[0]!.tickets)).toEqual({ todo: 1, in_progress: 1, done: 1, points: null });
    expect(countSection([{ ...t(1), story_points: 3 }, { ...t(2), story_points: 0.5 }, t(3)]).points).toBe(3.5);
  });

  it("drops repeated tickets across pages (a page fetched after a move)", () => {
    expect(keys(data([t(1), t(2)], [t(2), t(3)]))).toEqual(["WEB-1", "WEB-2", "WEB-3"]);
  });

  it("a new page extends the previous list; other changes start over", () => {
    const one = data([t(1), t(2)]);
    const a = extendTickets(null, one);
    const two: PlanData = { ...one, pages: [...one.pages, { issues: [t(2), t(3)], total: 3, isLast: true }] };
    const b = extendTickets(a, two);
    expect(b.list.map((x) => x.key)).toEqual(["WEB-1", "WEB-2", "WEB-3"]);
    expect(a.list.map((x) => x.key)).toEqual(["WEB-1", "WEB-2"]); // the earlier result is left as it was
    expect(extendTickets(b, two)).toBe(b);
    // A move rewrote the first page: walked again from the start.
    const moved = withoutTicket(two, "WEB-1")!;
    expect(extendTickets(b, moved).list.map((x) => x.key)).toEqual(["WEB-2", "WEB-3"]);
  });
});

describe("layout", () => {
  it("flattens headers, tickets, empty and loading rows with fixed heights", () => {
    const layout = flatten(buildSections(input({ backlogHasMore: true, backlogTotal: 500 })));
    expect(rows(layout).map((r) => r.kind)).toEqual([
      "header", "ticket", "ticket", "ticket",
      "header", "ticket",
      "header", "empty",
      "header", "ticket", "ticket", "ticket", "more",
    ]);
    expect(rowStart(layout, 1)).toBe(SIZE.header);
    expect(rowStart(layout, 4)).toBe(SIZE.header + 3 * SIZE.ticket);
    expect(layout.height).toBe(4 * SIZE.header + 7 * SIZE.ticket + SIZE.empty + SIZE.more);
    expect(rows(layout).filter((r) => r.kind === "ticket" && r.last).map((r) => r.kind === "ticket" && r.ticket.key)).toEqual(["WEB-4", "WEB-2"]);
    expect(ticketRow(layout, "WEB-2")).toBe(5);
    expect(ticketRow(layout, "WEB-404")).toBe(-1);
  });

  it("the arithmetic agrees with itself on every row: start, size, and the row at every y", () => {
    for (const over of [{}, { collapsed: new Set(["s2"]) }, { backlogHasMore: true }, { backlog: [], backlogLoaded: false }, { sprintTicketsComplete: false }]) {
      const layout = flatten(buildSections(input(over)));
      const all = rows(layout);
      let y = 0;
      all.forEach((r, i) => {
        expect(rowStart(layout, i), `start of row ${i}`).toBe(y);
        expect(sizeAt(layout, i)).toBe(rowSize(r));
        for (const dy of [0, rowSize(r) - 1]) expect(rowAt(layout, y + dy), `row at ${y + dy}`).toBe(i);
        y += rowSize(r);
      });
      expect(layout.height).toBe(y);
      expect(rowAt(layout, y + 999)).toBe(all.length - 1);
    }
  });

  it("a collapsed section is its header alone", () => {
    const layout = flatten(buildSections(input({ collapsed: new Set(["s1"]) })));
    expect(rows(layout).slice(0, 3).map((r) => r.kind)).toEqual(["header", "header", "ticket"]);
    expect(ticketRow(layout, "WEB-1")).toBe(-1);
  });
});

describe("where a drop lands", () => {
  const layout = flatten(buildSections(input()));
  const row1 = SIZE.header; // WEB-1's row starts here

  it("above a ticket's middle is before it, below is after it", () => {
    expect(locate(layout, row1 + 5)).toEqual({ section: 0, index: 0 });
    expect(locate(layout, row1 + SIZE.ticket - 5)).toEqual({ section: 0, index: 1 });
    expect(locate(layout, row1 + 2 * SIZE.ticket + 25)).toEqual({ section: 0, index: 3 });
  });

  it("a header is the top of its section; the gap above it is the end of the section above", () => {
    const header2 = starts(layout)[layout.headerRow[1]!]!;
    expect(locate(layout, header2 + HEADER_GAP + 2)).toEqual({ section: 1, index: 0 });
    expect(locate(layout, header2 + 2)).toEqual({ section: 0, index: 3 });
    expect(locate(layout, 0)).toEqual({ section: 0, index: 0 });
  });

  it("an empty sprint's hint row, and anything past the end, are inside the section", () => {
    const empty = rows(layout).findIndex((r) => r.kind === "empty");
    expect(locate(layout, rowStart(layout, empty) + 10)).toEqual({ section: 2, index: 0 });
    expect(locate(layout, layout.height + 500)).toEqual({ section: 3, index: 3 });
  });

  it("draws the line at the top of the ticket after the slot, or under the last one", () => {
    expect(slotY(layout, { section: 0, index: 0 })).toBe(row1);
    expect(slotY(layout, { section: 0, index: 3 })).toBe(row1 + 3 * SIZE.ticket);
    expect(slotY(layout, { section: 2, index: 0 })).toBe(rowStart(layout, layout.headerRow[2]!) + SIZE.header);
  });
});

describe("the rank request of a drop", () => {
  const sections = buildSections(input());

  it("re-ranks within a section: after the ticket above, or before the first at the top", () => {
    // WEB-4 (third in Sprint 1) to the top.
    expect(planDrop(sections, "WEB-4", "s1", { section: 0, index: 0 })).toEqual({ key: "WEB-4", from: "s1", to: "s1", place: { before: "WEB-1" } });
    // WEB-1 (first) below WEB-3: the slot counts WEB-1 itself.
    expect(planDrop(sections, "WEB-1", "s1", { section: 0, index: 2 })).toEqual({ key: "WEB-1", from: "s1", to: "s1", place: { after: "WEB-3" } });
    // To the bottom.
    expect(planDrop(sections, "WEB-1", "s1", { section: 0, index: 3 })?.place).toEqual({ after: "WEB-4" });
  });

  it("a drop just above or below the ticket itself changes nothing", () => {
    expect(planDrop(sections, "WEB-3", "s1", { section: 0, index: 1 })).toBeNull();
    expect(planDrop(sections, "WEB-3", "s1", { section: 0, index: 2 })).toBeNull();
  });

  it("moves between sections next to the neighbour at the drop, or with no rank into an empty sprint", () => {
    expect(planDrop(sections, "WEB-6", BACKLOG, { section: 0, index: 1 })).toEqual({ key: "WEB-6", from: BACKLOG, to: "s1", place: { after: "WEB-1" } });
    expect(planDrop(sections, "WEB-6", BACKLOG, { section: 2, index: 0 })).toEqual({ key: "WEB-6", from: BACKLOG, to: "s3", place: null });
    expect(planDrop(sections, "WEB-2", "s2", { section: 3, index: 0 })).toEqual({ key: "WEB-2", from: "s2", to: BACKLOG, place: { before: "WEB-5" } });
  });

  it("a drop on a collapsed section goes to its top", () => {
    const folded = buildSections(input({ collapsed: new Set(["s1"]) }));
    expect(planDrop(folded, "WEB-6", BACKLOG, { section: 0, index: 0 })?.place).toEqual({ before: "WEB-1" });
  });

  it("placeAt clamps and picks before only at the top", () => {
    expect(placeAt([], 0)).toBeNull();
    expect(placeAt(["A", "B"], 0)).toEqual({ before: "A" });
    expect(placeAt(["A", "B"], 1)).toEqual({ after: "A" });
    expect(placeAt(["A", "B"], 9)).toEqual({ after: "B" });
  });
});

describe("keyboard moves", () => {
  const layout = flatten(buildSections(input()));

  it("visit every slot once, skipping the one that equals staying put", () => {
    const slots = slotsFor(layout, "WEB-3");
    // Sprint 1 holds WEB-1, WEB-3, WEB-4: slots 0, 1 (= before WEB-3), 3; slot 2 (= after WEB-3) is the same place.
    expect(slots.filter((s) => s.section === 0).map((s) => s.index)).toEqual([0, 1, 3]);
    expect(slots.filter((s) => s.section === 2).map((s) => s.index)).toEqual([0]);
    const home = homeSlot(layout, "WEB-3")!;
    expect(home).toEqual({ section: 0, index: 1 });
    expect(stepSlot(slots, home, 1)).toEqual({ section: 0, index: 3 });
    expect(stepSlot(slots, { section: 0, index: 3 }, 1)).toEqual({ section: 1, index: 0 });
    expect(stepSlot(slots, slots[0]!, -1)).toEqual(slots[0]);
    expect(planDrop(layout.sections, "WEB-3", "s1", stepSlot(slots, home, 1))?.place).toEqual({ after: "WEB-4" });
  });
});

describe("optimistic moves on the cached searches", () => {
  it("re-ranks inside the sprints' list next to the neighbour", () => {
    const before = data([t(1, s1), t(2, s2), t(3, s1), t(4, s1)]);
    const { sprintData } = applyMove(before, data([t(5)]), t(4, s1), { id: "s1", name: s1.name }, { before: "WEB-1" });
    expect(keys(sprintData)).toEqual(["WEB-4", "WEB-1", "WEB-2", "WEB-3"]);
    expect(totalOf(sprintData)).toBe(4);
  });

  it("moves from the backlog into a sprint and counts it on both sides", () => {
    const { sprintData, backlogData } = applyMove(data([t(1, s1)]), data([t(5), t(6)]), t(6), { id: "s1", name: s1.name }, { after: "WEB-1" });
    expect(keys(sprintData)).toEqual(["WEB-1", "WEB-6"]);
    expect(pagesTickets(sprintData)[1]!.sprint).toEqual({ id: "s1", name: "WEB Sprint 1" });
    expect(totalOf(sprintData)).toBe(2);
    expect(keys(backlogData)).toEqual(["WEB-5"]);
    expect(totalOf(backlogData)).toBe(1);
  });

  it("moves out of a sprint to the top of the backlog, or first when the backlog is empty", () => {
    const a = applyMove(data([t(1, s1), t(2, s1)]), data([t(5)]), t(2, s1), null, { before: "WEB-5" });
    expect(keys(a.backlogData)).toEqual(["WEB-2", "WEB-5"]);
    expect(pagesTickets(a.backlogData)[0]!.sprint).toBeNull();
    expect(keys(a.sprintData)).toEqual(["WEB-1"]);
    const b = applyMove(data([t(1, s1)]), data([]), t(1, s1), null, null);
    expect(keys(b.backlogData)).toEqual(["WEB-1"]);
  });

  it("a neighbour past the loaded pages takes the ticket out of them but keeps the count", () => {
    const d = data([t(5), t(6)], [t(7)]);
    const moved = withTicketAt(d, t(5), { after: "WEB-9999" }, true);
    expect(keys(moved)).toEqual(["WEB-6", "WEB-7"]);
    expect(totalOf(moved)).toBe(3);
    expect(withoutTicket(d, "WEB-404")).toBe(d);
    expect(totalOf(withoutTicket(d, "WEB-6"))).toBe(2);
  });

  it("inserts into the page that holds the neighbour", () => {
    const d = data([t(5), t(6)], [t(7), t(8)]);
    const moved = withTicketAt(d, t(5), { after: "WEB-7" }, true);
    expect(moved!.pages.map((p) => p.issues.map((x) => x.key))).toEqual([["WEB-6"], ["WEB-7", "WEB-5", "WEB-8"]]);
  });
});

describe("sprint names", () => {
  it("proposes one past the highest <KEY> Sprint N, closed sprints included", () => {
    expect(nextSprintName("WEB", [])).toBe("WEB Sprint 1");
    expect(nextSprintName("WEB", [{ name: "WEB Sprint 3" }, { name: "web sprint 7" }, { name: "Launch" }, { name: "WEB Sprint x" }])).toBe("WEB Sprint 8");
  });

  it("sees a name taken whatever its case (JQL matches sprint names ignoring case)", () => {
    const all = [s1, s2];
    expect(nameTaken(" web sprint 1 ", all)).toBe(true);
    expect(nameTaken("WEB Sprint 1", all, "s1")).toBe(false);
    expect(nameTaken("WEB Sprint 9", all)).toBe(false);
  });
});
