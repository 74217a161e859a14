import { useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { endpoints, qk } from "../../api/endpoints";
import { useDebounced } from "../../lib/useDebounced";
import { keySearchJql } from "./links";

/** A ticket-key input that suggests tickets as you type (the search API: key or summary). */
export function KeyPicker({ org, label, value, onChange, exclude, testId }: {
  org: string; label: string; value: string; onChange: (v: string) => void; exclude?: string; testId?: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const q = useDebounced(value, 200);
  const jql = keySearchJql(q);
  const found = useQuery({
    queryKey: qk.search(org, `picker:${jql ?? ""}`),
    queryFn: ({ signal }) => endpoints.search(org, { jql: jql!, maxResults: 8, fields: ["key", "title", "status"] }, signal),
    enabled: open && !!jql,
    staleTime: 10_000,
  });
  const items = (found.data?.issues ?? []).filter((t) => t.key !== exclude);
  return (
    <div className="field key-picker">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input mono" value={value} autoComplete="off" role="combobox" aria-expanded={open && items.length > 0}
        aria-controls={`${id}-list`} aria-autocomplete="list" data-testid={testId}
        onChange={(e) => { onChange(e.target.value); setOpen(true); }} onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => { if (e.key === "Escape") setOpen(false); }} />
      {open && items.length ? (
        <ul id={`${id}-list`} role="listbox" aria-label={`${label} suggestions`} className="key-picker-list">
          {items.map((t) => (
            <li key={t.key} role="option" aria-selected={false} onMouseDown={(e) => { e.preventDefault(); onChange(t.key); setOpen(false); }}>
              <span className="mono">{t.key}</span> <span className="truncate">{t.title}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
