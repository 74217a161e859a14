import { useSearchParams } from "react-router";
import { useTitle } from "../app/useTitle";
import { API_BASE } from "../api/client";

/** Only paths on this app are allowed as a destination after sign-in. */
export function safeRedirect(target: string | null): string {
  if (!target || !target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) return "/";
  if (target.startsWith("/signin")) return "/";
  return target;
}

export default function SignInPage() {
  useTitle("Sign in");
  const [params] = useSearchParams();
  const redirectTo = safeRedirect(params.get("redirect_to"));
  const error = params.get("error");
  const href = `${API_BASE}/auth/github/login?redirect_to=${encodeURIComponent(redirectTo)}`;
  return (
    <main id="main" className="signin">
      <div className="signin-card card">
        <div className="signin-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <h1>Sign in to Trellis</h1>
        </div>
        <p className="muted">Plan, track and ship with your team.</p>
        {error ? (
          <p className="error-text" role="alert">
            Sign-in did not complete ({error}). Please try again.
          </p>
        ) : null}
        <a className="btn btn-primary signin-github" href={href} data-testid="github-sign-in">
          <svg aria-hidden="true" viewBox="0 0 16 16" width="18" height="18" fill="currentColor">
            <path d="M8 0C3.58 0 0 3.58 0 8c0 3.54 2.29 6.53 5.47 7.59.4.07.55-.17.55-.38 0-.19-.01-.82-.01-1.49-2.01.37-2.53-.49-2.69-.94-.09-.23-.48-.94-.82-1.13-.28-.15-.68-.52-.01-.53.63-.01 1.08.58 1.23.82.72 1.21 1.87.87 2.33.66.07-.52.28-.87.51-1.07-1.78-.2-3.64-.89-3.64-3.95 0-.87.31-1.59.82-2.15-.08-.2-.36-1.02.08-2.12 0 0 .67-.21 2.2.82.64-.18 1.32-.27 2-.27.68 0 1.36.09 2 .27 1.53-1.04 2.2-.82 2.2-.82.44 1.1.16 1.92.08 2.12.51.56.82 1.27.82 2.15 0 3.07-1.87 3.75-3.65 3.95.29.25.54.73.54 1.48 0 1.07-.01 1.93-.01 2.2 0 .21.15.46.55.38A8.013 8.013 0 0016 8c0-4.42-3.58-8-8-8z" />
          </svg>
          Sign in with GitHub
        </a>
        <div className="signin-local">
          <h2>Running Trellis locally?</h2>
          <p>
            Open the one-time sign-in link that <code>trellis serve</code> printed in its terminal
            (<code>/auth/local-login?token=…</code>, valid for 15 minutes). Restart the server for a fresh one.
          </p>
        </div>
      </div>
    </main>
  );
}
