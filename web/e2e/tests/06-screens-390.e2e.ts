// Every main screen at 390 px (a phone): axe-core (0 serious/critical), no sideways
// scroll, no console error or unexpected failed request. The screens are in lib/screens.ts.
import { MOBILE } from '../lib/browser.ts';
import { screensAt } from '../lib/screens.ts';

screensAt(MOBILE);
