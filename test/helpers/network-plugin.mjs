/**
 * A @web/test-runner plugin that holds the test page's requests for some URLs in the browser's
 * network stack (Chrome DevTools Protocol, `Fetch`), to see what code does while a file it
 * fetched has not arrived yet. Nothing is faked: the request goes out, unchanged, once released.
 * Browser code calls these with `executeServerCommand` (see test/helpers/network.browser.ts):
 *
 *   network:hold    {pattern}   hold every request whose URL matches `pattern` (`*` wildcards)
 *   network:fail    {pattern}   fail every such request, as a network error would
 *   network:held                → {urls}  the URLs held (or failed) so far
 *   network:release             let the held requests go, and hold or fail no more
 */
export function networkPlugin() {
  const sessions = new Map();

  async function hold(session, pattern, fail = false) {
    await release(session);
    const page = session.browser.getPage(session.id);
    const cdp = await page.createCDPSession();
    const held = [];
    cdp.on('Fetch.requestPaused', (event) => {
      held.push(event);
      if (fail)
        cdp
          .send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'Failed' })
          .catch(() => {});
    });
    // No cache: a file another test page fetched must still go through the network.
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Fetch.enable', {
      patterns: [{ urlPattern: pattern, requestStage: 'Request' }],
    });
    sessions.set(session.id, { cdp, held });
  }

  async function release(session) {
    const entry = sessions.get(session.id);
    if (!entry) return;
    sessions.delete(session.id);
    await entry.cdp.send('Fetch.disable');
    // (A failed request is no longer paused: continuing it fails, and is ignored.)
    for (const event of entry.held)
      await entry.cdp.send('Fetch.continueRequest', { requestId: event.requestId }).catch(() => {});
    await entry.cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await entry.cdp.detach().catch(() => {});
  }

  return {
    name: 'network',
    async executeCommand({ command, payload, session }) {
      switch (command) {
        case 'network:hold':
          await hold(session, payload.pattern);
          return true;
        case 'network:fail':
          await hold(session, payload.pattern, true);
          return true;
        case 'network:held':
          return { urls: (sessions.get(session.id)?.held ?? []).map((e) => e.request.url) };
        case 'network:release':
          await release(session);
          return true;
        default:
          return undefined;
      }
    },
  };
}
