// Shared helpers of the browser tests (tests/browser/*.test.mjs), run by
// scripts/browser-tests.sh BASE_URL with `node --test`. They drive the system
// Chromium through playwright-core from .tools/node (scripts/node-tools.sh);
// nothing here downloads a browser.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const toolsDir = process.env.NODE_TOOLS_DIR || path.join(ROOT, '.tools/node');
const requireTool = createRequire(path.join(toolsDir, 'package.json'));
const { chromium } = requireTool('playwright-core');

export const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const SHOTS = path.join(ROOT, 'target/screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// A fresh Chromium with a fresh profile directory (removed by close()).
// Requests to any other origin than BASE are aborted and recorded.
export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'otp-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: DESKTOP,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10000);
  const foreign = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(BASE + '/') || url === BASE) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  let clipboard = false;
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
    clipboard = true;
  } catch (_) { /* asserted another way by the test */ }
  return {
    context, foreign, clipboard,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Records what a page must never do: uncaught errors, console errors
// (Content-Security-Policy refusals are console errors too) and CSP violations.
export async function watch(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
    });
  });
  return problems;
}

export function screenshotPath(name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name + '.png');
}

export const randomPhone = () => '55' + String(crypto.randomInt(0, 1e8)).padStart(8, '0');

async function http(method, url, { headers = {}, body } = {}) {
  const r = await fetch(BASE + url, { method, headers, body });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, json };
}

export async function getToken() {
  const r = await http('POST', '/api/v1/oauth/token', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret',
  });
  if (r.status !== 200 || !r.json || !r.json.access_token) throw new Error(`token: HTTP ${r.status} ${r.text}`);
  return r.json.access_token;
}

// Makes the sandbox send one SMS, the way a consumer would: a telemarketing
// generate to a fresh random phone (so no send throttle applies). Returns the
// phone and the OTP the server's outbox holds for it.
export async function makeSms(phone = randomPhone()) {
  const token = await getToken();
  const r = await http('POST', '/api/v1/x-global/security/tele-marketing/otp/generate', {
    headers: {
      uuid: 'a7d1e304-83a9-4413-af97-62615e57eae6',
      'Content-Type': 'application/json',
      'Accept-Language': 'en-US',
      countryCode: 'MX',
      businessCode: 'GCB',
      channelId: 'IVR',
      client_id: 'sandbox',
      Authorization: 'Bearer ' + token,
    },
    body: JSON.stringify({
      customerId: 'ui-test',
      phoneNumber: phone,
      messagePrefix: 'Citi Identification Code Service',
      messageSuffix: 'Reply HELP for help STOP to cancel',
    }),
  });
  if (r.status !== 200) throw new Error(`generate: HTTP ${r.status} ${r.text}`);
  const sentAt = Date.now();
  const sid = r.headers.get('sid');
  const box = await http('GET', '/sandbox/v1/sms?to=' + encodeURIComponent(phone));
  const m = box.json && box.json.messages && box.json.messages[0];
  if (!m || !m.otp) throw new Error(`outbox has no SMS to ${phone}: ${box.text}`);
  return { phone, otp: m.otp, text: m.text, sentAt, sid, token };
}

// A telemarketing validate of an SMS made by makeSms (optionally with a Prefer).
export async function validateSms(sms, prefer) {
  const headers = {
    uuid: 'a7d1e304-83a9-4413-af97-62615e57eae6',
    'Content-Type': 'application/json',
    'Accept-Language': 'en-US',
    countryCode: 'MX',
    businessCode: 'GCB',
    channelId: 'IVR',
    client_id: 'sandbox',
    Authorization: 'Bearer ' + sms.token,
    sid: sms.sid,
  };
  if (prefer) headers.Prefer = prefer;
  return http('POST', '/api/v1/x-global/security/tele-marketing/otp/validate', {
    headers,
    body: JSON.stringify({ customerId: 'ui-test', oneTimePasswordToken: sms.otp }),
  });
}

export const sandbox = {
  get: (p) => http('GET', '/sandbox/v1' + p),
  post: (p, body) => http('POST', '/sandbox/v1' + p, body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
};
