import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ApiError } from "../api/client";
import { endpoints } from "../api/endpoints";
import type { Suggestion, Suggestions } from "../api/types";
import { applySuggestion, caretLine } from "../lib/jql";
import { useDebounced } from "../lib/useDebounced";
import { Button } from "../ui";

export interface KnownSuggestions {
  for: string;
  data: Suggestions;
}

/**
 * Suggestions for `before` from an answer for an earlier text: the same when the text is
 * the same; when the person only typed more of the current word, the answer's entries
 * that still start with that word; otherwise none (wait for the server).
 */
export function narrowSuggestions(known: KnownSuggestions | null, before: string): Suggestions | null {
  if (!known) return null;
  if (known.for === before) return known.data;
  if (!before.startsWith(known.for)) return null;
  const typed = before.slice(known.for.length);
  if (!/^[^\s()=!<>~,]*$/.test(typed)) return null;
  const word = before.slice(Math.max(0, known.data.replace_from - 1)).replace(/^"/, "").toLowerCase();
  return {
    replace_from: known.data.replace_from,
    suggestions: known.data.suggestions.filter((s) => s.value.replace(/^"/, "").toLowerCase().startsWith(word)),
  };
}

export interface JqlErrorInfo {
  /** The user's query the error is about (what they submitted). */
  jql?: string;
  column: number | null;
  message: string;
  expected: string[];
}

/** The position and message of a JQL problem (400 `urn:trellis:problem:jql`), if it is one. */
export function jqlErrorOf(e: unknown, mapColumn?: (c: number) => number): JqlErrorInfo | null {
  const err = e as ApiError | null;
  if (!err || typeof err !== "object" || !("problem" in err)) return null;
  const p = err.problem;
  if (p.type !== "urn:trellis:problem:jql" && !(err.status === 422 && (p.field === "jql" || typeof p.column === "number"))) return null;
  const column = typeof p.column === "number" ? (mapColumn ? mapColumn(p.column) : p.column) : null;
  const expected = Array.isArray(p.expected) ? p.expected : typeof p.expected === "string" ? [p.expected] : [];
  // The server's detail names the column of the query it saw; say it in the user's terms.
  const message = (p.detail || p.title).replace(/\s*at column \d+\s*$/, "");
  return { column, message, expected };
}

/** Shows a JQL error with a caret under the column at fault. */
export function JqlErrorView({ jql, error }: { jql: string; error: JqlErrorInfo }) {
  return (
    <div className="jql-error" role="alert" data-testid="jql-error">
      <p className="error-text">
        {error.message}
        {error.column !== null ? ` (column ${error.column})` : ""}
        {error.expected.length > 0 ? `. Expected ${error.expected.slice(0, 8).join(", ")}` : ""}
      </p>
      {error.column !== null ? (
        <pre className="jql-caret" aria-hidden="true">
          <span>{jql}</span>
          {"\n"}
          <span className="caret" data-testid="jql-caret">{caretLine(jql, error.column)}</span>
        </pre>
      ) : null}
    </div>
  );
}

/**
 * A JQL input with autocomplete from `GET /search/autocomplete` (ARIA combobox).
 * Enter runs the query (or applies the highlighted suggestion); Tab applies a suggestion.
 */
export function JqlBar({
  org, value, onChange, onSubmit, error, label = "JQL query", placeholder, busy, extra,
}: {
  org: string;
  value: string;
  onChange: (v: string) => void;
  onSubmit: (v: string) => void;
  error?: JqlErrorInfo | null;
  label?: string;
  placeholder?: string;
  busy?: boolean;
  extra?: React.ReactNode;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [caret, setCaret] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const before = value.slice(0, caret);
  const debounced = useDebounced(before, 60);
  const qc = useQueryClient();
  const suggestions = useQuery({
    queryKey: ["org", org, "autocomplete", debounced],
    queryFn: () => endpoints.autocomplete(org, debounced),
    enabled: open,
    staleTime: 60_000,
    retry: false,
  });
  // The last answer and the text it was for: narrowed locally while the next one is on its way,
  // so typing a letter of a field or value updates the list in the same frame.
  const [known, setKnown] = useState<KnownSuggestions | null>(null);
  useEffect(() => {
    if (suggestions.data) setKnown({ for: debounced, data: suggestions.data });
  }, [suggestions.data, debounced]);
  const cached = qc.getQueryData<Suggestions>(["org", org, "autocomplete", before]);
  const visible = cached ?? narrowSuggestions(known, before);
  const items: Suggestion[] = open ? (visible?.suggestions ?? []).slice(0, 12) : [];
  const showList = open && items.length > 0;

  useEffect(() => setActive(-1), [before]);

  const apply = (s: Suggestion) => {
    const from = visible?.replace_from ?? caret + 1;
    const next = applySuggestion(value, caret, from, s.value);
    onChange(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => {
      input.current?.setSelectionRange(next.caret, next.caret);
      input.current?.focus();
    });
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" && items.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % items.length);
    } else if (e.key === "ArrowUp" && items.length) {
      e.preventDefault();
      setActive((a) => (a <= 0 ? items.length - 1 : a - 1));
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (showList && active >= 0 && items[active]) apply(items[active]!);
      else {
        setOpen(false);
        onSubmit(value);
      }
    } else if (e.key === "Tab" && showList && !e.shiftKey) {
      const s = items[active >= 0 ? active : 0];
      if (s) {
        e.preventDefault();
        apply(s);
      }
    } else if (e.key === "Escape") {
      if (showList) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false);
      }
    }
  };

  const syncCaret = () => setCaret(input.current?.selectionStart ?? value.length);

  return (
    <div className="jql">
      <form className="jql-row" role="search" aria-label={label} onSubmit={(e) => { e.preventDefault(); setOpen(false); onSubmit(value); }}>
        <label htmlFor={id} className="visually-hidden">{label}</label>
        <div className="jql-combo">
          <input
            ref={input}
            id={id}
            className="input jql-input"
            role="combobox"
            aria-expanded={showList}
            aria-controls={`${id}-list`}
            aria-autocomplete="list"
            aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-err` : undefined}
            spellCheck={false}
            autoComplete="off"
            placeholder={placeholder ?? 'e.g. assignee = currentUser() AND status != Done ORDER BY priority DESC'}
            value={value}
            data-testid="jql-input"
            onChange={(e) => {
              onChange(e.target.value);
              setCaret(e.target.selectionStart ?? e.target.value.length);
              setOpen(true);
            }}
            onKeyDown={onKey}
            onKeyUp={(e) => { if (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End") syncCaret(); }}
            onClick={() => { syncCaret(); setOpen(true); }}
            onFocus={() => setOpen(true)}
            onBlur={() => setTimeout(() => setOpen(false), 120)}
          />
          <ul id={`${id}-list`} role="listbox" aria-label="Suggestions" className="jql-suggestions" hidden={!showList}>
            {items.map((s, i) => (
              <li
                key={`${s.kind}-${s.value}`}
                id={`${id}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                className="jql-option"
                onMouseDown={(e) => { e.preventDefault(); apply(s); }}
              >
                <span className="mono">{s.value}</span>
                <span className="muted jql-kind">{s.kind}</span>
              </li>
            ))}
          </ul>
        </div>
        <Button type="submit" variant="primary" disabled={busy}>Search</Button>
        {extra}
      </form>
      <div id={`${id}-err`}>{error ? <JqlErrorView jql={error.jql ?? value} error={error} /> : null}</div>
    </div>
  );
}
