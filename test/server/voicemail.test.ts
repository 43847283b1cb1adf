/**
 * Voicemail over REST against the built gateway on a fresh database: leaving one (the raw
 * recording as the body), the recipient's `voicemail:new`, their mailbox, the recording, heard
 * and delete, that nobody but the recipient reads or changes a voicemail, and every refusal
 * with its stable code.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Routes } from '../../core/protocol/constants.js';
import {
  MAX_VOICEMAIL_BYTES,
  MAX_VOICEMAIL_DURATION_MS,
} from '../../core/protocol/voicemail-limits.js';
import type { ErrorBody, Voicemail } from '../../core/protocol/schema.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { device, newUser, type TestUser } from '../helpers/users.js';

let gateway: Gateway;
let url: string;
/** Voicemails one user may leave at once on this gateway. */
const BURST = 3;

before(async () => {
  gateway = await startGateway(['--voicemail-rate-limit', String(BURST)]);
  url = gateway.url;
});
after(async () => {
  await gateway.stop();
});

/** A WebM recording's bytes: the EBML signature, then `size - 4` bytes of "audio". */
function webm(size = 2000): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0x1a, 0x45, 0xdf, 0xa3]);
  for (let i = 4; i < size; i++) bytes[i] = (i * 31) & 0xff;
  return bytes;
}

interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function request<T = unknown>(
  user: TestUser | null,
  method: string,
  path: string,
  init: { body?: Uint8Array | string; type?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (user) headers.authorization = `Bearer ${user.tokens.accessToken}`;
  if (init.type) headers['content-type'] = init.type;
  const res = await fetch(`${url}${path}`, { method, headers, body: init.body as BodyInit });
  const type = res.headers.get('content-type') ?? '';
  const body = type.startsWith('application/json')
    ? ((await res.json()) as T)
    : (new Uint8Array(await res.arrayBuffer()) as T);
  return { status: res.status, headers: res.headers, body };
}

/** Leaves a voicemail from `from` for `to` (a wire id). */
const leave = (
  from: TestUser | null,
  to: string,
  audio: Uint8Array | string = webm(),
  { durationMs = 3000, type = 'audio/webm;codecs=opus', extra = '' } = {},
) =>
  request<{ id: string; to: { id: string }; createdAt: number } & { error?: ErrorBody }>(
    from,
    'POST',
    `${Routes.VOICEMAILS}?to=${encodeURIComponent(to)}&durationMs=${durationMs}${extra}`,
    { body: audio, type },
  );

const mailbox = async (user: TestUser) =>
  (await request<{ voicemails: Voicemail[] }>(user, 'GET', Routes.VOICEMAILS)).body.voicemails;

const errorCode = (answer: Answer) => (answer.body as { error?: ErrorBody }).error?.code;

describe('voicemail over REST', () => {
  it('leaves a voicemail that only its recipient lists, hears, marks heard and deletes', async () => {
    const alice = await newUser(url, 'va');
    const bob = await newUser(url, 'vb');
    const mallory = await newUser(url, 'vm');
    const phone = await device(url, bob, []);
    const laptop = await device(url, bob, ['chat']);
    const audio = webm(4321);

    const left = await leave(alice, bob.name, audio, { extra: '&callId=call-123' });
    assert.equal(left.status, 201, JSON.stringify(left.body));
    assert.equal(left.body.to.id, bob.name);

    // Every socket of bob's hears of it, whatever it is subscribed to.
    for (const socket of [phone, laptop]) {
      const event = await socket.event('voicemail:new');
      const pushed = event.voicemail as Voicemail;
      assert.equal(pushed.id, left.body.id);
      assert.deepEqual(pushed.from, { id: alice.name, displayName: alice.name });
      assert.equal(pushed.size, audio.length);
      assert.equal(pushed.durationMs, 3000);
      assert.equal(pushed.contentType, 'audio/webm');
      assert.equal(pushed.callId, 'call-123');
      assert.equal(pushed.heardAt, null);
    }

    const listed = await mailbox(bob);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.id, left.body.id);
    assert.deepEqual(await mailbox(alice), [], 'the sender’s mailbox has nothing');
    assert.deepEqual(await mailbox(mallory), []);

    // The recording, byte for byte, never cached by a shared cache.
    const sound = await request<Uint8Array>(
      bob,
      'GET',
      `${Routes.VOICEMAILS}/${left.body.id}/audio`,
    );
    assert.equal(sound.status, 200);
    assert.equal(sound.headers.get('content-type'), 'audio/webm');
    assert.equal(sound.headers.get('cache-control'), 'private, no-store');
    assert.deepEqual(sound.body, audio);

    // Nobody else reads or changes it: the sender neither, a stranger neither (404, as unknown).
    for (const other of [alice, mallory]) {
      for (const [method, path] of [
        ['GET', `${Routes.VOICEMAILS}/${left.body.id}/audio`],
        ['POST', `${Routes.VOICEMAILS}/${left.body.id}/heard`],
        ['DELETE', `${Routes.VOICEMAILS}/${left.body.id}`],
      ] as const) {
        const answer = await request(other, method, path);
        assert.equal(answer.status, 404, `${other.name} ${method} ${path}`);
        assert.equal(errorCode(answer), 'voicemail:notFound');
      }
    }
    assert.equal((await mailbox(bob))[0]!.heardAt, null, 'still new after the strangers tried');

    // Heard: once; again keeps the first time. Bob's sockets are told.
    const heard = await request<{ voicemail: Voicemail }>(
      bob,
      'POST',
      `${Routes.VOICEMAILS}/${left.body.id}/heard`,
    );
    assert.equal(heard.status, 200);
    const heardAt = heard.body.voicemail.heardAt;
    assert.equal(typeof heardAt, 'number');
    assert.deepEqual((await phone.event('voicemail:heard')).heardAt, heardAt);
    const again = await request<{ voicemail: Voicemail }>(
      bob,
      'POST',
      `${Routes.VOICEMAILS}/${left.body.id}/heard`,
    );
    assert.equal(again.body.voicemail.heardAt, heardAt);
    assert.equal((await mailbox(bob))[0]!.heardAt, heardAt);

    // Deleted: gone, with its recording; bob's sockets are told.
    const removed = await request(bob, 'DELETE', `${Routes.VOICEMAILS}/${left.body.id}`);
    assert.equal(removed.status, 204);
    assert.equal((await laptop.event('voicemail:removed')).id, left.body.id);
    assert.deepEqual(await mailbox(bob), []);
    const gone = await request(bob, 'GET', `${Routes.VOICEMAILS}/${left.body.id}/audio`);
    assert.equal(gone.status, 404);
    assert.equal(errorCode(gone), 'voicemail:notFound');
    assert.equal(
      (await request(bob, 'DELETE', `${Routes.VOICEMAILS}/${left.body.id}`)).status,
      404,
    );
    phone.close();
    laptop.close();
  });

  it('lists the mailbox newest first; the recipient named by username or internal id', async () => {
    const alice = await newUser(url, 'vla');
    const carol = await newUser(url, 'vlc');
    const bob = await newUser(url, 'vlb');
    const first = await leave(alice, bob.name, webm(), { durationMs: 1000 });
    const second = await leave(carol, bob.id, webm(), { durationMs: 2000 });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201, 'by internal id');
    const listed = await mailbox(bob);
    assert.deepEqual(
      listed.map((v) => [v.id, v.from.id, v.durationMs]),
      [
        [second.body.id, carol.name, 2000],
        [first.body.id, alice.name, 1000],
      ],
    );
  });

  it('refuses what is wrong with a stable code and a message naming it', async () => {
    const alice = await newUser(url, 'vra');
    const bob = await newUser(url, 'vrb');
    const cases: Array<[string, Promise<Answer>, number, string, RegExp]> = [
      ['no token', leave(null, bob.name), 401, 'auth:required', /Bearer/],
      [
        'a content type that is not audio',
        leave(alice, bob.name, webm(), { type: 'application/json' }),
        415,
        'voicemail:unsupportedType',
        /audio\/webm.*application\/json/,
      ],
      [
        'no content type',
        leave(alice, bob.name, webm(), { type: '' }),
        415,
        'voicemail:unsupportedType',
        /no content-type/,
      ],
      [
        'video',
        leave(alice, bob.name, webm(), { type: 'video/webm' }),
        415,
        'voicemail:unsupportedType',
        /video\/webm/,
      ],
      [
        'bytes that are not WebM',
        leave(alice, bob.name, new TextEncoder().encode('<script>alert(1)</script>')),
        400,
        'voicemail:invalidAudio',
        /signature/,
      ],
      ['an empty body', leave(alice, bob.name, new Uint8Array(0)), 400, 'voicemail:empty', /empty/],
      [
        'more than the limit',
        leave(alice, bob.name, webm(MAX_VOICEMAIL_BYTES + 1)),
        413,
        'voicemail:tooLarge',
        new RegExp(String(MAX_VOICEMAIL_BYTES)),
      ],
      [
        'too long',
        leave(alice, bob.name, webm(), { durationMs: MAX_VOICEMAIL_DURATION_MS + 1 }),
        413,
        'voicemail:tooLong',
        /at most 120 s/,
      ],
      [
        'a zero duration',
        leave(alice, bob.name, webm(), { durationMs: 0 }),
        400,
        'voicemail:empty',
        /durationMs/,
      ],
      [
        'a duration that is not a number',
        request(alice, 'POST', `${Routes.VOICEMAILS}?to=${bob.name}&durationMs=3s`, {
          body: webm(),
          type: 'audio/webm',
        }),
        400,
        'request:invalid',
        /durationMs/,
      ],
      [
        'no recipient',
        request(alice, 'POST', `${Routes.VOICEMAILS}?durationMs=1000`, {
          body: webm(),
          type: 'audio/webm',
        }),
        400,
        'request:invalid',
        /querystring\/to/,
      ],
      [
        'an unexpected parameter',
        leave(alice, bob.name, webm(), { extra: '&urgent=1' }),
        400,
        'request:invalid',
        /'urgent'/,
      ],
      [
        'a recipient who does not exist',
        leave(alice, 'nobody-here-at-all'),
        404,
        'voicemail:unknownRecipient',
        /nobody-here-at-all/,
      ],
      ['oneself', leave(alice, alice.name), 400, 'voicemail:toSelf', /oneself/],
    ];
    for (const [what, pending, status, code, message] of cases) {
      const answer = await pending;
      assert.equal(answer.status, status, what);
      const error = (answer.body as { error: ErrorBody }).error;
      assert.equal(error.code, code, what);
      assert.match(error.message, message, what);
    }
    assert.deepEqual(await mailbox(bob), [], 'nothing was stored');
    // The gateway still serves: a good one goes through (the refusals did not use the quota).
    assert.equal((await leave(alice, bob.name)).status, 201);

    for (const [method, path] of [
      ['GET', Routes.VOICEMAILS],
      ['GET', `${Routes.VOICEMAILS}/x/audio`],
      ['POST', `${Routes.VOICEMAILS}/x/heard`],
      ['DELETE', `${Routes.VOICEMAILS}/x`],
    ] as const) {
      const answer = await request(null, method, path);
      assert.equal(answer.status, 401, `${method} ${path}`);
      assert.equal(errorCode(answer), 'auth:required');
    }
  });

  it('stops reading a body sent without a length once it passes the limit', async () => {
    const alice = await newUser(url, 'vsa');
    const bob = await newUser(url, 'vsb');
    const chunk = webm(256 * 1024);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 5 × 256 KiB: more than 1 MiB, streamed (chunked), so no content-length warns of it.
        if (sent++ < 5) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${url}${Routes.VOICEMAILS}?to=${bob.name}&durationMs=1000`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.tokens.accessToken}`,
        'content-type': 'audio/webm',
      },
      body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
    const { error } = (await res.json()) as { error: ErrorBody };
    assert.equal(error.code, 'voicemail:tooLarge');
    assert.match(error.message, new RegExp(String(MAX_VOICEMAIL_BYTES)));
    assert.deepEqual(await mailbox(bob), []);
  });

  it('limits how many voicemails one user leaves', async () => {
    const alice = await newUser(url, 'vqa');
    const bob = await newUser(url, 'vqb');
    const carol = await newUser(url, 'vqc');
    for (let i = 0; i < BURST; i++) assert.equal((await leave(alice, bob.name)).status, 201);
    const refused = await leave(alice, carol.name);
    assert.equal(refused.status, 429);
    assert.equal(errorCode(refused), 'voicemail:rateLimited');
    assert.match(refused.body.error!.message, /too many voicemails/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    // Others are not held up.
    assert.equal((await leave(carol, bob.name)).status, 201);
    assert.equal((await mailbox(bob)).length, BURST + 1);
  });
});
