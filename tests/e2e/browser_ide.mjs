// Drives the gateway's in-browser IDE in Debian's headless Chromium:
//   node tests/e2e/browser_ide.mjs GATEWAY_URL EMAIL SCREENSHOT
// Types a mutation into the editor, presses Run and prints what the response
// pane shows, plus every request the page tried to send off this machine.
import { chromium } from 'playwright-core';

const [url, email, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const outside = [];
try {
  const page = await browser.newPage();
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (['127.0.0.1', 'localhost', '[::1]'].includes(host) || route.request().url().startsWith('data:')) {
      return route.continue();
    }
    outside.push(route.request().url());
    return route.abort();
  });
  await page.goto(url);
  await page.getByRole('button', { name: 'Add operation' }).last().click();
  await page.locator('.monaco-editor').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(
    `mutation BrowserCheck { register(input: {email: "${email}", password: "correct horse battery", ` +
      'displayName: "Browser Tester"}) { user { displayName roles } } }',
  );
  await page.getByRole('button', { name: 'Run' }).click();
  // The response pane is the editor whose text starts with the JSON result.
  const panes = page.locator('.monaco-editor .view-lines');
  let response = '';
  for (let tries = 0; tries < 100 && !response.includes('"data"'); tries++) {
    await page.waitForTimeout(200);
    const texts = (await panes.allInnerTexts()).map((t) => t.replaceAll('\u00a0', ' '));
    response = texts.find((t) => t.trimStart().startsWith('{')) ?? '';
  }
  await page.screenshot({ path: screenshot });
  console.log(JSON.stringify({ response, outside }));
} finally {
  await browser.close();
}
