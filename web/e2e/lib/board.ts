import type { Locator, Page } from 'playwright-core';

export function column(page: Page, status: string): Locator {
  return page.getByRole('region', { name: status, exact: true });
}

/** The draggable body of a card (its accessible name starts with the key). */
export function card(scope: Page | Locator, key: string): Locator {
  return scope.getByRole('button', { name: new RegExp(`^${key} `) });
}

/** A mouse drag the way a person does it: press, move a little, travel, hover, drop. */
export async function mouseDrag(page: Page, from: Locator, to: Locator, whileOver?: () => Promise<void>): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('card or column is not visible');
  const x0 = a.x + a.width / 2;
  const y0 = a.y + a.height / 2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + 12, y0 + 4, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + Math.min(120, b.height / 2), { steps: 12 });
  await page.mouse.move(b.x + b.width / 2 + 2, b.y + Math.min(122, b.height / 2), { steps: 2 });
  if (whileOver) await whileOver();
  await page.mouse.up();
}

/** Presses keys at a person's pace (100 ms apart), as a keyboard user moves a card. */
export async function keys(page: Page, sequence: string[], gapMs = 100): Promise<void> {
  for (const [i, key] of sequence.entries()) {
    if (i > 0) await page.waitForTimeout(gapMs);
    await page.keyboard.press(key);
  }
}
