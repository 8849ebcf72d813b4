// The API documentation (GET /docs, swagger-ui served by the server itself)
// in headless Chromium, against a running sandbox server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PHONE, DESKTOP, launch, watch, screenshotPath, randomPhone, sandbox } from './lib.mjs';

const SPECS = [
  { file: '/specs/rao-token-management.yaml', title: 'xlg-pat-v-rao-token-management',
    paths: ['/v1/x-global/account-opening/rao/security/tokens/generate',
      '/v1/x-global/account-opening/rao/security/tokens/validate',
      '/v1/x-global/account-opening/rao/security/tokens/certified-phone'] },
  { file: '/specs/telemarketing-otp.yaml', title: 'XLG-SEC-P-BanamexOtpAuthentication',
    paths: ['/v1/x-global/security/tele-marketing/otp/generate',
      '/v1/x-global/security/tele-marketing/otp/validate'] },
  { file: '/specs/oauth-token.yaml', title: 'XLG-SEC-P-BanamexOAuthToken',
    paths: ['/v1/oauth/token'] },
];

let browser;
let page;
let problems;

before(async () => {
  browser = await launch();
  page = await browser.context.newPage();
  problems = await watch(page);
  const r = await page.goto(BASE + '/docs');
  assert.equal(r.status(), 200);
});

after(async () => {
  if (browser) await browser.close();
});

async function showSpec(spec) {
  await page.getByLabel('API').selectOption(spec.file);
  await page.locator('.swagger-ui .info .title', { hasText: spec.title }).waitFor();
  await page.locator('.swagger-ui .opblock').first().waitFor();
  const paths = await page.locator('.swagger-ui .opblock .opblock-summary-path').evaluateAll(
    (els) => els.map((e) => e.getAttribute('data-path') || e.textContent.trim()));
  return paths;
}

test('each of the three specs can be selected and shows its operations', async () => {
  // the first spec is shown without choosing
  await page.locator('.swagger-ui .info .title', { hasText: SPECS[0].title }).waitFor();
  for (const spec of SPECS) {
    const paths = await showSpec(spec);
    assert.deepEqual(paths.slice().sort(), spec.paths.slice().sort(), spec.file);
    assert.equal(await page.locator('.swagger-ui .opblock-post').count(), spec.paths.length);
  }
  // ?spec= picks one on load
  await page.goto(BASE + '/docs?spec=telemarketing-otp');
  await page.locator('.swagger-ui .info .title', { hasText: SPECS[1].title }).waitFor();
});

test('"Try it out" on the token endpoint gets a token from this server, with HTTP Basic or the form', async () => {
  await showSpec(SPECS[2]);
  const op = page.locator('.swagger-ui .opblock').filter({ has: page.locator('[data-path="/v1/oauth/token"]') });
  await op.locator('.opblock-summary').first().click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  await op.locator('tr[data-param-name="grant_type"] select').selectOption('client_credentials');
  // The Authorization parameter comes filled with its x-example: the sandbox
  // client's HTTP Basic credentials, so Execute works as it is.
  const basic = op.locator('tr[data-param-name="Authorization"] input');
  assert.equal(await basic.inputValue(), 'Basic c2FuZGJveDpzYW5kYm94LXNlY3JldA==');
  const execute = async () => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/oauth/token')),
      op.getByRole('button', { name: 'Execute' }).click(),
    ]);
    const request = response.request();
    assert.equal(request.url(), BASE + '/api/v1/oauth/token');
    assert.equal(request.method(), 'POST');
    const body = await response.text();
    assert.equal(response.status(), 200, body);
    const json = JSON.parse(body);
    assert.ok(json.access_token, 'an access_token: ' + body);
    assert.equal(json.token_type, 'Bearer');
    return request;
  };
  let request = await execute();
  const live = op.locator('.live-responses-table tbody tr.response');
  await live.locator('.response-col_status').waitFor();
  assert.equal((await live.locator('.response-col_status').textContent()).trim(), '200');
  assert.equal(request.headers().authorization, 'Basic c2FuZGJveDpzYW5kYm94LXNlY3JldA==');
  // the request URL shown is this server's
  assert.match(await op.locator('.request-url pre').textContent(), new RegExp('^' + BASE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '/api/v1/oauth/token'));
  await page.screenshot({ path: screenshotPath('docs-try-it-out'), fullPage: false });

  // The form instead: one authentication method per request (RFC 6749
  // section 2.3), so the Basic example is cleared first.
  await basic.fill('');
  // (Beside each optional form field swagger-ui puts its "Send empty value"
  // checkbox: the spec's allowEmptyValue, RFC 6749 section 3.1.)
  await op.locator('tr[data-param-name="client_id"] input[type="text"]').fill('sandbox');
  await op.locator('tr[data-param-name="client_secret"] input[type="text"]').fill('sandbox-secret');
  request = await execute();
  assert.equal(request.headers().authorization, undefined, 'no Authorization header');
  assert.match(request.postData(), /client_secret=sandbox-secret/);
});

test('"Authorize" gets a token from this server; then "Try it out" on telemarketing generate sends an SMS', async () => {
  await showSpec(SPECS[1]);
  await page.locator('.auth-wrapper .authorize').click();
  const modal = page.locator('.dialog-ux .modal-ux');
  await modal.locator('#client_id_application').fill('sandbox');
  await modal.locator('#client_secret_application').fill('sandbox-secret');
  const [tokenRequest] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/oauth/token')),
    modal.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click(),
  ]);
  // the spec's tokenUrl is the bank's host: it must have been rewritten
  assert.equal(tokenRequest.url(), BASE + '/api/v1/oauth/token');
  await modal.getByText('Authorized', { exact: true }).first().waitFor();
  await modal.locator('#api_key_value').fill('sandbox'); // X-IBM-Client-Id
  await modal.getByRole('button', { name: 'Apply credentials' }).click();
  await modal.locator('.btn-done').first().click();

  const op = page.locator('.swagger-ui .opblock').filter({ has: page.locator('[data-path="/v1/x-global/security/tele-marketing/otp/generate"]') });
  await op.locator('.opblock-summary').first().click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  await op.locator('tr[data-param-name="client_id"] input').fill('sandbox');
  await op.locator('tr[data-param-name="uuid"] input').fill('a7d1e304-83a9-4413-af97-62615e57eae6');
  const phone = randomPhone();
  await op.locator('textarea.body-param__text').fill(JSON.stringify({
    customerId: 'ui-test', phoneNumber: phone,
    messagePrefix: 'Citi Identification Code Service', messageSuffix: 'Reply HELP for help STOP to cancel',
  }, null, 2));
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/otp/generate')),
    op.getByRole('button', { name: 'Execute' }).click(),
  ]);
  assert.equal(request.url(), BASE + '/api/v1/x-global/security/tele-marketing/otp/generate');
  assert.match(request.headers().authorization, /^Bearer \S+$/, 'only the token, not the parameter default too');
  const live = op.locator('.live-responses-table tbody tr.response');
  await live.locator('.response-col_status').waitFor();
  const body = await live.locator('.highlight-code pre').first().textContent();
  assert.equal((await live.locator('.response-col_status').textContent()).trim(), '200', body);
  assert.match(JSON.parse(body).oneTimePasswordToken, /^[0-9A-Za-z]{3}$/);
  const box = await sandbox.get('/sms?to=' + phone);
  assert.equal(box.json.messages.length, 1, 'the SMS is in the outbox');
  assert.ok(box.json.messages[0].otp.toUpperCase().startsWith(JSON.parse(body).oneTimePasswordToken.toUpperCase()));
});

test('screenshots and small screens', async () => {
  await page.goto(BASE + '/docs?spec=telemarketing-otp');
  await page.locator('.swagger-ui .opblock').first().waitFor();
  assert.equal(await page.locator('.swagger-ui .scheme-container select').count(), 0, 'no "Schemes: HTTPS" picker');
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: screenshotPath('docs-desktop'), fullPage: false });
  for (const width of [390, 360]) {
    await page.setViewportSize({ width, height: PHONE.height });
    const o = await page.evaluate(() => ({
      bar: document.querySelector('.docs-top').scrollWidth - document.documentElement.clientWidth,
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    }));
    assert.ok(o.bar <= 0, `the bar fits ${width} px (overflow ${o.bar} px)`);
    assert.ok(o.page <= 0, `no sideways scrolling at ${width} px (overflow ${o.page} px)`);
  }
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: screenshotPath('docs-390'), fullPage: false });
  await page.setViewportSize(DESKTOP);
});

test('no errors, no CSP violations, no request to another origin', async () => {
  assert.deepEqual(problems, []);
  assert.deepEqual(browser.foreign, []);
});
