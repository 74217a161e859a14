import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { Button } from "./Button";

type Tone = "info" | "success" | "error";
interface ToastItem {
  id: number;
  message: ReactNode;
  tone: Tone;
  action?: { label: string; onClick: () => void };
}
interface ToastApi {
  show: (message: ReactNode, opts?: { tone?: Tone; action?: ToastItem["action"]; timeout?: number }) => void;
  error: (message: ReactNode) => void;
  success: (message: ReactNode) => void;
}

const Ctx = createContext<ToastApi | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const show = useCallback<ToastApi["show"]>((message, opts = {}) => {
    const id = next.current++;
    setItems((xs) => [...xs.slice(-3), { id, message, tone: opts.tone ?? "info", action: opts.action }]);
    const timeout = opts.timeout ?? (opts.tone === "error" ? 9000 : 5000);
    if (timeout > 0) setTimeout(() => dismiss(id), timeout);
  }, [dismiss]);
  const api = useMemo<ToastApi>(() => ({
    show,
    error: (m) => show(m, { tone: "error" }),
    success: (m) => show(m, { tone: "success" }),
  }), [show]);
  return (
    <Ctx.Provider value={api}>
      {children}
      <ul className="toasts" aria-live="polite" aria-label="Notifications">
        {items.map((t) => (
          <li key={t.id} className="toast" data-tone={t.tone} role={t.tone === "error" ? "alert" : "status"}>
            <div className="grow">{t.message}</div>
            {t.action ? (
              <Button size="sm" onClick={() => { t.action!.onClick(); dismiss(t.id); }}>{t.action.label}</Button>
            ) : null}
            <Button size="sm" variant="ghost" icon aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>✕</Button>
          </li>
        ))}
      </ul>
    </Ctx.Provider>
  );
}

export function useToast(): ToastApi {
  const v = useContext(Ctx);
  if (!v) throw new Error("useToast outside ToastProvider");
  return v;
}
