import { describe, expect, it } from "vitest";
import type { AuditEntryWithActor } from "../../api/types";
import { changedFields, matchesAudit } from "./AuditTab";

const entry = {
  id: "1", actor_id: "u1", token_id: null, action: "ticket.update", entity_type: "ticket", entity_id: "t1",
  before: { title: "a", version: 1 }, after: { title: "b", version: 2 }, request_id: "r", ip: null, created_at: "2026-12-02T10:00:00Z",
} as unknown as AuditEntryWithActor;
const login = (id: string | null | undefined) => (id === "u1" ? "alice" : undefined);

describe("audit filters", () => {
  it("match by action (exact or kind), entity, actor and time", () => {
    expect(matchesAudit(entry, { action: "ticket." }, login)).toBe(true);
    expect(matchesAudit(entry, { action: "ticket.update" }, login)).toBe(true);
    expect(matchesAudit(entry, { action: "ticket.create" }, login)).toBe(false);
    expect(matchesAudit(entry, { entity_type: "comment" }, login)).toBe(false);
    expect(matchesAudit(entry, { actor: "alice" }, login)).toBe(true);
    expect(matchesAudit({ ...entry, actor: { id: "u9", login: "zed", name: "Z" } }, { actor: "alice" }, login)).toBe(false);
    expect(matchesAudit(entry, { since: "2026-12-03T00:00:00.000Z" }, login)).toBe(false);
  });
  it("lists changed fields without version noise", () => {
    expect(changedFields(entry)).toEqual([{ field: "title", before: "a", after: "b" }]);
  });
});
