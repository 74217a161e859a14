import type { LinkTypeInfo, TicketLink } from "../../api/types";

export interface LinkGroup {
  phrase: string;
  links: TicketLink[];
}

/**
 * Links grouped by the phrase read from this ticket ("blocks", "is blocked by", ...), in the
 * order of the link types (outward before inward), unknown phrases last; each group by key.
 */
export function groupLinks(links: TicketLink[], types: LinkTypeInfo[] = []): LinkGroup[] {
  const order: string[] = [];
  for (const t of types) {
    for (const p of [t.outward, t.inward]) if (!order.includes(p.toLowerCase())) order.push(p.toLowerCase());
  }
  const groups = new Map<string, TicketLink[]>();
  for (const l of links) {
    const p = l.link.toLowerCase();
    groups.set(p, [...(groups.get(p) ?? []), l]);
  }
  const rank = (p: string) => (order.includes(p) ? order.indexOf(p) : order.length);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([phrase, ls]) => ({ phrase, links: ls.sort((x, y) => keyOrder(x.ticket.key, y.ticket.key)) }));
}

/** WEB-2 before WEB-10. */
export function keyOrder(a: string, b: string): number {
  const [pa, na] = a.split("-");
  const [pb, nb] = b.split("-");
  return (pa ?? "").localeCompare(pb ?? "") || Number(na) - Number(nb);
}

/** Every phrase a link may be written with, for the "Add link" choice. */
export function linkPhrases(types: LinkTypeInfo[]): string[] {
  const out: string[] = [];
  for (const t of types) for (const p of [t.outward, t.inward]) if (!out.includes(p)) out.push(p);
  return out;
}

/** JQL for the ticket-key search of the "Add link" and parent inputs. */
export function keySearchJql(text: string): string | null {
  const s = text.trim();
  if (!s) return null;
  const words = s.replace(/["\\*?]/g, " ").trim();
  const parts: string[] = [];
  if (/^[A-Za-z][A-Za-z0-9]*-\d+$/.test(s)) parts.push(`key = ${s.toUpperCase()}`);
  if (words) parts.push(`summary ~ "${words}*"`);
  return parts.length ? `${parts.join(" OR ")} ORDER BY updated DESC` : null;
}
