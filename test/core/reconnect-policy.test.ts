import { expect } from '@open-wc/testing';
import { DefaultReconnectPolicy } from '../../core/index.js';

describe('DefaultReconnectPolicy', () => {
  const config = {
    reconnectDelay: 1000,
    reconnectTimeMultiplier: 2,
    reconnectTimeLimit: 5000,
    reconnectLimit: 5,
  };

  it('multiplies the delay each attempt, capped at reconnectTimeLimit, without jitter', () => {
    const policy = new DefaultReconnectPolicy(() => ({ ...config, reconnectJitter: 0 }));
    const delays = [1, 2, 3, 4, 5].map((attempt) =>
      policy.nextRetryDelayMs({ attempt, elapsedMs: 0 }),
    );
    expect(delays).to.deep.equal([1000, 2000, 4000, 5000, 5000]);
  });

  it('gives up after reconnectLimit attempts, and never when the limit is 0', () => {
    const limited = new DefaultReconnectPolicy(() => config);
    expect(limited.nextRetryDelayMs({ attempt: 6, elapsedMs: 0 })).to.equal(null);
    const unlimited = new DefaultReconnectPolicy(() => ({
      ...config,
      reconnectLimit: 0,
      reconnectJitter: 0,
    }));
    expect(unlimited.nextRetryDelayMs({ attempt: 1000, elapsedMs: 0 })).to.equal(5000);
  });

  it('spreads each delay by ±jitter', () => {
    const low = new DefaultReconnectPolicy(
      () => ({ ...config, reconnectJitter: 0.25 }),
      () => 0,
    );
    const high = new DefaultReconnectPolicy(
      () => ({ ...config, reconnectJitter: 0.25 }),
      () => 0.999999,
    );
    expect(low.nextRetryDelayMs({ attempt: 2, elapsedMs: 0 })).to.equal(1500);
    expect(high.nextRetryDelayMs({ attempt: 2, elapsedMs: 0 })).to.equal(2500);
    // Never past the limit, even with jitter.
    expect(high.nextRetryDelayMs({ attempt: 5, elapsedMs: 0 })).to.equal(5000);
  });

  it('reads the configuration live', () => {
    let delay = 100;
    const policy = new DefaultReconnectPolicy(() => ({
      reconnectDelay: delay,
      reconnectJitter: 0,
    }));
    expect(policy.nextRetryDelayMs({ attempt: 1, elapsedMs: 0 })).to.equal(100);
    delay = 300;
    expect(policy.nextRetryDelayMs({ attempt: 1, elapsedMs: 0 })).to.equal(300);
  });
});
