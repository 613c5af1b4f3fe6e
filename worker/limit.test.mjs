// Tests of limit.mjs (run by worker/test.sh: node --test worker/limit.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitConcurrency } from './limit.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// handler records how many calls overlap; each answers after a short wait
// with a streamed body made from the request's body.
function recorder() {
  const seen = { now: 0, peak: 0, calls: 0 };
  const handler = async (req) => {
    seen.now++;
    seen.calls++;
    seen.peak = Math.max(seen.peak, seen.now);
    try {
      const text = req.body === null ? '' : await req.text();
      await sleep(5);
      const bytes = new TextEncoder().encode(`echo:${text}`);
      const body = new ReadableStream({
        start(c) {
          c.enqueue(bytes.subarray(0, 3));
          c.enqueue(bytes.subarray(3));
          c.close();
        },
      });
      return new Response(body, { status: 201, headers: { 'x-n': String(seen.calls) } });
    } finally {
      seen.now--;
    }
  };
  return { seen, handler };
}

const post = (text, headers = {}) =>
  new Request('http://x/v1/encode', { method: 'POST', body: text, headers: { 'content-length': String(new TextEncoder().encode(text).length), ...headers } });

for (const max of [1, 2]) {
  test(`at most ${max} calls at once; every answer whole`, async () => {
    const { seen, handler } = recorder();
    const limited = limitConcurrency(handler, { max, pollMs: 1 });
    const texts = Array.from({ length: 12 }, (_, i) => `text ${i} ` + 'x'.repeat(i * 100));
    const answers = await Promise.all(texts.map((t) => limited.fetch(post(t))));
    assert.equal(seen.calls, 12);
    assert.equal(seen.peak, max);
    assert.equal(limited.active(), 0);
    for (const [i, res] of answers.entries()) {
      assert.equal(res.status, 201);
      assert.ok(res.headers.get('x-n'));
      assert.equal(await res.text(), `echo:${texts[i]}`);
    }
  });
}

test('a failing call frees its slot and its error reaches the caller', async () => {
  let n = 0;
  const limited = limitConcurrency(async () => {
    if (n++ === 0) throw new Error('boom');
    return new Response('ok');
  });
  await assert.rejects(limited.fetch(new Request('http://x/')), /boom/);
  assert.equal(limited.active(), 0);
  assert.equal(await (await limited.fetch(new Request('http://x/'))).text(), 'ok');
});

test('responses without a body (204, HEAD) pass unchanged', async () => {
  const limited = limitConcurrency(async (req) =>
    req.method === 'HEAD' ? new Response(null, { headers: { 'content-length': '42' } }) : new Response(null, { status: 204 }));
  const r204 = await limited.fetch(new Request('http://x/v1/similar', { method: 'OPTIONS' }));
  assert.equal(r204.status, 204);
  assert.equal(r204.body, null);
  const head = await limited.fetch(new Request('http://x/', { method: 'HEAD' }));
  assert.equal(head.headers.get('content-length'), '42');
  assert.equal(head.body, null);
});

test('a body announced up to bufferBytes is read before waiting; a larger one is not', async () => {
  // The slot is held by a call that waits for `release`.
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  let first = true;
  const limited = limitConcurrency(async (req) => {
    if (first) {
      first = false;
      await gate;
    }
    return new Response(req.body === null ? '' : await req.text());
  }, { pollMs: 1, bufferBytes: 10 });
  const holder = limited.fetch(new Request('http://x/'));
  try {
    await sleep(2);
    const smallReq = post('12345');
    const small = limited.fetch(smallReq);
    const bigReq = post('0123456789ab');
    const big = limited.fetch(bigReq);
    await sleep(20);
    assert.equal(limited.active(), 1);
    assert.equal(smallReq.bodyUsed, true, 'a small announced body is read while the request waits');
    assert.equal(bigReq.bodyUsed, false, 'a body over bufferBytes is left for the handler');
    release();
    await holder;
    assert.equal(await (await small).text(), '12345');
    assert.equal(await (await big).text(), '0123456789ab');
    assert.equal(limited.active(), 0);
  } finally {
    release();
  }
});

test('max below 1 is refused', () => {
  assert.throws(() => limitConcurrency(async () => new Response(''), { max: 0 }), RangeError);
});
