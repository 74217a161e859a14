// Injected before the app's scripts (addInitScript; CSP does not apply to it).
// - long tasks, from a PerformanceObserver;
// - the first input event (keydown, click, input, change) after a measurement is armed;
// - __waitPaint(pred): resolves once `pred()` holds and the frame showing it has been
//   painted (the next requestAnimationFrame after the one that saw it), with the time
//   from that input event to then.
(() => {
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no long task API */
  }
  let armed = false;
  let input = null;
  for (const type of ['keydown', 'click', 'input', 'change']) {
    addEventListener(type, (e) => {
      if (armed && input === null) input = { type, time: e.timeStamp };
    }, true);
  }
  window.__arm = () => {
    armed = true;
    input = null;
  };
  window.__waitPaint = (pred, timeoutMs = 10000) =>
    new Promise((resolve, reject) => {
      const began = performance.now();
      const tick = () => {
        let ok = false;
        try {
          ok = input !== null && pred();
        } catch {
          ok = false;
        }
        if (ok) {
          requestAnimationFrame(() => {
            const painted = performance.now();
            armed = false;
            resolve({ ms: painted - input.time, input: input.type, painted });
          });
          return;
        }
        if (performance.now() - began > timeoutMs) {
          armed = false;
          reject(new Error(`not painted within ${timeoutMs} ms (input: ${input ? input.type : 'none'})`));
          return;
        }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  // The board is interactive once every column shows cards that can be picked up.
  window.__boardReadyAt = null;
  const watchBoard = () => {
    const cols = document.querySelectorAll('[data-testid="board"] section[role="region"]');
    const ready =
      cols.length >= 3 &&
      Array.from(cols).every((c) => c.querySelector('[aria-roledescription="draggable ticket"]'));
    if (ready) {
      requestAnimationFrame(() => {
        window.__boardReadyAt = performance.now();
      });
      return;
    }
    if (performance.now() < 30000) requestAnimationFrame(watchBoard);
  };
  requestAnimationFrame(watchBoard);
  /** Time from navigation start to the paint of the frame where `pred()` first holds. */
  window.__readyPaint = (pred, timeoutMs = 20000) =>
    new Promise((resolve, reject) => {
      const tick = () => {
        let ok = false;
        try {
          ok = pred();
        } catch {
          ok = false;
        }
        if (ok) {
          requestAnimationFrame(() => resolve(performance.now()));
          return;
        }
        if (performance.now() > timeoutMs) return reject(new Error('not ready'));
        requestAnimationFrame(tick);
      };
      tick();
    });
})();
