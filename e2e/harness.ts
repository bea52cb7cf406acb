// Multi-browser harness: every peer is its own browser instance (a separate process tree), as real users are.
import { chromium, firefox, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
];

export type BrowserName = 'chromium' | 'firefox';

export interface PeerPage {
  name: BrowserName;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far: tests assert there are none. */
  errors: string[];
}

export async function launch(name: BrowserName): Promise<Browser> {
  if (name === 'chromium') {
    return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }
  return firefox.launch({
    channel: 'moz-firefox',
    executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    firefoxUserPrefs: {
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.no_host': false,
      'media.navigator.permission.disabled': true,
    },
  });
}

/** Open `url` in a fresh browser instance of the given kind. */
export async function openPeer(name: BrowserName, url: string, label = name): Promise<PeerPage> {
  const browser = await launch(name);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${label}: ${m.text()}`);
    if (process.env.E2E_VERBOSE) console.log(`[${label}] ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${label}: ${e.message}`));
  await page.goto(url);
  return { name, browser, context, page, errors };
}

export async function closeAll(peers: readonly PeerPage[]): Promise<void> {
  await Promise.all(peers.map((p) => p.browser.close().catch(() => undefined)));
}
