import { useEffect, useRef } from "react";

export function isTypingTarget(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
}

/** Moves focus to the next/previous `[data-nav-item]` in the main region (lists and boards). */
export function moveSelection(delta: 1 | -1): void {
  const items = Array.from(document.querySelectorAll<HTMLElement>("main [data-nav-item]"));
  if (items.length === 0) return;
  const active = document.activeElement as HTMLElement | null;
  const current = items.findIndex((el) => el === active || el.contains(active));
  const next = current < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, current + delta));
  const el = items[next]!;
  el.focus();
  el.scrollIntoView({ block: "nearest", inline: "nearest" });
}

export interface ShortcutHandlers {
  create: () => void;
  search: () => void;
  help: () => void;
  goBoard: () => void;
  goList: () => void;
  goIssues: () => void;
}

/** Global single-key shortcuts (ignored while typing): c, /, j, k, g b, g l, g i, ?. */
export function useShortcuts(h: ShortcutHandlers): void {
  const ref = useRef(h);
  useEffect(() => {
    ref.current = h;
  });
  useEffect(() => {
    let pendingG = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      if (isTypingTarget(e.target)) return;
      if (document.querySelector("dialog[open]")) return;
      const now = Date.now();
      const k = e.key;
      if (pendingG && now - pendingG < 1200) {
        pendingG = 0;
        if (k === "b") { e.preventDefault(); ref.current.goBoard(); return; }
        if (k === "l") { e.preventDefault(); ref.current.goList(); return; }
        if (k === "i") { e.preventDefault(); ref.current.goIssues(); return; }
      }
      if (k === "g") { pendingG = now; return; }
      if (k === "c") { e.preventDefault(); ref.current.create(); }
      else if (k === "/") { e.preventDefault(); ref.current.search(); }
      else if (k === "?") { e.preventDefault(); ref.current.help(); }
      else if (k === "j") { e.preventDefault(); moveSelection(1); }
      else if (k === "k") { e.preventDefault(); moveSelection(-1); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

export const SHORTCUTS: Array<[string, string]> = [
  ["c", "Create a ticket"],
  ["/", "Focus the search box"],
  ["j / k", "Next / previous item in a list or board"],
  ["Enter", "Open the selected ticket"],
  ["g then b", "Go to the board"],
  ["g then l", "Go to the list"],
  ["g then i", "Go to issue search"],
  ["Space, arrows, Space", "Pick up a card, move it to another column, drop it"],
  ["Escape", "Close a dialog or menu; cancel an edit or a drag"],
  ["?", "Show this help"],
];
