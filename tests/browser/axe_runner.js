// Runs axe-core in every page of a browser test: after load and after every htmx swap (see conftest.py).
// Danish pages also send their markup, so the test can look for English text in them.
(() => {
  if (window.top !== window || window.__axeInstalled) return;
  window.__axeInstalled = true;
  let running = null, again = false;
  const options = {runOnly: {type: 'tag', values: __AXE_TAGS__}, resultTypes: ['violations', 'incomplete']};
  async function check(reason) {
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        try {
          const result = await axe.run(document, options);
          // Text in the colour of its background is "incomplete" for axe (it may be meant to hide): here it is
          // always a defect (white-on-white buttons were once missed this way).
          const invisible = result.incomplete.filter(v => v.id === 'color-contrast').map(v => ({...v,
            id: 'color-contrast (text in its background colour)',
            nodes: v.nodes.filter(n => n.any.some(a => a.data && a.data.messageKey === 'equalRatio'))}))
            .filter(v => v.nodes.length);
          const violations = result.violations.concat(invisible);
          const html = document.documentElement.lang === 'da' ? document.documentElement.outerHTML : null;
          await window.__axeReport({url: location.href, reason, html, violations: violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}))});
        } catch (error) {
          await window.__axeReport({url: location.href, reason, error: String(error)});
        }
      } while (again);
    })();
    try { await running; } finally { running = null; }
  }
  window.__axeCheck = check;
  window.__axeIdle = () => running || Promise.resolve();
  window.addEventListener('load', () => check('load'));
  document.addEventListener('htmx:afterSettle', () => setTimeout(() => check('htmx'), 0));
})();
