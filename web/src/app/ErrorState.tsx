import { Link } from "react-router";
import { describeError, isApiError } from "../api/client";
import { Button } from "../ui";

/** One place that turns any error into the right screen: 403, 404, 429, 5xx, offline. */
export function ErrorState({ error, retry, what = "this page" }: { error: unknown; retry?: () => void; what?: string }) {
  if (isApiError(error)) {
    if (error.status === 404) return <NotFoundState what={what} />;
    if (error.status === 403) {
      return (
        <div className="state" role="alert">
          <h1>You don’t have access to {what}</h1>
          <p>Your role in this organization does not allow it. Ask an owner or admin if you need it.</p>
        </div>
      );
    }
    if (error.status === 429) {
      return (
        <div className="state" role="alert">
          <h1>Slow down a little</h1>
          <p>Too many requests. Try again {error.retryAfter !== null ? `in ${error.retryAfter} seconds` : "in a moment"}.</p>
          {retry ? <Button onClick={retry}>Try again</Button> : null}
        </div>
      );
    }
    if (error.status >= 500) {
      return (
        <div className="state" role="alert">
          <h1>Something went wrong on our side</h1>
          <p>{error.problem.title}{error.problem.detail ? `: ${error.problem.detail}` : ""}</p>
          {error.requestId ? <p>Request id <code data-testid="request-id">{error.requestId}</code></p> : null}
          {retry ? <Button onClick={retry}>Try again</Button> : null}
        </div>
      );
    }
  }
  return (
    <div className="state" role="alert">
      <h1>Could not load {what}</h1>
      <p>{describeError(error)}</p>
      {retry ? <Button onClick={retry}>Try again</Button> : null}
    </div>
  );
}

export function NotFoundState({ what = "this page" }: { what?: string }) {
  return (
    <div className="state" role="alert">
      <h1>Not found</h1>
      <p>We couldn’t find {what}. It may have been deleted, or you may not have access.</p>
      <Link to="/">Go to your home page</Link>
    </div>
  );
}
