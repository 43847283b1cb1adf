import { expect } from '@open-wc/testing';
import {
  callReportEvents,
  createClient,
  CommsError,
  ErrorCodes,
  presenceActivities,
  presenceStatuses,
  type LogEntry,
} from '../../core/index.js';
import { PRESENCE_ACTIVITY_VALUES, PRESENCE_STATUS_VALUES } from '../../core/protocol/constants.js';

const quiet = { logs: { logLevel: 'silent' as const } };

describe('createClient', () => {
  it('applies the seeds’ defaults under what the application gives', () => {
    const client = createClient({ ...quiet, connectivity: { pingInterval: 1000 } });
    const config = client.getConfig();
    expect(config.connectivity?.pingInterval).to.equal(1000);
    expect(config.connectivity?.reconnectDelay).to.equal(5000);
    expect(config.subscription?.expires).to.equal(3600);
    expect(config.call?.ringingFeedbackMode).to.equal('auto');
  });

  it('expands the server shorthand into the REST and WebSocket addresses', () => {
    const client = createClient({ ...quiet, server: 'http://127.0.0.1:8080' });
    expect(client.getConfig().authentication?.server).to.deep.equal({
      base: '127.0.0.1',
      protocol: 'http',
      port: 8080,
    });
    expect(client.getConfig().subscription?.websocket).to.include({
      server: '127.0.0.1',
      protocol: 'ws',
      port: 8080,
    });
  });

  it('refuses a wrong configuration value with config:invalid naming it', () => {
    expect(() => createClient({ connectivity: { pingInterval: -5 } })).to.throw(
      CommsError,
      /config\.connectivity\.pingInterval must be a positive number; got -5/,
    );
    try {
      createClient({ server: 'not a url' });
      expect.fail('should have thrown');
    } catch (error) {
      expect((error as CommsError).code).to.equal(ErrorCodes.INVALID_CONFIG);
      expect((error as CommsError).message).to.contain('config.server');
    }
  });

  it('refuses a log level that is a name of Object.prototype', () => {
    expect(() => createClient({ logs: { logLevel: 'constructor' as never } })).to.throw(
      CommsError,
      /config\.logs\.logLevel must be one of 'silent', 'error', 'warn', 'info', 'debug'; got 'constructor'/,
    );
  });

  it('reports its version and the browser it runs in', () => {
    const client = createClient(quiet);
    expect(client.getVersion()).to.match(/^\d+\.\d+\.\d+/);
    expect(client.getBrowserDetails().browser).to.equal('chrome');
    expect(client.getBrowserDetails().version).to.be.greaterThan(100);
  });
});

describe('presence constants', () => {
  it('are the wire’s statuses and activities, in its order (presence.update checks against them)', () => {
    expect(Object.values(presenceStatuses)).to.deep.equal([...PRESENCE_STATUS_VALUES]);
    expect(Object.values(presenceActivities)).to.deep.equal([...PRESENCE_ACTIVITY_VALUES]);
  });
});

describe('call report events', () => {
  it('are each named by its value, as in the seeds, and are the call namespace’s', () => {
    expect(Object.keys(callReportEvents)).to.have.length(22);
    for (const [name, value] of Object.entries(callReportEvents)) expect(value).to.equal(name);
    expect(callReportEvents.CONSULTATIVE_TRANSFER).to.equal('CONSULTATIVE_TRANSFER');
    expect(createClient(quiet).call.reportEvents).to.equal(callReportEvents);
  });
});

describe('updateConfig', () => {
  it('merges only the values given, leaving the others as they were', () => {
    const client = createClient({
      ...quiet,
      connectivity: { pingInterval: 1000, reconnectLimit: 2 },
    });
    client.updateConfig({ connectivity: { reconnectLimit: 9 } });
    const { connectivity } = client.getConfig();
    expect(connectivity?.pingInterval).to.equal(1000);
    expect(connectivity?.reconnectLimit).to.equal(9);
    expect(connectivity?.autoReconnect).to.equal(true);
  });

  it('replaces arrays instead of concatenating them', () => {
    const a = () => ({}) as never;
    const b = () => ({}) as never;
    const client = createClient({ ...quiet, call: { sdpHandlers: [a] } });
    client.updateConfig({ call: { sdpHandlers: [b] } });
    expect(client.getConfig().call?.sdpHandlers).to.deep.equal([b]);
  });

  it('accepts the seeds’ older spelling `loglevel` in any case', () => {
    const client = createClient(quiet);
    client.updateConfig({ logs: { loglevel: 'WARN' } } as never);
    expect(client.getConfig().logs?.logLevel).to.equal('warn');
  });

  it('emits config:change with the new and previous configuration', () => {
    const client = createClient(quiet);
    const seen: number[] = [];
    client.on('config:change', ({ config, previous }) => {
      seen.push(config.connectivity?.pingInterval ?? 0, previous.connectivity?.pingInterval ?? 0);
    });
    client.updateConfig({ connectivity: { pingInterval: 42 } });
    expect(seen).to.deep.equal([42, 30000]);
  });

  it('leaves the configuration untouched when a value is wrong', () => {
    const client = createClient(quiet);
    const before = client.getConfig();
    expect(() => client.updateConfig({ subscription: { expires: 10 } })).to.throw(
      /subscription\.expires/,
    );
    expect(client.getConfig()).to.equal(before);
  });

  it('ignores prototype-polluting keys', () => {
    const client = createClient(quiet);
    client.updateConfig(JSON.parse('{"__proto__": {"polluted": true}}') as never);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});

describe('events', () => {
  it('on/off add and remove a listener; on returns an unbind function', () => {
    const client = createClient(quiet);
    let count = 0;
    const listener = () => count++;
    client.on('config:change', listener);
    client.updateConfig({ connectivity: { pingInterval: 1 } });
    client.off('config:change', listener);
    client.updateConfig({ connectivity: { pingInterval: 2 } });
    const unbind = client.on('config:change', listener);
    client.updateConfig({ connectivity: { pingInterval: 3 } });
    unbind();
    client.updateConfig({ connectivity: { pingInterval: 4 } });
    expect(count).to.equal(2);
  });

  it('subscribe receives every event with its name; unsubscribe stops it', () => {
    const client = createClient(quiet);
    const names: string[] = [];
    const listener = (type: string) => names.push(type);
    client.subscribe(listener);
    client.updateConfig({ connectivity: { pingInterval: 1 } });
    client.unsubscribe(listener);
    client.updateConfig({ connectivity: { pingInterval: 2 } });
    expect(names).to.deep.equal(['config:change']);
  });

  it('a listener that throws is logged and does not stop the others', () => {
    const entries: LogEntry[] = [];
    const client = createClient({ logs: { logLevel: 'error', handler: (e) => entries.push(e) } });
    let reached = false;
    client.on('config:change', () => {
      throw new Error('boom');
    });
    client.on('config:change', () => (reached = true));
    client.updateConfig({ connectivity: { pingInterval: 1 } });
    expect(reached).to.equal(true);
    expect(entries.map((e) => e.messages[0])).to.deep.equal([
      "a listener of 'config:change' threw",
    ]);
  });

  it('refuses a listener that is not a function', () => {
    const client = createClient(quiet);
    expect(() => client.on('config:change', 'nope' as never)).to.throw(
      /listener must be a function/,
    );
  });
});

describe('logs', () => {
  it('passes entries at or above the level to the handler, and follows updateConfig', () => {
    const entries: LogEntry[] = [];
    const client = createClient({ logs: { logLevel: 'warn', handler: (e) => entries.push(e) } });
    const log = client.logger({ type: 'test', id: 't1' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e', { detail: 1 });
    expect(entries.map((e) => [e.level, e.messages[0]])).to.deep.equal([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
    expect(entries[1]).to.include({ method: 'error' });
    expect(entries[1]?.target).to.deep.equal({ type: 'test', id: 't1' });
    expect(entries[1]?.messages[1]).to.deep.equal({ detail: 1 });
    expect(entries[1]?.timestamp).to.be.closeTo(Date.now(), 5000);

    entries.length = 0;
    client.updateConfig({ logs: { logLevel: 'silent' } });
    log.error('hidden');
    expect(entries).to.have.length(0);
  });

  it('writes action logs only when logActions is on, without payloads when actionOnly', () => {
    const actions: LogEntry[] = [];
    const client = createClient({
      logs: { logLevel: 'debug', handler: () => undefined, logActions: false },
    });
    client.updateConfig({ logs: { logActions: { handler: (e) => actions.push(e) } } });
    actions.length = 0; // turning action logs on is itself an action
    client.updateConfig({ connectivity: { pingInterval: 7 } });
    expect(actions.map((a) => a.messages)).to.deep.equal([
      ['action: config/update', { connectivity: { pingInterval: 7 } }],
    ]);
    client.updateConfig({
      logs: { logActions: { handler: (e) => actions.push(e), actionOnly: true } },
    });
    actions.length = 0;
    client.updateConfig({ connectivity: { pingInterval: 8 } });
    expect(actions.map((a) => a.messages)).to.deep.equal([['action: config/update']]);
  });

  it('uses the console by default', () => {
    const original = console.warn;
    const lines: unknown[][] = [];
    console.warn = (...args: unknown[]) => lines.push(args);
    try {
      const client = createClient({ logs: { logLevel: 'warn' } });
      client.logger({ type: 'demo' }).warn('careful');
    } finally {
      console.warn = original;
    }
    expect(lines).to.have.length(1);
    expect(String(lines[0]?.[0])).to.match(/ - demo - warn - careful$/);
  });
});

describe('destroy', () => {
  it('makes every further call fail with client:destroyed', async () => {
    const client = createClient(quiet);
    await client.destroy();
    for (const call of [
      () => client.getConfig(),
      () => client.updateConfig({}),
      () => client.on('config:change', () => undefined),
      () => client.subscribe(() => undefined),
    ]) {
      try {
        call();
        expect.fail('should have thrown');
      } catch (error) {
        expect((error as CommsError).code).to.equal('client:destroyed');
        expect((error as CommsError).message).to.match(/destroyed client/);
      }
    }
    expect(client.store.getState().lifecycle).to.equal('destroyed');
  });

  it("makes the namespaces' methods fail too, naming the method", async () => {
    const client = createClient(quiet);
    await client.destroy();
    const calls: Array<[string, () => unknown]> = [
      ['getAll', () => client.call.getAll()],
      ['make', () => client.call.make('bob')],
      ['history.get', () => client.call.history.get()],
      ['presence.get', () => client.presence.get('bob')],
      ['contacts.getAll', () => client.contacts.getAll()],
      ['contacts.fetch', () => client.contacts.fetch()],
      ['user.get', () => client.user.get('bob')],
      ['getDevices', () => client.media.getDevices()],
      ['getSubscriptions', () => client.services.getSubscriptions()],
    ];
    for (const [name, call] of calls) {
      let error: CommsError | undefined;
      try {
        call();
      } catch (e) {
        error = e as CommsError;
      }
      expect(error?.code, name).to.equal('client:destroyed');
      expect(error?.message).to.equal(
        `${name}() was called on a destroyed client; create a new one with createClient()`,
      );
    }
  });

  it('lets events being delivered finish, then releases the listeners', async () => {
    const client = createClient(quiet);
    const seen: string[] = [];
    client.on('config:change', () => {
      void client.destroy();
      seen.push('first');
    });
    client.on('config:change', () => seen.push('second'));
    client.updateConfig({ connectivity: { pingInterval: 5 } });
    expect(seen).to.deep.equal(['first', 'second']);
    expect(client.destroyed).to.equal(true);
  });
});
