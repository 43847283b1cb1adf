/**
 * The elements together, as a page uses them (issue 6): two <comms-client> providers in one
 * page, each signed in through <comms-login> as its own user, each with <comms-presence> and
 * <comms-call-view>, against the real gateway. A call started from the roster rings on the
 * other side, is answered by a click, carries sound both ways, and ends on both sides.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/client/comms-client.js';
import '../../components/login/comms-login.js';
import '../../components/presence/comms-presence.js';
import '../../components/call-view/comms-call-view.js';
import type { CommsClientElement } from '../../components/client/client.js';
import type { CommsLogin } from '../../components/login/login.js';
import type { CommsPresence } from '../../components/presence/presence.js';
import type { CommsCallView } from '../../components/call-view/call-view.js';
import { createClient, type CommsClient } from '../../core/index.js';
import { $, must, settled, shown } from '../helpers/elements.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { bytesReceived, hearsAudio } from '../helpers/media.js';
import { until } from '../helpers/waits.js';

const PASSWORD = 'correct horse battery staple';

const stageState = (view: Element) => shown(view, '[part="stage"] [part="state"] > span');

interface Side {
  provider: CommsClientElement;
  client: CommsClient;
  login: CommsLogin;
  presence: CommsPresence;
  view: CommsCallView;
}

describe('the elements together', function () {
  this.timeout(60000);
  let gateway: TestGateway;

  before(async () => {
    gateway = await startGateway(['--presence-grace', '0']);
  });
  after(async () => {
    await gateway.stop();
  });

  /** Signs in through the side's <comms-login>, as a person would. */
  async function signIn(side: Side, username: string) {
    const field = (name: string) => must<HTMLInputElement>(side.login, `input[name="${name}"]`);
    field('username').focus();
    await sendKeys({ type: username });
    field('password').focus();
    await sendKeys({ type: PASSWORD });
    await sendKeys({ press: 'Enter' });
    await settled(side.login, () => !!$(side.login, '[part="signed-in"]'), 'signed in');
    await until(side.client, (s) => s.connection.status === 'connected');
  }

  it('call from the roster → the other side rings → answer → connected with sound → hang up → ended on both', async () => {
    // Two people with accounts, each in the other's address book.
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    const setup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await setup.auth.signup({ username: alice, password: PASSWORD, displayName: 'Alice Liddell' });
    await setup.auth.signup({ username: bob, password: PASSWORD, displayName: 'Bob Builder' });
    for (const [me, other] of [
      [bob, alice],
      [alice, bob],
    ] as const) {
      await setup.connect({ username: me, password: PASSWORD }, { services: [] });
      await setup.contacts.add({ primaryContact: other });
      await setup.disconnect();
    }
    await setup.destroy();

    const page = await fixture<HTMLDivElement>(html`
      <div>
        <comms-client id="a" server=${gateway.url} log-level="silent">
          <comms-login></comms-login>
          <comms-presence></comms-presence>
          <comms-call-view silent stats-interval="0"></comms-call-view>
        </comms-client>
        <comms-client id="b" server=${gateway.url} log-level="silent">
          <comms-login></comms-login>
          <comms-presence></comms-presence>
          <comms-call-view silent stats-interval="0"></comms-call-view>
        </comms-client>
      </div>
    `);
    const side = (id: string): Side => {
      const provider = page.querySelector<CommsClientElement>(`#${id}`)!;
      return {
        provider,
        client: provider.activeClient!,
        login: provider.querySelector('comms-login')!,
        presence: provider.querySelector('comms-presence')!,
        view: provider.querySelector('comms-call-view')!,
      };
    };
    const a = side('a');
    const b = side('b');
    expect(a.client).not.to.equal(b.client);
    await signIn(a, alice);
    await signIn(b, bob);

    // Alice's roster shows Bob online; his call button starts the call.
    const bobRow = `[part~="contact"][data-user="${bob}"]`;
    await settled(
      a.presence,
      () => shown(a.presence, `${bobRow} [part="status"]`) === 'Available',
      'Bob is online in Alice’s roster',
    );
    // Bob is busy (set in his <comms-presence>, carried out by his provider): Alice sees it.
    expect(await b.presence.setPresence('busy')).to.equal(true);
    await settled(
      a.presence,
      () => shown(a.presence, `${bobRow} [part="status"]`) === 'Busy',
      'Bob is busy in Alice’s roster',
    );
    must(a.presence, `${bobRow} [part~="call-button"]`).click();

    // Bob's call view rings; he answers with a click.
    await settled(b.view, () => !!$(b.view, '[part="incoming"]'), 'Bob’s view rings');
    expect(shown(b.view, '[part="incoming"] [part="name"]')).to.equal('Alice Liddell');
    const [call] = a.client.call.getAll();
    const callId = call!.id;
    must(b.view, '[part~="answer-button"]').click();

    // Both connected, with sound arriving on each side.
    for (const s of [a, b]) {
      await settled(s.view, () => stageState(s.view).startsWith('Connected'), 'connected');
      await settled(s.view, () => !!$(s.view, '[part="audio"] audio'), 'remote audio rendered');
      const audio = must<HTMLAudioElement>(s.view, '[part="audio"] audio');
      const track = (audio.srcObject as MediaStream).getAudioTracks()[0]!;
      expect(await hearsAudio(track)).to.be.greaterThan(0.01);
      const before = bytesReceived(await s.client.call.getStats(callId));
      await waitUntil(
        async () => bytesReceived(await s.client.call.getStats(callId)) > before,
        'bytes keep arriving',
        { timeout: 10000 },
      );
    }
    expect(shown(a.view, '[part="stage"] [part="name"]')).to.equal('Bob Builder');
    expect(shown(b.view, '[part="stage"] [part="name"]')).to.equal('Alice Liddell');

    // Meanwhile the gateway shows Bob on the phone in Alice's roster.
    await settled(
      a.presence,
      () => shown(a.presence, `${bobRow} [part="status"]`) === 'On the phone',
      'on the phone',
    );

    // Alice hangs up: both sides end.
    must(a.view, '[part~="hangup"]').click();
    for (const s of [a, b]) {
      await until(s.client, (st) => st.call.calls[callId]?.state === 'Ended');
      await settled(s.view, () => must(s.view, '[part="stage"]').hidden, 'the stage closes');
      expect($(s.view, '[part="incoming"]')).to.equal(null);
      expect(shown(s.view, '[part="ended"] span')).to.equal('Call ended');
    }
    await settled(
      a.presence,
      () => shown(a.presence, `${bobRow} [part="status"]`) === 'Busy',
      'his chosen status again after the call',
    );
  });
});
