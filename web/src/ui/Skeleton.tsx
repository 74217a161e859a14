export function Skeleton({ width = "100%", height = "0.9rem", style }: { width?: string | number; height?: string | number; style?: React.CSSProperties }) {
  return <span className="skeleton" aria-hidden="true" style={{ display: "block", width, height, ...style }} />;
}

export function SkeletonRows({ rows = 6, label = "Loading" }: { rows?: number; label?: string }) {
  return (
    <div role="status" aria-label={label} className="stack" style={{ padding: "var(--space-3)" }}>
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height="1.6rem" width={`${90 - ((i * 13) % 30)}%`} />
      ))}
      <span className="visually-hidden">{label}…</span>
    </div>
  );
}
