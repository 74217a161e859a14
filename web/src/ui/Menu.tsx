import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { Link } from "react-router";

export type MenuEntry =
  | { kind?: "item"; label: ReactNode; onSelect?: () => void; href?: string; disabled?: boolean; hint?: string; testId?: string }
  | { kind: "separator" }
  | { kind: "label"; label: ReactNode };

/** A menu button (WAI-ARIA menu pattern): arrow keys, Home/End, Escape, type-ahead free. */
export function Menu({
  label, buttonContent, items, align = "start", buttonClassName = "btn btn-sm", onOpen, testId,
}: {
  label: string;
  buttonContent?: ReactNode;
  items: MenuEntry[] | (() => MenuEntry[]);
  align?: "start" | "end";
  buttonClassName?: string;
  onOpen?: () => void;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const [up, setUp] = useState(false);
  const id = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const entries = open ? (typeof items === "function" ? items() : items) : [];

  const focusItem = useCallback((index: number | "first" | "last") => {
    const els = Array.from(list.current?.querySelectorAll<HTMLElement>("[role=menuitem]:not([aria-disabled=true])") ?? []);
    if (els.length === 0) return;
    const i = index === "first" ? 0 : index === "last" ? els.length - 1 : (index + els.length) % els.length;
    els[i]?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    const t = setTimeout(() => focusItem("first"), 0);
    const onDoc = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDoc);
    return () => {
      clearTimeout(t);
      document.removeEventListener("mousedown", onDoc);
    };
  }, [open, focusItem]);

  // A menu that would be cut off below (by a scrolling list or the window) opens upwards.
  useLayoutEffect(() => {
    if (!open) {
      setUp(false);
      return;
    }
    const el = list.current;
    const anchor = wrap.current;
    if (!el || !anchor || typeof window === "undefined") return;
    let clip: HTMLElement | null = anchor.parentElement;
    while (clip && !/(auto|scroll|hidden)/.test(getComputedStyle(clip).overflowY)) clip = clip.parentElement;
    const box = clip?.getBoundingClientRect();
    const bottom = Math.min(window.innerHeight, box?.bottom ?? Infinity);
    const top = Math.max(0, box?.top ?? 0);
    const menu = el.getBoundingClientRect();
    const at = anchor.getBoundingClientRect();
    if (menu.bottom > bottom && at.top - top > menu.height) setUp(true);
  }, [open]);

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const onListKey = (e: KeyboardEvent) => {
    const els = Array.from(list.current?.querySelectorAll<HTMLElement>("[role=menuitem]:not([aria-disabled=true])") ?? []);
    const i = els.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown") { e.preventDefault(); focusItem(i + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); focusItem(i - 1); }
    else if (e.key === "Home") { e.preventDefault(); focusItem("first"); }
    else if (e.key === "End") { e.preventDefault(); focusItem("last"); }
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
    else if (e.key === "Tab") close(false);
  };

  return (
    <div className="menu-wrap" ref={wrap}>
      <button
        ref={button}
        type="button"
        className={buttonClassName}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={buttonContent ? label : undefined}
        data-testid={testId}
        onClick={(e) => {
          e.stopPropagation();
          if (!open) onOpen?.();
          setOpen((v) => !v);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && !open) {
            e.preventDefault();
            onOpen?.();
            setOpen(true);
          }
        }}
      >
        {buttonContent ?? label}
      </button>
      {open ? (
        <ul className="menu" role="menu" id={id} aria-label={label} data-align={align} data-placement={up ? "top" : undefined} ref={list} onKeyDown={onListKey}>
          {entries.map((entry, i) => {
            if (entry.kind === "separator") return <li key={i} role="separator" className="menu-sep" />;
            if (entry.kind === "label") return <li key={i} role="presentation" className="menu-label">{entry.label}</li>;
            const common = {
              role: "menuitem",
              className: "menu-item",
              tabIndex: -1,
              "aria-disabled": entry.disabled || undefined,
              title: entry.hint,
              "data-testid": entry.testId,
            } as const;
            return (
              <li key={i} role="none">
                {entry.href && !entry.disabled ? (
                  <Link {...common} to={entry.href} onClick={() => close(false)}>
                    {entry.label}
                  </Link>
                ) : (
                  <button
                    {...common}
                    type="button"
                    onClick={(e) => {
                      e.stopPropagation();
                      if (entry.disabled) return;
                      close();
                      entry.onSelect?.();
                    }}
                  >
                    {entry.label}
                    {entry.disabled && entry.hint ? <span className="visually-hidden"> ({entry.hint})</span> : null}
                  </button>
                )}
              </li>
            );
          })}
          {entries.length === 0 ? <li role="none" className="menu-label">Nothing here</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
