// otp-server sandbox console (GET /sandbox): the SMS inbox, the sandbox
// controls and the recent requests, live from GET /sandbox/v1/events.
// No framework, no external fetch: only the /sandbox/v1 API of this server.
'use strict';
(() => {
  const API = '/sandbox/v1';
  const MAX_MESSAGES = 200;
  const MAX_REQUESTS = 100;
  const $ = (id) => document.getElementById(id);
  const el = {
    conn: $('conn'), clockNow: $('clock-now'), clockOffset: $('clock-offset'),
    advance: $('advance'), seconds: $('advance-seconds'), reset: $('reset'), controlMsg: $('control-msg'),
    filter: $('filter'), list: $('messages'), count: $('inbox-count'), empty: $('empty'),
    requests: $('requests'), requestsEmpty: $('requests-empty'), announce: $('announce'),
    client: $('client'), resetClient: $('reset-client'), coverage: $('coverage'),
    coverageSummary: $('coverage-summary'), coverageHint: $('coverage-hint'),
  };
  let clientFilter = '';

  let skewMs = 0; // sandbox now minus this browser's Date.now()
  let messages = []; // newest first: {key, m, li, time}
  const byKey = new Map();
  let requestKeys = new Set();
  let pending = null; // events received while a reload is in flight
  let reloadGen = 0;
  let unseen = 0;
  const baseTitle = document.title;

  const sandboxNow = () => Date.now() + skewMs;
  const msgKey = (m) => m.to + '|' + m.sentAt + '|' + m.otp;
  const reqKey = (r) => [r.at, r.method, r.path, r.status, r.uuid, r.latencyMs].join('|');
  const digits = (s) => String(s || '').replace(/[\s().-]/g, '');

  function h(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  async function api(path, opts) {
    const r = await fetch(API + path, Object.assign({ cache: 'no-store', headers: { Accept: 'application/json' } }, opts));
    let body = null;
    if (r.status !== 204) { try { body = await r.json(); } catch (_) { body = null; } }
    if (!r.ok) {
      const why = body && (body.details || body.code || body.error);
      throw new Error((why ? why + ' ' : '') + '(HTTP ' + r.status + ')');
    }
    return body;
  }

  function say(text, kind) {
    el.controlMsg.textContent = text;
    el.controlMsg.dataset.kind = kind || 'info';
  }
  function announce(text) {
    el.announce.textContent = '';
    setTimeout(() => { el.announce.textContent = text; }, 50);
  }

  // ---- times -------------------------------------------------------------
  function ago(iso) {
    const s = Math.round((sandboxNow() - Date.parse(iso)) / 1000);
    if (!(s >= 5)) return 'just now';
    if (s < 60) return s + ' s ago';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ago';
    const hr = Math.floor(m / 60);
    if (hr < 48) return hr + ' h ago';
    return Math.floor(hr / 24) + ' d ago';
  }
  const utc = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  function fmtOffset(n) {
    let s = (n >= 0 ? '+' : '') + n + ' s';
    const a = Math.abs(n);
    if (a >= 60) {
      const d = Math.floor(a / 86400), hr = Math.floor(a % 86400 / 3600), mi = Math.floor(a % 3600 / 60);
      s += ' (' + [d && d + ' d', hr && hr + ' h', mi && mi + ' min'].filter(Boolean).join(' ') + ')';
    }
    return s;
  }

  function setClock(c) {
    if (!c || typeof c.now !== 'string') return;
    const t = Date.parse(c.now);
    if (!isNaN(t)) skewMs = t - Date.now();
    el.clockOffset.textContent = fmtOffset(Number(c.offsetSeconds) || 0);
    el.clockOffset.dataset.seconds = String(Number(c.offsetSeconds) || 0);
    tick();
  }

  function tick() {
    const now = sandboxNow();
    el.clockNow.textContent = utc(now);
    el.clockNow.dateTime = new Date(now).toISOString();
    for (const e of messages) {
      const t = ago(e.m.sentAt);
      if (e.time.textContent !== t) e.time.textContent = t;
      renderState(e);
    }
  }

  // ---- inbox -------------------------------------------------------------
  function matches(m) {
    const f = digits(el.filter.value);
    return (!f || digits(m.to).includes(f)) && (!clientFilter || m.clientId === clientFilter);
  }

  // used: the phone validated an OTP after this SMS; expired: past its
  // lifetime by the sandbox clock; else live.
  function otpState(m) {
    if (m.status === 'failed') return 'failed';
    if (m.usedAt) return 'used';
    const exp = Date.parse(m.expiresAt || '');
    if (!isNaN(exp) && exp <= sandboxNow()) return 'expired';
    return 'live';
  }
  const STATE_TEXT = { live: 'live', used: 'used', expired: 'expired', failed: 'not delivered' };
  function renderState(e) {
    const st = otpState(e.m);
    if (e.li.dataset.state !== st) {
      e.li.dataset.state = st;
      e.badge.dataset.state = st;
      e.badge.textContent = STATE_TEXT[st];
      e.badge.title = st === 'used' ? 'validated at ' + e.m.usedAt
        : st === 'failed' ? 'the gateway refused it: the send failed'
        : 'expires at ' + (e.m.expiresAt || '?');
    }
  }

  function renderCount() {
    const shown = messages.filter((e) => !e.li.hidden).length;
    const total = messages.length;
    el.count.textContent = total === 0 ? '' : shown === total ? '(' + total + ')' : '(' + shown + ' of ' + total + ')';
    el.empty.hidden = shown > 0;
    el.empty.textContent = total === 0
      ? 'No SMS yet. Every OTP the sandbox sends appears here at once.'
      : 'No SMS to a phone matching “' + el.filter.value + '”.';
  }

  function buildItem(m) {
    const li = h('li', { class: 'msg' });
    li.dataset.key = msgKey(m);
    li.dataset.to = m.to;
    li.append(h('span', { class: 'msg-to' }, m.to));
    const time = h('time', { datetime: m.sentAt, title: utc(Date.parse(m.sentAt)) }, ago(m.sentAt));
    li.append(time);
    const row = h('div', { class: 'otp-row' });
    const code = h('code', { class: 'otp' }, m.otp);
    const copy = h('button', { type: 'button', class: 'copy', 'aria-label': 'Copy OTP ' + m.otp + ' sent to ' + m.to }, 'Copy');
    const badge = h('span', { class: 'badge state' });
    row.append(code, copy, badge);
    if (m.status && m.status !== 'delivered') {
      const late = m.status === 'delayed' ? 'delivered late' + (m.deliveredAt ? ' (' + utc(Date.parse(m.deliveredAt)) + ')' : '') : 'failed';
      row.append(h('span', { class: 'badge delivery', 'data-delivery': m.status }, late));
    }
    if (m.clientId) row.append(h('span', { class: 'muted client' }, m.clientId));
    li.append(row, h('p', { class: 'msg-text' }, m.text));
    return { li, time, badge };
  }

  // Inserts m in date order (newest first); returns true when it was new.
  function addMessage(m, fresh) {
    if (!m || typeof m.to !== 'string' || typeof m.sentAt !== 'string') return false;
    const key = msgKey(m);
    if (byKey.has(key)) return false;
    const { li, time, badge } = buildItem(m);
    const entry = { key, m, li, time, badge };
    renderState(entry);
    let i = 0;
    while (i < messages.length && messages[i].m.sentAt > m.sentAt) i++;
    el.list.insertBefore(li, i < messages.length ? messages[i].li : null);
    messages.splice(i, 0, entry);
    byKey.set(key, entry);
    li.hidden = !matches(m);
    if (fresh) li.classList.add('fresh');
    while (messages.length > MAX_MESSAGES) removeEntry(messages[messages.length - 1]);
    return true;
  }

  function removeEntry(e) {
    // keep keyboard focus on the page when the focused item goes away
    if (e.li.contains(document.activeElement)) el.filter.focus();
    e.li.remove();
    byKey.delete(e.key);
    messages = messages.filter((x) => x !== e);
  }

  function replaceMessages(list) {
    const keep = new Set(list.map(msgKey));
    for (const e of messages.slice()) if (!keep.has(e.key)) removeEntry(e);
    for (const m of list) if (!updateMessage(m)) addMessage(m, false);
    renderCount();
  }

  // A message already shown, as the outbox says it is now (used since?).
  function updateMessage(m) {
    const e = byKey.get(msgKey(m));
    if (!e) return false;
    e.m = m;
    renderState(e);
    return true;
  }

  // After a successful validate: which OTPs are used now.
  let usedTimer = 0;
  function refreshUsed() {
    clearTimeout(usedTimer);
    usedTimer = setTimeout(() => {
      api('/sms').then((b) => { (b && b.messages || []).forEach(updateMessage); }).catch(() => {});
    }, 150);
  }

  function clearMessages() { replaceMessages([]); }

  function onSms(m) {
    if (pending) pending.sms.push(m);
    if (!addMessage(m, true)) return;
    renderCount();
    if (matches(m)) announce('New SMS to ' + m.to + ': code ' + m.otp);
    if (document.hidden) { unseen++; document.title = '(' + unseen + ') ' + baseTitle; }
  }

  function applyFilter() {
    for (const e of messages) e.li.hidden = !matches(e.m);
    renderCount();
  }

  let filterTimer = 0;
  el.filter.addEventListener('input', () => {
    applyFilter();
    const u = new URL(location.href);
    if (el.filter.value) u.searchParams.set('to', el.filter.value); else u.searchParams.delete('to');
    history.replaceState(null, '', u);
    clearTimeout(filterTimer);
    // The exact recipient may have messages older than the newest 100.
    const to = el.filter.value.trim();
    if (to.length >= 4) {
      filterTimer = setTimeout(() => {
        api('/sms?to=' + encodeURIComponent(to)).then((b) => {
          (b && b.messages || []).forEach((m) => addMessage(m, false));
          renderCount();
        }).catch(() => {});
      }, 300);
    }
  });

  // ---- copy --------------------------------------------------------------
  function selectText(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  async function copyOtp(btn) {
    const entry = byKey.get(btn.closest('li').dataset.key);
    if (!entry) return;
    const otp = entry.m.otp;
    let ok = false;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(otp); ok = true; } catch (_) { ok = false; }
    }
    if (!ok) {
      // Not a secure context (plain http on a LAN address) or no permission:
      // select the code and try the legacy copy; the selection stays for Ctrl+C.
      selectText(entry.li.querySelector('.otp'));
      try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
    }
    btn.textContent = ok ? 'Copied' : 'Press Ctrl+C';
    announce(ok ? 'Copied ' + otp : 'The code is selected: press Control C to copy it');
    clearTimeout(btn._t);
    btn._t = setTimeout(() => { btn.textContent = 'Copy'; }, 1500);
  }

  el.list.addEventListener('click', (ev) => {
    const btn = ev.target.closest('button.copy');
    if (btn) copyOtp(btn);
  });

  // ---- requests ----------------------------------------------------------
  // Explicit roles keep the table semantics when a narrow screen restyles
  // the rows as blocks.
  function cell(cls, text, title) {
    const td = h('td', { role: 'cell', class: cls }, text);
    if (title) td.title = title;
    return td;
  }

  function buildRow(r) {
    const tr = h('tr', { role: 'row' });
    const at = Date.parse(r.at);
    const where = (r.method || '') + ' ' + (r.path || '');
    const st = Number(r.status);
    const fault = st === 0;
    const code = r.code && r.code !== '-' ? r.code : '-';
    const ms = Number(r.latencyMs);
    tr.append(
      cell('c-time', isNaN(at) ? String(r.at || '') : new Date(at).toISOString().slice(11, 23), r.at || ''),
      cell('c-op', r.operation || where, where),
      cell('c-status num st-' + (fault ? 5 : Math.floor(st / 100)), fault ? 'fault' : String(r.status), fault ? 'no answer: the connection got the fault' : ''),
      cell('c-code' + (code === '-' ? ' muted none' : ''), code),
      cell('c-lat num', isNaN(ms) ? '' : (ms < 10 ? ms.toFixed(1) : Math.round(ms)) + ' ms'),
      cell('c-client' + (r.clientId ? '' : ' muted none'), r.clientId || '-'),
      cell('c-phone mono' + (r.phone && r.phone !== '-' ? '' : ' none'), r.phone || '-'),
      cell('c-uuid mono' + (r.uuid && r.uuid !== '-' ? '' : ' none'), r.uuid || '-'),
    );
    tr.dataset.at = r.at || '';
    tr.dataset.client = r.clientId || '';
    tr.hidden = !!clientFilter && tr.dataset.client !== clientFilter;
    return tr;
  }

  function addRequest(r) {
    if (!r || typeof r !== 'object') return;
    const key = reqKey(r);
    if (requestKeys.has(key)) return;
    requestKeys.add(key);
    const tr = buildRow(r);
    tr.dataset.key = key;
    let next = el.requests.firstElementChild;
    while (next && next.dataset.at > (r.at || '')) next = next.nextElementSibling;
    el.requests.insertBefore(tr, next);
    while (el.requests.rows.length > MAX_REQUESTS) {
      const last = el.requests.lastElementChild;
      requestKeys.delete(last.dataset.key);
      last.remove();
    }
    el.requestsEmpty.hidden = true;
  }

  function replaceRequests(list) {
    el.requests.textContent = '';
    requestKeys = new Set();
    // oldest first, so that each insert goes on top
    list.slice().reverse().forEach(addRequest);
    el.requestsEmpty.hidden = el.requests.rows.length > 0;
  }

  function onRequest(r) {
    if (pending) pending.req.push(r);
    addRequest(r);
    const st = Number(r.status);
    if (/^validate/.test(r.operation || '') && st >= 200 && st < 300) refreshUsed();
    if (clientFilter && r.clientId === clientFilter) loadCoverageSoon();
  }

  // ---- client filter and coverage ---------------------------------------
  function applyClient() {
    for (const tr of el.requests.rows) tr.hidden = !!clientFilter && tr.dataset.client !== clientFilter;
    el.resetClient.hidden = !clientFilter;
    el.resetClient.textContent = clientFilter ? 'Reset client ' + clientFilter : 'Reset this client';
    applyFilter();
    loadCoverage();
  }

  el.client.addEventListener('change', () => {
    clientFilter = el.client.value;
    const u = new URL(location.href);
    if (clientFilter) u.searchParams.set('client', clientFilter); else u.searchParams.delete('client');
    history.replaceState(null, '', u);
    applyClient();
  });

  async function loadClients(initial) {
    try {
      const b = await api('/clients');
      for (const id of (b && b.clients) || []) {
        if ([...el.client.options].some((o) => o.value === id)) continue;
        el.client.append(h('option', { value: id }, id));
      }
      if (initial && [...el.client.options].some((o) => o.value === initial)) {
        el.client.value = initial;
        clientFilter = initial;
        applyClient();
      }
    } catch (_) { /* the filter stays on "All clients" */ }
  }

  let coverageTimer = 0;
  function loadCoverageSoon() {
    clearTimeout(coverageTimer);
    coverageTimer = setTimeout(loadCoverage, 300);
  }

  async function loadCoverage() {
    const client = clientFilter;
    if (!client) {
      el.coverage.textContent = '';
      el.coverageSummary.textContent = '';
      el.coverageHint.hidden = false;
      return;
    }
    let table;
    try { table = await api('/coverage?client_id=' + encodeURIComponent(client)); } catch (err) {
      say('Could not load the coverage: ' + err.message, 'error');
      return;
    }
    if (client !== clientFilter) return;
    el.coverageHint.hidden = true;
    renderCoverage(table);
  }

  // One row per operation, one column per status; each documented answer a chip.
  function renderCoverage(table) {
    const rows = table.rows || [];
    const ops = [];
    const statuses = [...new Set(rows.map((r) => r.status))].sort((a, b) => a - b);
    for (const r of rows) if (!ops.includes(r.operation)) ops.push(r.operation);
    el.coverage.textContent = '';
    const head = h('thead');
    const hr = h('tr');
    hr.append(h('th', { scope: 'col' }, 'Operation'));
    for (const st of statuses) hr.append(h('th', { scope: 'col' }, String(st)));
    head.append(hr);
    const body = h('tbody');
    for (const op of ops) {
      const tr = h('tr');
      tr.append(h('th', { scope: 'row' }, op));
      for (const st of statuses) {
        const td = h('td');
        for (const r of rows.filter((x) => x.operation === op && x.status === st)) {
          const forced = r.count > 0 && r.forced === r.count;
          const chip = h('span', { class: 'chip', 'data-exercised': String(!!r.exercised), 'data-forced': String(forced),
            'data-row': op + ' ' + st + ' ' + (r.code || '-') }, r.code || 'success');
          chip.title = r.exercised
            ? 'seen ' + r.count + (r.count === 1 ? ' time' : ' times') + (r.forced ? ' (' + r.forced + ' forced by Prefer)' : '') + ', last ' + r.lastSeen
            : 'not exercised yet';
          td.append(chip);
        }
        tr.append(td);
      }
      body.append(tr);
    }
    el.coverage.append(head, body);
    const pct = Math.round((table.share || 0) * 1000) / 10;
    el.coverageSummary.textContent = '(' + table.exercised + ' of ' + table.total + ' · ' + pct + ' %)';
    el.coverageSummary.dataset.exercised = String(table.exercised);
  }

  el.resetClient.addEventListener('click', async () => {
    const client = clientFilter;
    if (!client || isBusy(el.resetClient)) return;
    if (!confirm('Reset client ' + client + '?\n\nThis forgets its OTPs, sessions, SMS and coverage. Other clients keep theirs; the sandbox clock is global and stays.')) return;
    busy(el.resetClient, true);
    try {
      const answer = await api('/reset', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ client_id: client }),
      });
      say('Client ' + client + ' reset. ' + ((answer && answer.kept && answer.kept.clock) || ''));
      reloadAll();
    } catch (err) {
      say('Reset failed: ' + err.message, 'error');
    } finally {
      busy(el.resetClient, false);
    }
  });

  // ---- loading and live events -------------------------------------------
  async function reloadAll() {
    const gen = ++reloadGen;
    pending = { sms: [], req: [] };
    try {
      // each list on its own: one failing endpoint does not hide the others
      const [sms, reqs, clock] = await Promise.allSettled([api('/sms'), api('/requests'), api('/clock')]);
      if (gen !== reloadGen) return;
      const failed = [sms, reqs, clock].filter((r) => r.status === 'rejected');
      if (clock.status === 'fulfilled') setClock(clock.value);
      if (sms.status === 'fulfilled') replaceMessages((sms.value && sms.value.messages || []).concat(pending.sms));
      if (reqs.status === 'fulfilled') {
        replaceRequests((reqs.value && reqs.value.requests || []).concat(pending.req)
          .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)));
      }
      loadCoverage();
      if (failed.length) say('Could not load the sandbox state: ' + failed[0].reason.message, 'error');
      else if (el.controlMsg.textContent.startsWith('Could not load')) say('');
      const to = el.filter.value.trim();
      if (to.length >= 4) {
        const more = await api('/sms?to=' + encodeURIComponent(to));
        if (gen === reloadGen) { (more && more.messages || []).forEach((m) => addMessage(m, false)); renderCount(); }
      }
    } catch (err) {
      if (gen === reloadGen) say('Could not load the sandbox state: ' + err.message, 'error');
    } finally {
      if (gen === reloadGen) pending = null;
    }
  }

  function setConn(state, text) {
    el.conn.dataset.state = state;
    el.conn.textContent = text;
  }

  let es = null;
  let retryMs = 1000;
  function connect() {
    es = new EventSource(API + '/events');
    es.addEventListener('open', () => {
      retryMs = 1000;
      setConn('live', 'Live');
      reloadAll();
    });
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) {
        // the browser gave up (non-200 answer): retry ourselves, backing off
        setConn('off', 'Disconnected, retrying…');
        es.close();
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 30000);
      } else {
        setConn('connecting', 'Reconnecting…');
      }
    });
    const on = (name, fn) => es.addEventListener(name, (e) => {
      let data;
      try { data = JSON.parse(e.data); } catch (_) { return; }
      fn(data);
    });
    on('sms', onSms);
    on('request', onRequest);
    on('clock', setClock);
    on('reset', () => {
      clearMessages();
      say('The sandbox was reset.');
      reloadAll();
    });
  }

  // ---- controls ----------------------------------------------------------
  function busy(btn, on) {
    if (on) btn.setAttribute('aria-disabled', 'true'); else btn.removeAttribute('aria-disabled');
  }
  const isBusy = (btn) => btn.getAttribute('aria-disabled') === 'true';

  el.reset.addEventListener('click', async () => {
    if (isBusy(el.reset)) return;
    if (!confirm('Reset the sandbox?\n\nThis deletes every OTP, session, certified phone, counter and SMS, and sets the clock offset back to 0, for everyone using this sandbox.')) return;
    busy(el.reset, true);
    try {
      await api('/reset', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      });
      clearMessages();
      say('Sandbox reset.');
      setClock(await api('/clock'));
    } catch (err) {
      say('Reset failed: ' + err.message, 'error');
    } finally {
      busy(el.reset, false);
    }
  });

  el.advance.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = el.advance.querySelector('button');
    if (isBusy(btn)) return;
    const raw = el.seconds.value.trim();
    const n = Number(raw);
    if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
      say('Enter a whole number of seconds, 1 or more.', 'error');
      el.seconds.setAttribute('aria-invalid', 'true');
      el.seconds.focus();
      return;
    }
    el.seconds.removeAttribute('aria-invalid');
    busy(btn, true);
    try {
      const c = await api('/clock', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ advanceSeconds: n }),
      });
      setClock(c);
      say('Clock advanced by ' + n + ' s.');
    } catch (err) {
      say('Advance failed: ' + err.message, 'error');
    } finally {
      busy(btn, false);
    }
  });

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) { unseen = 0; document.title = baseTitle; }
  });

  // ---- start -------------------------------------------------------------
  const initial = new URL(location.href).searchParams.get('to');
  if (initial) el.filter.value = initial;
  loadClients(new URL(location.href).searchParams.get('client'));
  el.requestsEmpty.hidden = false;
  renderCount();
  setInterval(tick, 1000);
  connect();
})();
