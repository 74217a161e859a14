import { createContext, useContext } from "react";
import type { Problem } from "../api/client";

export interface AppUi {
  openCreate: (defaults?: { project?: string; status?: string }) => void;
  openHelp: () => void;
  /** A 402 anywhere lands here: the upgrade (plan-limit) or portal (read-only) path. */
  paymentRequired: (problem: Problem) => void;
}

export const AppUiContext = createContext<AppUi>({
  openCreate: () => {},
  openHelp: () => {},
  paymentRequired: () => {},
});

export function useAppUi(): AppUi {
  return useContext(AppUiContext);
}

/** Last project the person looked at, per org, so `g b` / `g l` know where to go. */
export function rememberProject(org: string, key: string): void {
  try {
    sessionStorage.setItem(`trellis:last-project:${org}`, key);
  } catch {
    /* storage may be unavailable */
  }
}
export function lastProject(org: string): string | null {
  try {
    return sessionStorage.getItem(`trellis:last-project:${org}`);
  } catch {
    return null;
  }
}
