import { describe, expect, test } from "vitest";
import type { LinkTypeInfo, TicketLink } from "../../api/types";
import { groupLinks, keySearchJql, linkPhrases } from "./links";

const TYPES: LinkTypeInfo[] = [
  { type: "blocks", name: "Blocks", outward: "blocks", inward: "is blocked by" },
  { type: "relates", name: "Relates", outward: "relates to", inward: "relates to" },
];

function link(phrase: string, key: string): TicketLink {
  return {
    id: `${phrase}-${key}`, created_at: "2026-12-03T00:00:00Z", direction: "outward", link: phrase,
    type: phrase.includes("block") ? "blocks" : "relates",
    ticket: { key, title: key, priority: "medium", type: "task", status: { id: "s", name: "To Do", category: "todo" } },
  };
}

describe("groupLinks", () => {
  test("groups by phrase in the link types' order, keys in number order", () => {
    const groups = groupLinks([link("relates to", "WEB-3"), link("is blocked by", "WEB-10"), link("is blocked by", "WEB-2"), link("blocks", "API-1")], TYPES);
    expect(groups.map((g) => g.phrase)).toEqual(["blocks", "is blocked by", "relates to"]);
    expect(groups[1]!.links.map((l) => l.ticket.key)).toEqual(["WEB-2", "WEB-10"]);
  });
  test("phrases the types do not list come last, and an empty list has no groups", () => {
    expect(groupLinks([link("clones", "A-1"), link("blocks", "A-2")], TYPES).map((g) => g.phrase)).toEqual(["blocks", "clones"]);
    expect(groupLinks([], TYPES)).toEqual([]);
  });
});

test("linkPhrases lists each phrase once", () => {
  expect(linkPhrases(TYPES)).toEqual(["blocks", "is blocked by", "relates to"]);
});

test("keySearchJql searches a key and the summary, and quotes safely", () => {
  expect(keySearchJql("web-2")).toBe('key = WEB-2 OR summary ~ "web-2*" ORDER BY updated DESC');
  expect(keySearchJql('fix "x')).toBe('summary ~ "fix  x*" ORDER BY updated DESC');
  expect(keySearchJql("  ")).toBeNull();
});
