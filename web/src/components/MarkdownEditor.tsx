import { lazy, Suspense, useId, useState } from "react";
import { Tabs } from "../ui";

const Markdown = lazy(() => import("./Markdown"));

/** A textarea with Write / Preview tabs. */
export function MarkdownEditor({
  label, value, onChange, placeholder, autoFocus, rows = 8, onSubmitShortcut, testId,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  autoFocus?: boolean;
  rows?: number;
  onSubmitShortcut?: () => void;
  testId?: string;
}) {
  const [tab, setTab] = useState("write");
  const id = useId();
  return (
    <div className="md-editor">
      <Tabs label={`${label}: write or preview`} tabs={[{ id: "write", label: "Write" }, { id: "preview", label: "Preview" }]} value={tab} onChange={setTab}>
        {tab === "write" ? (
          <>
            <label htmlFor={id} className="visually-hidden">{label}</label>
            <textarea
              id={id}
              className="textarea"
              value={value}
              rows={rows}
              placeholder={placeholder}
              autoFocus={autoFocus}
              data-testid={testId}
              onChange={(e) => onChange(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.metaKey || e.ctrlKey) && onSubmitShortcut) {
                  e.preventDefault();
                  onSubmitShortcut();
                }
              }}
            />
            <span className="hint">Markdown supported. {onSubmitShortcut ? "Ctrl+Enter to save." : ""}</span>
          </>
        ) : (
          <div className="md-preview" aria-label={`${label} preview`}>
            <Suspense fallback={<span className="muted">Rendering…</span>}>
              {value.trim() ? <Markdown source={value} /> : <p className="muted">Nothing to preview.</p>}
            </Suspense>
          </div>
        )}
      </Tabs>
    </div>
  );
}
