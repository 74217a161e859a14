import type { ReactNode } from "react";

export function Badge({ tone, children, title }: { tone?: "accent" | "warning" | "success" | "danger"; children: ReactNode; title?: string }) {
  return (
    <span className={tone ? `badge badge-${tone}` : "badge"} title={title}>
      {children}
    </span>
  );
}

const PALETTE = ["#4740d4", "#b4235f", "#0f766e", "#9a3412", "#1d4ed8", "#6d28d9", "#166534", "#854d0e"];

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return "?";
  const first = parts[0]!.charAt(0);
  const last = parts.length > 1 ? parts[parts.length - 1]!.charAt(0) : parts[0]!.charAt(1);
  return (first + last).toUpperCase();
}

/** A person's initials on a colour derived from their login. Decorative unless `label` is given. */
export function Avatar({ login, name, size = "md", label }: { login: string; name?: string; size?: "md" | "lg"; label?: boolean }) {
  const bg = PALETTE[hash(login) % PALETTE.length];
  return (
    <span
      className={size === "lg" ? "avatar avatar-lg" : "avatar"}
      style={{ background: bg }}
      aria-hidden={label ? undefined : true}
      role={label ? "img" : undefined}
      aria-label={label ? name || login : undefined}
      title={name ? `${name} (@${login})` : `@${login}`}
    >
      {initials(name || login)}
    </span>
  );
}
