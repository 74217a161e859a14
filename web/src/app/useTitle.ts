import { useEffect } from "react";

/** Sets the tab title ("WEB-12 Fix login · Trellis") while the page is shown. */
export function useTitle(title: string | null | undefined): void {
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = `${title} · Trellis`;
    return () => {
      document.title = before;
    };
  }, [title]);
}
