/**
 * <comms-login> inside <comms-client>, against the real gateway (fresh database, loopback) in
 * Chromium: sign up, sign in, sign out, and the errors a person meets on the way.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/client/comms-client.js';
import '../../components/login/comms-login.js';
import type { CommsClientElement } from '../../components/client/client.js';
import type { CommsLogin } from '../../components/login/login.js';
import type { CommsSignedInEvent } from '../../components/shared/events.js';
import { createClient } from '../../core/index.js';
import { $, must, root, settled, shown } from '../helpers/elements.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { until } from '../helpers/waits.js';

const PASSWORD = 'correct horse battery staple';

const assertive = (el: Element) => shown(el, '[role="alert"][aria-live="assertive"]');
const polite = (el: Element) => shown(el, '[role="status"]');

/** Types `value` into the field `name` as a person would. */
async function type(el: CommsLogin, name: string, value: string) {
  const input = must<HTMLInputElement>(el, `input[name="${name}"]`);
  input.focus();
  input.select();
  await sendKeys({ type: value });
}

/** Every attribute value in the element's shadow tree and in the page around it. */
function allAttributeValues(el: CommsLogin): string[] {
  const values: string[] = [];
  const walk = (node: ParentNode) => {
    for (const element of node.querySelectorAll('*')) {
      for (const attr of element.attributes) values.push(attr.value);
      if (element.shadowRoot) walk(element.shadowRoot);
    }
  };
  walk(document);
  walk(root(el));
  return values;
}

describe('<comms-login>', function () {
  this.timeout(40000);
  let gateway: TestGateway;

  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    await gateway.stop();
  });

  async function inProvider(url = gateway.url) {
    const provider = await fixture<CommsClientElement>(
      html`<comms-client server=${url} log-level="silent"
        ><comms-login></comms-login
      ></comms-client>`,
    );
    const el = provider.querySelector('comms-login')!;
    await el.updateComplete;
    return { provider, el, client: provider.activeClient! };
  }

  it('is accessible: signing in, creating an account, with errors, and signed in', async () => {
    const { el } = await inProvider();
    await expect(el).to.be.accessible();
    must(el, '[part~="mode-button"]').click();
    await settled(el, () => !!$(el, 'input[name="displayName"]'), 'sign-up form');
    await expect(el).to.be.accessible();
    must(el, '[part~="submit-button"]').click();
    await settled(el, () => !!$(el, '[part="field-error"]'), 'errors');
    await expect(el).to.be.accessible();

    const name = uniqueName('axe');
    await type(el, 'username', name);
    await type(el, 'password', PASSWORD);
    must(el, '[part~="submit-button"]').click();
    await settled(el, () => !!$(el, '[part="signed-in"]'), 'signed in');
    await expect(el).to.be.accessible();
  });

  it('signs up, signs out, then signs in again, with the right autocomplete and no password in an attribute', async () => {
    const { el, client } = await inProvider();
    const name = uniqueName('newbie');
    // Sign in is first; its fields say so to password managers.
    expect(must(el, 'input[name="username"]').getAttribute('autocomplete')).to.equal('username');
    expect(must(el, 'input[name="password"]').getAttribute('autocomplete')).to.equal(
      'current-password',
    );
    expect(must(el, 'input[name="password"]').getAttribute('type')).to.equal('password');
    expect(shown(el, 'label[for="username"]')).to.equal('User name or email');

    must(el, '[part~="mode-button"]').click();
    await settled(el, () => !!$(el, 'input[name="displayName"]'), 'sign-up form');
    expect(shown(el, '[part="title"]')).to.equal('Create an account');
    expect(must(el, 'input[name="password"]').getAttribute('autocomplete')).to.equal(
      'new-password',
    );
    expect(must(el, 'input[name="displayName"]').getAttribute('autocomplete')).to.equal('name');
    expect(must(el, 'input[name="email"]').getAttribute('autocomplete')).to.equal('email');
    expect(must(el, 'input[name="email"]').getAttribute('type')).to.equal('email');
    expect(root(el).activeElement?.id, 'focus goes to the first field').to.equal('username');

    await type(el, 'username', name);
    await type(el, 'password', PASSWORD);
    await type(el, 'displayName', 'Nina Newbie');
    expect(allAttributeValues(el).some((v) => v.includes(PASSWORD))).to.equal(false);
    const signedIn = oneEvent(el, 'comms-signed-in') as Promise<CommsSignedInEvent>;
    must(el, '[part~="submit-button"]').click();
    // Busy at once (the request cannot have come back before this update).
    await el.updateComplete;
    expect(shown(el, '[part~="submit-button"]')).to.equal('Creating your account…');
    expect(must(el, '[part~="submit-button"]').getAttribute('aria-disabled')).to.equal('true');
    expect(must(el, 'form').getAttribute('aria-busy')).to.equal('true');
    const { detail } = await signedIn;
    expect(detail.user.username).to.equal(name);
    expect(detail.user.displayName).to.equal('Nina Newbie');
    expect(client.store.getState().connection.status).to.equal('connected');
    await settled(el, () => !!$(el, '[part="signed-in"]'), 'signed in');
    expect(shown(el, '[part="signed-in"] p')).to.equal('Signed in as Nina Newbie');
    expect(polite(el)).to.contain('Signed in as Nina Newbie');
    expect(root(el).activeElement?.getAttribute('part')).to.equal('sign-out-button');
    expect(allAttributeValues(el).some((v) => v.includes(PASSWORD))).to.equal(false);

    const signedOut = oneEvent(el, 'comms-signed-out');
    must(el, '[part~="sign-out-button"]').click();
    await signedOut;
    await settled(el, () => !!$(el, 'form'), 'the form again');
    expect(client.store.getState().auth.status).to.equal('none');
    expect(shown(el, '[part="title"]')).to.equal('Sign in');
    await settled(el, () => polite(el).includes('Signed out'), 'announced');

    await type(el, 'username', name);
    await type(el, 'password', PASSWORD);
    const again = oneEvent(el, 'comms-signed-in') as Promise<CommsSignedInEvent>;
    await sendKeys({ press: 'Enter' });
    expect((await again).detail.user.username).to.equal(name);
    await settled(el, () => !!$(el, '[part="signed-in"]'), 'signed in again');
  });

  it('a wrong password is shown on the field and announced', async () => {
    const name = uniqueName('wrong');
    const signup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await signup.auth.signup({ username: name, password: PASSWORD });
    await signup.destroy();
    const { el, client } = await inProvider();
    await type(el, 'username', name);
    await type(el, 'password', 'not the password at all');
    must(el, '[part~="submit-button"]').click();
    await settled(el, () => !!$(el, '#password-error'), 'the error');
    const message = 'The user name or password is wrong.';
    expect(shown(el, '#password-error')).to.equal(message);
    const password = must(el, 'input[name="password"]');
    expect(password.getAttribute('aria-invalid')).to.equal('true');
    expect(password.getAttribute('aria-describedby')).to.contain('password-error');
    expect(root(el).activeElement).to.equal(password);
    await settled(el, () => assertive(el) === message, 'announced');
    expect(client.store.getState().connection.status).not.to.equal('connected');
    expect($(el, '[part="signed-in"]')).to.equal(null);
  });

  it('a weak password is refused with the server’s reason, on the password field', async () => {
    const { el } = await inProvider();
    must(el, '[part~="mode-button"]').click();
    await settled(el, () => !!$(el, 'input[name="displayName"]'), 'sign-up form');
    await type(el, 'username', uniqueName('weak'));
    await type(el, 'password', 'qwertyuiop1');
    must(el, '[part~="submit-button"]').click();
    await settled(el, () => !!$(el, '#password-error'), 'the error');
    expect(shown(el, '#password-error')).to.match(
      /^Choose a stronger password: password is too easy to guess/,
    );
    expect(must(el, 'input[name="password"]').getAttribute('aria-describedby')).to.equal(
      'password-error password-help',
    );
    await settled(el, () => assertive(el).startsWith('Choose a stronger password'), 'announced');
    expect(shown(el, '[part="title"]'), 'still creating an account').to.equal('Create an account');
  });

  it('a user name already taken, and fields checked before anything is sent', async () => {
    const name = uniqueName('taken');
    const signup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await signup.auth.signup({ username: name, password: PASSWORD });
    await signup.destroy();
    const { el } = await inProvider();
    must(el, '[part~="submit-button"]').click();
    await settled(el, () => !!$(el, '#username-error'), 'required');
    expect(shown(el, '#username-error')).to.equal('Fill in User name or email.');
    expect(shown(el, '#password-error')).to.equal('Fill in Password.');

    must(el, '[part~="mode-button"]').click();
    await settled(el, () => !!$(el, 'input[name="displayName"]'), 'sign-up form');
    await type(el, 'username', 'No Spaces Allowed');
    await type(el, 'password', PASSWORD);
    must(el, '[part~="submit-button"]').click();
    await settled(el, () => !!$(el, '#username-error'), 'the rule');
    expect(shown(el, '#username-error')).to.match(/^A user name has 3 to 32/);

    await type(el, 'username', name);
    must(el, '[part~="submit-button"]').click();
    await settled(el, () => shown(el, '#username-error').startsWith('That user name'), 'taken');
    expect(must(el, 'input[name="username"]').getAttribute('aria-invalid')).to.equal('true');
  });

  it('too many attempts: says to wait', async () => {
    const limited = await startGateway(['--auth-rate-limit', '2']);
    try {
      const { el } = await inProvider(limited.url);
      for (let attempt = 0; attempt < 3; attempt++) {
        await type(el, 'username', 'nobody-here');
        await type(el, 'password', 'not the password at all');
        must(el, '[part~="submit-button"]').click();
        await settled(el, () => !el.busy && !!$(el, '[part$="error"]'), `attempt ${attempt}`);
      }
      await settled(el, () => !!$(el, '#form-error'), 'rate limited');
      const message = 'Too many attempts. Wait a minute, then try again.';
      expect(shown(el, '#form-error')).to.equal(message);
      expect(must(el, 'form').getAttribute('aria-describedby')).to.equal('form-error');
      await settled(el, () => assertive(el) === message, 'announced');
    } finally {
      await limited.stop();
    }
  });

  it('follows the client: signed in elsewhere shows as signed in; an email signs in too', async () => {
    const name = uniqueName('mail');
    const email = `${name}@example.com`;
    const signup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await signup.auth.signup({ username: name, email, password: PASSWORD, displayName: 'Em Ail' });
    await signup.destroy();
    const { el, client } = await inProvider();
    await client.connect({ username: name, password: PASSWORD });
    await settled(el, () => !!$(el, '[part="signed-in"]'), 'signed in through the core');
    expect(shown(el, '[part="signed-in"] p')).to.equal('Signed in as Em Ail');
    await el.signOut();
    await settled(el, () => !!$(el, 'form'), 'signed out');

    await type(el, 'username', email);
    await type(el, 'password', PASSWORD);
    const signedIn = oneEvent(el, 'comms-signed-in') as Promise<CommsSignedInEvent>;
    must(el, '[part~="submit-button"]').click();
    expect((await signedIn).detail.user.username).to.equal(name);
  });

  it('speaks French', async () => {
    const host = await fixture<HTMLDivElement>(html`<div lang="fr"></div>`);
    host.innerHTML = `<comms-client server="${gateway.url}" log-level="silent"><comms-login></comms-login></comms-client>`;
    const el = host.querySelector('comms-login')!;
    await el.updateComplete;
    expect(shown(el, '[part~="submit-button"]')).to.equal('Se connecter');
    expect(shown(el, 'label[for="password"]')).to.equal('Mot de passe');
  });

  it('sits in the signin slot of <comms-client>, shown only while signed out', async () => {
    const name = uniqueName('slot');
    const provider = await fixture<CommsClientElement>(
      html`<comms-client server=${gateway.url} log-level="silent"
        ><comms-login slot="signin"></comms-login>
        <p>the app</p></comms-client
      >`,
    );
    const slot = () => provider.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="signin"]');
    expect(slot()?.assignedElements()).to.have.length(1);
    const client = provider.activeClient!;
    await client.auth.signup({ username: name, password: PASSWORD, displayName: name });
    await client.connect({ username: name, password: PASSWORD });
    await until(client, (s) => s.auth.status === 'authenticated');
    await provider.updateComplete;
    expect(slot(), 'hidden once signed in').to.equal(null);
    await client.auth.logout();
    await until(client, (s) => s.auth.status !== 'authenticated');
    await provider.updateComplete;
    expect(slot()?.assignedElements(), 'back after sign-out').to.have.length(1);
  });
});
