// Every main screen at 1280 px: axe-core (0 serious/critical), no sideways scroll,
// no console error or unexpected failed request. The screens are in lib/screens.ts.
import { DESKTOP } from '../lib/browser.ts';
import { screensAt } from '../lib/screens.ts';

screensAt(DESKTOP);
