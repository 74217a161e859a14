import type { Ticket } from "../api/types";

export const baseTicket: Ticket = {
  id: "t1", key: "WEB-1", project: "WEB", number: 1, title: "Old title", description: "", type: "task", priority: "medium",
  status: { id: "s1", name: "To Do", category: "todo" }, assignee: null, reporter: { id: "u1", login: "alice", name: "Alice" },
  labels: [], due_date: null, version: 1, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", resolved_at: null,
  rank: "i00000", sprint: null, parent: null, children: { total: 0, done: 0 },
  story_points: null, original_estimate: null, start_date: null, watchers: 1, components: [],
  time_spent: 0, remaining_estimate: null, moved_from: [], custom_fields: {},
};
