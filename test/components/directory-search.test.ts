/**
 * The directory search controller alone (both <comms-presence> and <comms-chat> use it; their
 * own tests search the real gateway). Its host here is a stand-in whose client answers each
 * search when the test says so, to put the answers out of order.
 */
import { expect } from '@open-wc/testing';
import type { ReactiveController } from 'lit';
import type { CommsClient } from '../../core/client.js';
import type { DirectoryUser } from '../../core/protocol/schema.js';
import { DirectorySearch, SEARCH_DELAY } from '../../components/shared/directory-search.js';

interface Pending {
  name: string;
  answer: (users: DirectoryUser[]) => void;
  fail: (error: unknown) => void;
}

function bed() {
  const asked: Pending[] = [];
  const heard: string[] = [];
  let updates = 0;
  const client = {
    destroyed: false,
    user: {
      search: ({ name }: { name: string }) =>
        new Promise<DirectoryUser[]>((answer, fail) => asked.push({ name, answer, fail })),
    },
  } as unknown as CommsClient;
  const host = {
    activeClient: client,
    addController: (_c: ReactiveController) => {},
    removeController: (_c: ReactiveController) => {},
    requestUpdate: () => void updates++,
    updateComplete: Promise.resolve(true),
  };
  const search = new DirectorySearch(host, {
    found: (users, query) => heard.push(`found ${query}: ${users.map((u) => u.userId).join()}`),
    failed: (error) => heard.push(`failed: ${(error as Error).message}`),
  });
  return { search, asked, heard, updates: () => updates };
}

const person = (userId: string) => ({ userId, displayName: userId }) as DirectoryUser;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const settle = () => wait(0);

describe('DirectorySearch', () => {
  it('searches once the typing stops, for what was typed last', async () => {
    const { search, asked, heard } = bed();
    search.input('b');
    search.input('bo');
    search.input('bob');
    expect(search.searching).to.equal(true);
    expect(asked, 'nothing asked while typing').to.have.length(0);
    await wait(SEARCH_DELAY + 50);
    expect(asked.map((a) => a.name)).to.deep.equal(['bob']);
    asked[0]!.answer([person('bob')]);
    await settle();
    expect(search.results?.map((u) => u.userId)).to.deep.equal(['bob']);
    expect(search.searching).to.equal(false);
    expect(heard).to.deep.equal(['found bob: bob']);
  });

  it('keeps only the latest answer when an earlier one comes back late', async () => {
    const { search, asked, heard } = bed();
    void search.now('bo');
    void search.now('bob');
    asked[1]!.answer([person('bob')]);
    asked[0]!.answer([person('bob'), person('bono')]);
    await settle();
    expect(search.results?.map((u) => u.userId)).to.deep.equal(['bob']);
    expect(heard).to.deep.equal(['found bob: bob']);
  });

  it('an emptied field, or reset(), drops the answer and any search under way', async () => {
    const { search, asked, heard } = bed();
    void search.now('bob');
    search.input('');
    asked[0]!.answer([person('bob')]);
    await settle();
    expect(search.results).to.equal(undefined);
    expect(search.searching).to.equal(false);

    search.input('carol');
    search.reset();
    await wait(SEARCH_DELAY + 50);
    expect(asked, 'the pending search never went out').to.have.length(1);
    expect(search.query).to.equal('');
    expect(heard).to.deep.equal([]);
  });

  it('a failure clears the answer and is told, once', async () => {
    const { search, asked, heard } = bed();
    void search.now('bob');
    asked[0]!.answer([person('bob')]);
    await settle();
    const failing = search.now('bo');
    asked[1]!.fail(new Error('offline'));
    expect(await failing).to.deep.equal([]);
    expect(search.results).to.equal(undefined);
    expect(search.searching).to.equal(false);
    expect(heard).to.deep.equal(['found bob: bob', 'failed: offline']);
  });
});
