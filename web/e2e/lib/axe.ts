// axe-core on the current page: every WCAG 2.x A/AA rule; a test fails on any
// serious or critical violation. Results are collected per screen and width and
// printed (and written to $E2E_RESULTS_DIR/axe-<width>.json) at the end of each file.
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export interface AxeRow {
  screen: string;
  width: number;
  violations: number;
  serious: number;
  details: string[];
}

export const RESULTS_DIR = process.env.E2E_RESULTS_DIR ?? resolve(tmpdir(), 'trellis-e2e-results');

export async function axe(page: Page, screen: string, include?: string): Promise<AxeRow> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']);
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const row: AxeRow = {
    screen,
    width: page.viewportSize()?.width ?? 0,
    violations: results.violations.length,
    serious: serious.length,
    details: results.violations.map(
      (v) => `${v.impact ?? '?'} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`,
    ),
  };
  record(row);
  return row;
}

function record(row: AxeRow): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = axeFile(row.width);
  const all: AxeRow[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AxeRow[]) : [];
  const rest = all.filter((r) => !(r.screen === row.screen && r.width === row.width));
  writeFileSync(file, JSON.stringify([...rest, row], null, 2));
}

/** Whether the page scrolls sideways at its width (unusable on a phone). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** One file per width: the two widths run in different worker processes. */
export function axeFile(width: number): string {
  return resolve(RESULTS_DIR, `axe-${width}.json`);
}
