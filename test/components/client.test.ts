import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { html as litHtml } from 'lit';
import { createClient, type CommsClient } from '../../core/index.js';
import { CommsClientElement } from '../../components/client/client.js';
import '../../components/client/comms-client.js';
import { CommsElement } from '../../components/shared/comms-element.js';
import { StoreController } from '../../components/shared/store-controller.js';

/** A consumer like every comms-kit element: shows the log level of the client it receives. */
class ProbeElement extends CommsElement {
  readonly level = new StoreController(this, (s) => s.config.logs?.logLevel);
  protected override render() {
    return litHtml`<span>${this.level.value ?? 'no client'}</span>`;
  }
}
customElements.define('test-probe', ProbeElement);

let unique = 0;
const nextTag = (base: string) => `${base}-${++unique}`;
const text = (el: Element) => el.shadowRoot?.textContent?.trim();

describe('<comms-client>', () => {
  it('is accessible', async () => {
    const el = await fixture<CommsClientElement>(
      html`<comms-client server="http://127.0.0.1:9" log-level="silent"
        ><p>content</p></comms-client
      >`,
    );
    await expect(el).to.be.accessible();
  });

  it('creates a client from its attributes and provides it to a child by context', async () => {
    const el = await fixture<CommsClientElement>(
      html`<comms-client server="http://127.0.0.1:9" log-level="warn"
        ><test-probe></test-probe
      ></comms-client>`,
    );
    const probe = el.querySelector('test-probe') as ProbeElement;
    await probe.updateComplete;
    expect(probe.activeClient).to.equal(el.activeClient);
    expect(el.activeClient?.getConfig().authentication?.server?.port).to.equal(9);
    expect(text(probe)).to.equal('warn');
  });

  it('re-renders consumers when the provided client’s state changes', async () => {
    const el = await fixture<CommsClientElement>(
      html`<comms-client log-level="warn"><test-probe></test-probe></comms-client>`,
    );
    const probe = el.querySelector('test-probe') as ProbeElement;
    el.logLevel = 'error';
    await el.updateComplete;
    await probe.updateComplete;
    expect(text(probe)).to.equal('error');
  });

  it('provides the client to a child defined before the provider', async () => {
    const providerTag = nextTag('late-provider');
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    host.innerHTML = `<${providerTag} log-level="info"><test-probe></test-probe></${providerTag}>`;
    const probe = host.querySelector('test-probe') as ProbeElement;
    await probe.updateComplete;
    expect(probe.activeClient).to.equal(undefined);
    expect(text(probe)).to.equal('no client');

    customElements.define(providerTag, class extends CommsClientElement {});
    const provider = host.firstElementChild as CommsClientElement;
    await provider.updateComplete;
    await probe.updateComplete;
    expect(probe.activeClient).to.be.instanceOf(Object);
    expect(probe.activeClient).to.equal(provider.activeClient);
    expect(text(probe)).to.equal('info');
  });

  it('provides the client to a child defined after the provider', async () => {
    const childTag = nextTag('late-child');
    const el = await fixture<CommsClientElement>(
      html`<comms-client log-level="debug"></comms-client>`,
    );
    el.innerHTML = `<${childTag}></${childTag}>`;
    customElements.define(childTag, class extends ProbeElement {});
    const child = el.firstElementChild as ProbeElement;
    await child.updateComplete;
    expect(child.activeClient).to.equal(el.activeClient);
    expect(text(child)).to.equal('debug');
  });

  it('provides a client given as .client instead of creating one, and does not destroy it', async () => {
    const given: CommsClient = createClient({ logs: { logLevel: 'error' } });
    const el = await fixture<CommsClientElement>(
      html`<comms-client .client=${given}><test-probe></test-probe></comms-client>`,
    );
    const probe = el.querySelector('test-probe') as ProbeElement;
    await probe.updateComplete;
    expect(probe.activeClient).to.equal(given);
    el.remove();
    await new Promise((r) => setTimeout(r, 0));
    expect(given.destroyed).to.equal(false);
  });

  it('an explicit .client on a child wins over the provided one', async () => {
    const own = createClient({ logs: { logLevel: 'silent' } });
    const el = await fixture<CommsClientElement>(
      html`<comms-client log-level="warn"><test-probe .client=${own}></test-probe></comms-client>`,
    );
    const probe = el.querySelector('test-probe') as ProbeElement;
    await probe.updateComplete;
    expect(probe.activeClient).to.equal(own);
    expect(text(probe)).to.equal('silent');
  });

  it('destroys the client it created when removed, but not when moved', async () => {
    const el = await fixture<CommsClientElement>(
      html`<comms-client log-level="silent"></comms-client>`,
    );
    const created = el.activeClient!;
    const other = await fixture<HTMLDivElement>(html`<div></div>`);
    other.append(el); // a move: disconnect then connect in one task
    await new Promise((r) => setTimeout(r, 0));
    expect(created.destroyed).to.equal(false);
    expect(el.activeClient).to.equal(created);
    el.remove();
    await new Promise((r) => setTimeout(r, 0));
    expect(created.destroyed).to.equal(true);
  });

  it('shows a wrong server attribute as an alert and fires comms-error', async () => {
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('comms-client');
    el.setAttribute('server', 'not a url');
    const event = oneEvent(el, 'comms-error');
    host.append(el);
    const { detail } = await event;
    expect(detail.error.code).to.equal('config:invalid');
    await el.updateComplete;
    const alert = el.shadowRoot?.querySelector('[role="alert"]');
    expect(alert?.textContent).to.contain('config.server');
    expect(el.activeClient).to.equal(undefined);
    await expect(el).to.be.accessible();
  });

  it('fires comms-client-change with the client it provides', async () => {
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('comms-client');
    el.setAttribute('log-level', 'silent');
    const event = oneEvent(el, 'comms-client-change');
    host.append(el);
    const { detail } = await event;
    expect(detail.client).to.equal(el.activeClient);
  });
});
