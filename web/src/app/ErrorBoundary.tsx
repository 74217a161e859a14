import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/**
 * Last line of defence: a render error (or a route chunk that no longer exists after a
 * deploy) shows a way out instead of a blank page.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Keep it visible to whoever opens the console; nothing is sent anywhere.
    console.error("Trellis screen failed", error, info.componentStack);
  }

  override componentDidUpdate(prev: { resetKey?: string }): void {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    const stale = /dynamically imported module|Failed to fetch|Importing a module script failed|error loading/i.test(error.message);
    return (
      <div className="state" role="alert">
        <h1>{stale ? "Trellis was updated" : "This screen failed to load"}</h1>
        <p>{stale ? "A newer version is available. Reload to continue." : "Something went wrong while showing this screen. Reloading usually helps."}</p>
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>Reload</button>
      </div>
    );
  }
}
