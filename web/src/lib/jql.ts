// Small pure helpers around JQL text (the parsing itself is the server's).

/** The caret line to print under a query for a 1-based error column: spaces then `^`. */
export function caretLine(jql: string, column: number): string {
  const col = Math.max(1, Math.min(Math.floor(column) || 1, jql.length + 1));
  // Tabs keep their width so the caret lines up under a monospace rendering of the query.
  let pad = "";
  for (let i = 0; i < col - 1; i++) pad += jql[i] === "\t" ? "\t" : " ";
  return `${pad}^`;
}

const ORDER_BY = /\s*\bORDER\s+BY\b[\s\S]*$/i;

/** The query without its ORDER BY clause. */
export function stripOrderBy(jql: string): string {
  return jql.replace(ORDER_BY, "").trim();
}

export interface SortSpec {
  field: string;
  dir: "ASC" | "DESC";
}

/** The first ORDER BY key, if any. */
export function parseOrderBy(jql: string): SortSpec | null {
  // A custom field sorts as `cf[10001]`.
  const m = /\bORDER\s+BY\s+([A-Za-z_]+(?:\[\d+\])?)(?:\s+(ASC|DESC))?/i.exec(jql);
  if (!m) return null;
  return { field: m[1]!.toLowerCase(), dir: (m[2]?.toUpperCase() as "ASC" | "DESC" | undefined) ?? "ASC" };
}

/** Rewrites the ORDER BY clause to sort by one field. */
export function withOrderBy(jql: string, sort: SortSpec | null): string {
  const base = stripOrderBy(jql);
  if (!sort) return base;
  return `${base}${base ? " " : ""}ORDER BY ${sort.field} ${sort.dir}`;
}

/** Cycles a column's sort: none → DESC → ASC → DESC for that field. */
export function toggleSort(jql: string, field: string): string {
  const cur = parseOrderBy(jql);
  const dir = cur && cur.field === field && cur.dir === "DESC" ? "ASC" : "DESC";
  return withOrderBy(jql, { field, dir });
}

/** Restricts a user's query to one project, keeping their ORDER BY. */
export function scopeToProject(project: string, userJql: string): string {
  const order = /\bORDER\s+BY\b[\s\S]*$/i.exec(userJql)?.[0] ?? "";
  const where = stripOrderBy(userJql);
  const scoped = where ? `project = ${project} AND (${where})` : `project = ${project}`;
  return order ? `${scoped} ${order}` : scoped;
}

/** A JQL string literal. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * Applies an autocomplete suggestion: the text from the 1-based `replaceFrom` column to
 * the caret becomes `value`, followed by a space. Returns the new text and caret.
 */
export function applySuggestion(text: string, caret: number, replaceFrom: number, value: string): { text: string; caret: number } {
  const start = Math.max(0, Math.min(replaceFrom - 1, caret));
  const before = text.slice(0, start);
  const after = text.slice(caret);
  const inserted = after.startsWith(" ") ? value : `${value} `;
  return { text: before + inserted + after, caret: before.length + inserted.length };
}

/** What the top search box turns free text into. */
export function quickSearchJql(input: string): string {
  const t = input.trim();
  if (!t) return "";
  return `text ~ ${quote(t)}`;
}

export const TICKET_KEY = /^[A-Za-z][A-Za-z0-9]{1,9}-\d+$/;

export interface ScopedQuery {
  jql: string;
  /** How many characters precede the user's text in `jql`, to map error columns back. */
  offset: number;
  /** Where the user's ORDER BY clause starts in `jql` and in the user's text (if any). */
  orderAt: number | null;
  userOrderAt: number | null;
}

/** `<prefix> AND (<user where>) <user order by | default order>`, with the offsets to map errors back. */
export function scopeQuery(prefix: string, userJql: string, defaultOrder = ""): ScopedQuery {
  const m = /\bORDER\s+BY\b[\s\S]*$/i.exec(userJql);
  const userOrderAt = m ? m.index : null;
  const where = (m ? userJql.slice(0, m.index) : userJql).replace(/\s+$/, "");
  const lead = where.length - where.trimStart().length;
  const trimmed = where.trim();
  let jql = prefix;
  let offset = 0;
  if (trimmed) {
    jql += " AND (";
    offset = jql.length - lead;
    jql += `${trimmed})`;
  }
  let orderAt: number | null = null;
  const order = m ? m[0] : defaultOrder;
  if (order) {
    jql += " ";
    if (m) orderAt = jql.length;
    jql += order;
  }
  return { jql, offset, orderAt, userOrderAt };
}

/** Maps a 1-based error column in a scoped query back to the user's text (null: outside it). */
export function userColumn(q: ScopedQuery, column: number, userJql: string): number {
  if (q.orderAt !== null && q.userOrderAt !== null && column > q.orderAt) {
    return Math.min(userJql.length + 1, column - q.orderAt + q.userOrderAt);
  }
  const c = column - q.offset;
  return Math.max(1, Math.min(userJql.length + 1, c));
}
