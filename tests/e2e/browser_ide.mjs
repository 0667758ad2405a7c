// Drives the gateway's in-browser IDE (Hive Laboratory) in Debian's headless Chromium:
//   node tests/e2e/browser_ide.mjs GATEWAY_URL EMAIL SCREENSHOT
//     Types a mutation into the editor, presses Run and prints what the response
//     pane shows, plus every request the page tried to send off this machine.
//   node tests/e2e/browser_ide.mjs --collection GATEWAY_URL SCREENSHOT [OPERATION]
//     Prints the collections the IDE opens with and their operations, opens
//     OPERATION (default "1. Register") from the collection, runs it and prints
//     the response pane.
// Playwright's locators pierce the Laboratory's shadow DOM.
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const collectionMode = args[0] === '--collection';
const [url, ...rest] = collectionMode ? args.slice(1) : args;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const outside = [];

/** Waits for the response pane (the editor whose text starts with the JSON result). */
async function responseText(page) {
  const panes = page.locator('.monaco-editor .view-lines');
  let response = '';
  for (let tries = 0; tries < 100 && !response.includes('"data"'); tries++) {
    await page.waitForTimeout(200);
    const texts = (await panes.allInnerTexts()).map((t) => t.replaceAll('\u00a0', ' '));
    response = texts.find((t) => t.trimStart().startsWith('{') && t.includes('"data"')) ?? '';
  }
  return response;
}

async function typedMutation(page, email, screenshot) {
  await page.getByRole('button', { name: 'Add operation' }).last().click();
  await page.locator('.monaco-editor').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(
    `mutation BrowserCheck { register(input: {email: "${email}", password: "correct horse battery", ` +
      'displayName: "Browser Tester"}) { user { displayName roles } } }',
  );
  await page.getByRole('button', { name: 'Run' }).click();
  const response = await responseText(page);
  await page.screenshot({ path: screenshot });
  return { response };
}

async function collection(page, screenshot, operationName = '1. Register') {
  // The collections panel lists each collection as a folder button; open each one.
  const folders = page.getByRole('button', { name: /^Skill Circle/ });
  await folders.first().waitFor({ timeout: 20_000 }).catch(() => {});
  const collections = await folders.allInnerTexts();
  for (const name of collections) await page.getByRole('button', { name }).click();
  const operations = collections.length
    ? (await page.getByRole('button', { name: /^\d+\. / }).allInnerTexts()).map((t) => t.trim())
    : [];
  let response = '';
  if (operations.includes(operationName)) {
    await page.getByRole('button', { name: operationName }).click();
    await page.getByRole('button', { name: 'Run' }).click();
    response = await responseText(page);
  }
  await page.screenshot({ path: screenshot });
  return { collections: collections.map((t) => t.trim()), operations, response };
}

try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (['127.0.0.1', 'localhost', '[::1]'].includes(host) || route.request().url().startsWith('data:')) {
      return route.continue();
    }
    outside.push(route.request().url());
    return route.abort();
  });
  await page.goto(url);
  const seen = collectionMode ? await collection(page, ...rest) : await typedMutation(page, ...rest);
  console.log(JSON.stringify({ ...seen, outside }));
} finally {
  await browser.close();
}
