// The sandbox console (GET /sandbox) in headless Chromium, against a running
// sandbox server: BASE_URL=http://127.0.0.1:8080 node --test tests/browser/
// It resets the sandbox: do not point it at a sandbox others are using.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PHONE, DESKTOP, launch, watch, makeSms, validateSms, sandbox, screenshotPath } from './lib.mjs';

let browser;
let page;
let problems;

before(async () => {
  browser = await launch();
  page = await browser.context.newPage();
  problems = await watch(page);
  const r = await page.goto(BASE + '/sandbox');
  assert.equal(r.status(), 200);
  await page.locator('#conn[data-state="live"]').waitFor();
  await page.evaluate(() => { window.__notReloaded = true; });
});

after(async () => {
  if (browser) await browser.close();
});

// The outbox addresses a telemarketing SMS to the E.164 number (+52 for MX).
const e164 = (phone) => '+52' + phone;
const item = (phone) => page.locator(`#messages li[data-to="${e164(phone)}"]`);

test('a new SMS appears in the open inbox within 1 s, with its OTP, time and text', async (t) => {
  const sms = await makeSms();
  await item(sms.phone).waitFor({ state: 'visible', timeout: Math.max(1, 1000 - (Date.now() - sms.sentAt)) });
  t.diagnostic(`shown ${Date.now() - sms.sentAt} ms after the generate answered`);
  assert.equal(await item(sms.phone).locator('.otp').textContent(), sms.otp);
  assert.equal(await item(sms.phone).locator('.msg-text').textContent(), sms.text);
  assert.match(await item(sms.phone).locator('time').textContent(), /^(just now|\d+ s ago)$/);
  assert.equal(await page.locator('#messages li').first().getAttribute('data-to'), e164(sms.phone), 'newest first');
  assert.equal(await page.evaluate(() => window.__notReloaded), true, 'no reload');
  // the request shows up in "Recent requests", phone masked
  const row = page.locator('#requests tr', { hasText: 'generateTelemarketingOtp' }).filter({ hasText: sms.phone.slice(-4) }).first();
  await row.waitFor({ timeout: 1000 });
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[2], '200');
  assert.ok(!cells.join(' ').includes(sms.phone), 'the full phone number is not shown');
  assert.equal(cells[5], 'sandbox', 'the client');
  assert.equal(cells[7], 'a7d1e304-83a9-4413-af97-62615e57eae6');
});

test('the inbox is filtered by phone', async () => {
  const a = await makeSms();
  const b = await makeSms();
  await item(b.phone).waitFor();
  await page.fill('#filter', a.phone.slice(-6));
  await item(a.phone).waitFor({ state: 'visible' });
  await item(b.phone).waitFor({ state: 'hidden' });
  assert.match(new URL(page.url()).search, new RegExp('to=' + a.phone.slice(-6)));
  await page.fill('#filter', '000000000000000');
  await item(a.phone).waitFor({ state: 'hidden' });
  await page.locator('#empty').waitFor({ state: 'visible' });
  await page.fill('#filter', '');
  await item(b.phone).waitFor({ state: 'visible' });
});

test('Copy puts the OTP on the clipboard', async (t) => {
  const sms = await makeSms();
  const copy = item(sms.phone).getByRole('button', { name: /^Copy/ });
  await copy.click();
  let clip = null;
  try { clip = await page.evaluate(() => navigator.clipboard.readText()); } catch (_) { clip = null; }
  if (clip !== null) {
    t.diagnostic('clipboard read back');
    assert.equal(clip, sms.otp);
    assert.equal(await copy.textContent(), 'Copied');
  } else {
    // no clipboard in this browser: the code must be selectable as a whole
    t.diagnostic('no clipboard: checked that the OTP is selectable');
    const otp = item(sms.phone).locator('.otp');
    assert.equal(await otp.evaluate((e) => getComputedStyle(e).userSelect), 'all');
    await otp.click();
    assert.equal(await page.evaluate(() => getSelection().toString()), sms.otp);
  }
});

test('the keyboard reaches the Copy and Reset buttons, with a visible focus', async () => {
  const sms = await makeSms();
  await item(sms.phone).waitFor();
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  const reached = new Set();
  for (let i = 0; i < 40 && reached.size < 2; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const e = document.activeElement;
      const cs = getComputedStyle(e);
      return { id: e.id, cls: e.className, to: e.closest('li') && e.closest('li').dataset.to,
        outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 };
    });
    if (f.id === 'reset') { reached.add('reset'); assert.ok(f.outline, 'Reset shows its focus'); }
    if (f.cls === 'copy' && f.to === e164(sms.phone)) { reached.add('copy'); assert.ok(f.outline, 'Copy shows its focus'); }
  }
  assert.deepEqual([...reached].sort(), ['copy', 'reset']);
  // Enter on the focused Copy button copies too
  await page.keyboard.press('Enter');
  await item(sms.phone).getByRole('button', { name: /^Copy/ }).filter({ hasText: /Copied|Ctrl\+C/ }).waitFor();
});

test('Advance clock changes the shown offset; a bad value is refused', async () => {
  const before = Number(await page.locator('#clock-offset').getAttribute('data-seconds'));
  await page.fill('#advance-seconds', '120');
  await page.getByRole('button', { name: 'Advance clock' }).click();
  await page.locator(`#clock-offset[data-seconds="${before + 120}"]`).waitFor();
  assert.match(await page.locator('#clock-offset').textContent(), new RegExp('^\\+' + (before + 120) + ' s'));
  const c = await sandbox.get('/clock');
  assert.equal(c.json.offsetSeconds, before + 120);
  await page.fill('#advance-seconds', '-5');
  await page.getByRole('button', { name: 'Advance clock' }).click();
  await page.locator('#control-msg[data-kind="error"]').waitFor();
  assert.equal((await sandbox.get('/clock')).json.offsetSeconds, before + 120);
});

test('Reset asks first, then empties the inbox and the clock offset', async () => {
  await makeSms();
  await page.locator('#messages li').first().waitFor();
  page.once('dialog', (d) => d.dismiss());
  await page.getByRole('button', { name: 'Reset sandbox' }).click();
  await page.waitForTimeout(300);
  assert.ok(await page.locator('#messages li').count() > 0, 'cancelled: nothing is reset');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Reset sandbox' }).click();
  await page.locator('#messages li').first().waitFor({ state: 'detached' });
  await page.locator('#empty').waitFor({ state: 'visible' });
  await page.locator('#clock-offset[data-seconds="0"]').waitFor();
  assert.equal((await sandbox.get('/sms')).json.messages.length, 0);
});

test('a page opened later lists what was sent before (GET on connect)', async () => {
  const sms = await makeSms();
  const other = await browser.context.newPage();
  const otherProblems = await watch(other);
  await other.goto(BASE + '/sandbox?to=' + sms.phone);
  await other.locator(`#messages li[data-to="${e164(sms.phone)}"]`).waitFor({ state: 'visible' });
  assert.equal(await other.locator('#filter').inputValue(), sms.phone, '?to= fills the filter');
  assert.equal(await other.locator('#messages li:not([hidden])').count(), 1);
  assert.ok(await other.locator('#requests tr').count() > 0, 'recent requests listed');
  await other.close();
  assert.deepEqual(otherProblems, []);
});

test('at 1280 px the recent requests are whole: the uuid column is not cut off', async () => {
  await makeSms();
  await page.setViewportSize(DESKTOP);
  const row = page.locator('#requests tr').first();
  await row.waitFor();
  const fit = await page.evaluate(() => {
    const wrap = document.querySelector('.requests .table-wrap');
    const uuid = document.querySelector('#requests tr td.c-uuid');
    const w = wrap.getBoundingClientRect();
    const u = uuid.getBoundingClientRect();
    return { overflow: wrap.scrollWidth - wrap.clientWidth, uuidRight: u.right, wrapRight: w.right,
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth };
  });
  assert.ok(fit.overflow <= 0, `the table scrolls sideways by ${fit.overflow} px`);
  assert.ok(fit.uuidRight <= fit.wrapRight + 0.5, `the uuid cell ends at ${fit.uuidRight}, past ${fit.wrapRight}`);
  assert.ok(fit.page <= 0, 'no page scrolling sideways');
  assert.equal(await row.locator('td.c-uuid').textContent(), 'a7d1e304-83a9-4413-af97-62615e57eae6');
});

test('an SMS card shows whether its OTP was used or has expired', async () => {
  const used = await makeSms();
  const card = item(used.phone);
  await card.locator('.badge.state[data-state="live"]').waitFor();
  const r = await validateSms(used);
  assert.equal(r.status, 200, r.text);
  await card.locator('.badge.state[data-state="used"]').waitFor({ timeout: 3000 });
  assert.equal(await card.getAttribute('data-state'), 'used');
  assert.equal(await card.locator('.badge.state').textContent(), 'used');

  const late = await makeSms();
  await item(late.phone).locator('.badge.state[data-state="live"]').waitFor();
  const moved = await sandbox.post('/clock', { advanceSeconds: 301 });
  assert.equal(moved.status, 200);
  await item(late.phone).locator('.badge.state[data-state="expired"]').waitFor({ timeout: 3000 });
  assert.equal(await item(late.phone).locator('.badge.state').textContent(), 'expired');
  assert.equal(await card.getAttribute('data-state'), 'used', 'used stays used');
});

test('the coverage matrix shows what a client was given, forced rows apart', async () => {
  const sms = await makeSms();
  const forced = await validateSms(sms, 'error="OTP Token Expired"');
  assert.equal(forced.status, 400);
  await page.selectOption('#client', 'sandbox');
  assert.match(new URL(page.url()).search, /client=sandbox/);
  const chip = (row) => page.locator(`#coverage .chip[data-row="${row}"]`);
  await chip('generateTelemarketingOtp 200 -').and(page.locator('[data-exercised="true"]')).waitFor();
  await chip('validateTelemarketingOtp 400 OTP Token Expired').and(page.locator('[data-forced="true"]')).waitFor();
  assert.equal(await chip('getCertifiedPhone 500 serverUnavailable').getAttribute('data-exercised'), 'false');
  const cov = (await sandbox.get('/coverage?client_id=sandbox')).json;
  assert.equal(await page.locator('#coverage-summary').getAttribute('data-exercised'), String(cov.exercised));
  // the filter keeps this client's SMS and requests; a client with none shows none
  await page.selectOption('#client', 'sandbox-aes');
  await page.locator('#messages li:not([hidden])').first().waitFor({ state: 'detached' }).catch(() => {});
  assert.equal(await page.locator('#messages li:not([hidden])').count(), 0);
  assert.equal(await page.locator('#requests tr:not([hidden])').count(), 0);
  await page.selectOption('#client', '');
  await item(sms.phone).waitFor({ state: 'visible' });
});

test('screenshots and small screens', async () => {
  await makeSms();
  await page.locator('#messages li').first().waitFor();
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: screenshotPath('console-desktop'), fullPage: true });
  for (const width of [390, 360]) {
    await page.setViewportSize({ width, height: PHONE.height });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at ${width} px (overflow ${overflow} px)`);
  }
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: screenshotPath('console-390'), fullPage: true });
  await page.setViewportSize(DESKTOP);

  const home = await browser.context.newPage();
  const homeProblems = await watch(home);
  assert.equal((await home.goto(BASE + '/')).status(), 200);
  assert.equal(await home.getByRole('link', { name: 'SMS inbox and controls' }).getAttribute('href'), '/sandbox');
  assert.equal(await home.getByRole('link', { name: 'API documentation' }).getAttribute('href'), '/docs');
  await home.screenshot({ path: screenshotPath('home-desktop') });
  await home.close();
  assert.deepEqual(homeProblems, []);
});

test('no errors, no CSP violations, no request to another origin', async () => {
  assert.deepEqual(problems, []);
  assert.deepEqual(browser.foreign, []);
  await sandbox.post('/reset');
});
