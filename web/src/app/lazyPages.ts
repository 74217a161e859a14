// Route chunks, loaded on demand; the likely next screens are warmed when the browser is idle
// (and the ticket page on hover of a row or card), so opening them paints at once.
export const loadBoardPage = () => import("../pages/BoardPage");
export const loadListPage = () => import("../pages/ListPage");
export const loadTicketPage = () => import("../pages/TicketPage");
export const loadBacklogPage = () => import("../pages/BacklogPage");

let warmed = false;
export function warmLikelyPages(): void {
  if (warmed || typeof window === "undefined") return;
  warmed = true;
  const idle = (cb: () => void) =>
    "requestIdleCallback" in window ? window.requestIdleCallback(cb, { timeout: 3000 }) : setTimeout(cb, 1500);
  // After the first screen has had its turn on the network and the main thread.
  setTimeout(() => idle(() => {
    void loadTicketPage();
    void loadBoardPage();
    void loadListPage();
  }), 1500);
}
