// otp-server /docs page: swagger-ui on the three specs of this server, with
// "Try it out" sent to this server whatever the specs' schemes, host and
// tokenUrl say. No inline script (CSP: script-src 'self').
'use strict';
(() => {
  const select = document.getElementById('spec');
  const files = Array.from(select.options, (o) => o.value);
  const nameOf = (file) => file.replace(/^.*\//, '').replace(/\.yaml$/, '');

  // ?spec=telemarketing-otp picks a spec; anything else gives the first one.
  const wanted = new URL(location.href).searchParams.get('spec');
  select.value = files.find((f) => nameOf(f) === wanted) || files[0];

  // The specs say `schemes: [https]` and basePath /api, and their OAuth2
  // tokenUrl is the bank's host (https://…/mx-gcgapi/api/v1/oauth/token):
  // every request, "Authorize" included, goes to this origin instead, from
  // the path's /api/ on.
  function toThisServer(req) {
    let u;
    try { u = new URL(req.url, location.href); } catch (_) { return req; }
    let path = u.pathname;
    const i = path.indexOf('/api/');
    if (i > 0) path = path.slice(i);
    req.url = location.origin + path + u.search;
    // The specs declare `Authorization` as a header parameter too, filled
    // with its example (`Bearer 2Yot…`): after "Authorize" both would be
    // sent, joined by a comma. Keep the credentials "Authorize" set (the
    // lower-case `authorization` key of swagger-client) when there are both.
    const h = req.headers || {};
    const keys = Object.keys(h).filter((k) => k.toLowerCase() === 'authorization');
    if (keys.length > 1) {
      const values = keys.map((k) => h[k]);
      const keep = 'authorization' in h ? h.authorization
        : values.find((v) => /^(Bearer|Basic) /i.test(v)) || values[values.length - 1];
      keys.forEach((k) => delete h[k]);
      h.Authorization = keep;
    }
    return req;
  }

  const ui = window.SwaggerUIBundle({
    dom_id: '#swagger-ui',
    url: select.value,
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: [
      window.SwaggerUIBundle.plugins.DownloadUrl,
      // no "Schemes: HTTPS" picker: requests go to this origin whatever it says
      () => ({ components: { schemes: () => null } }),
    ],
    layout: 'BaseLayout',
    requestInterceptor: toThisServer,
    validatorUrl: null, // never call validator.swagger.io
    queryConfigEnabled: false,
    deepLinking: true,
    displayRequestDuration: true,
    showMutatedRequest: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    persistAuthorization: false,
  });
  window.ui = ui;

  select.addEventListener('change', () => {
    const url = select.value;
    const u = new URL(location.href);
    u.searchParams.set('spec', nameOf(url));
    u.hash = '';
    history.replaceState(null, '', u);
    ui.specActions.updateUrl(url);
    ui.specActions.download(url);
  });
})();
