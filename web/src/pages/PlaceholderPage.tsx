const TEXT: Record<string, { title: string; body: string }> = {
  reports: { title: "Reports", body: "Burndown, velocity and cycle-time reports arrive with the reports issue." },
  notifications: { title: "Notifications", body: "Your inbox of mentions, assignments and watched-ticket changes arrives with the notifications issue (after watchers)." },
};

export default function PlaceholderPage({ kind }: { kind: keyof typeof TEXT }) {
  const t = TEXT[kind]!;
  return (
    <div className="page-narrow">
      <div className="page-header"><h1>{t.title}</h1></div>
      <div className="placeholder-box" data-testid={`placeholder-${kind}`}>
        <h2>This arrives with its own issue</h2>
        <p className="muted">{t.body}</p>
      </div>
    </div>
  );
}
