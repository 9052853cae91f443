/**
 * Scenario "storage" of the end-to-end tier: the SeaweedFS stack of e2e/storage.ts (master, volume
 * server, filer and S3 gateway with the synthesized command lines and env; the bucket Job's
 * create-buckets.sh and the S3 gateway's build-identities.sh with the real `weed` on PATH); a real
 * S3 client (boto3) then checks what each generated identity may do.
 *
 * The `weed` is SeaweedFS 4.53, not the 3.73 the library pins (see e2e/storage.ts for what differs).
 */
import { listeningAddresses, removeTempDirs, stopAll } from '../harness';
import { plainEnv, synthesizeE2ePlatform } from '../platform';
import { Credentials, SeaweedFS, alphanumeric, s3Client } from '../storage';

jest.setTimeout(600_000);

afterAll(async () => {
  await stopAll();
  removeTempDirs();
});

const objects = synthesizeE2ePlatform();

describe('SeaweedFS with the synthesized command lines (weed 4.53 standing in for 3.73)', () => {
  const stack = new SeaweedFS(objects);
  const { buckets, credentials, processes } = stack;

  test('master, volume server and filer start with the synthesized args and env and become ready', async () => {
    for (const container of [stack.master, stack.volume, stack.filer, stack.s3]) expect(container.command).toEqual(['/usr/bin/weed']);
    expect(plainEnv(stack.master).WEED_CLUSTER_SW_MASTER).toMatch(/:9333$/);
    expect(plainEnv(stack.master).WEED_CLUSTER_SW_FILER).toMatch(/:8888$/);
    const { ms, ready } = await stack.startServers();
    process.stdout.write(`[e2e storage] master, volume, filer ready in ${ms} ms (${ready.join(', ')} ms)\n`);
  });

  test('the bucket Job creates the declared buckets with `weed shell`, and a re-run creates none', async () => {
    expect(stack.bucketJob.spec.template.spec.containers[0].command[0]).toBe('/bin/sh');
    const run = await stack.runBucketJob();
    if (run.status !== 0) throw new Error(`create-buckets.sh failed (${run.status}):\n${run.stdout}\n${run.stderr}\n${processes.filer.tail()}`);
    expect([...buckets].sort()).toEqual(['harbor', 'velero']);
    for (const bucket of buckets) expect(run.stdout).toContain(`created bucket ${bucket}`);
    expect(run.stdout).toContain(`done: ${buckets.length} bucket(s) created, all declared buckets exist`);
    const again = await stack.runBucketJob();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('done: 0 bucket(s) created, all declared buckets exist');
    process.stdout.write(`[e2e storage] buckets ${buckets.join(', ')} created in ${run.ms} ms; re-run ${again.ms} ms, 0 created\n`);
  });

  test('the identities init container writes the S3 config from the credential files; the gateway starts with it', async () => {
    const init = stack.s3Deployment.spec.template.spec.initContainers.find((c: any) => c.name === 'identities');
    expect(init.command[0]).toBe('/bin/sh');
    const { identities: run, identitiesFile, ms, probeMs } = await stack.startGateway();
    expect(Object.keys(credentials).sort()).toEqual(['admin', 'bucket-harbor', 'bucket-velero']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`build-identities: wrote 3 identities to ${identitiesFile}\n`);
    for (const c of Object.values(credentials)) expect(run.stdout + run.stderr).not.toContain(c.secretKey);
    expect(stack.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    process.stdout.write(`[e2e storage] S3 gateway ready in ${ms} ms (probe ${probeMs} ms)\n`);
  });

  const s3 = (identity: string | Credentials, operations: object[]) =>
    s3Client(stack, typeof identity === 'string' ? credentials[identity] : identity, operations);

  const bucketOf = (identity: string) => identity.replace(/^bucket-/, '');

  test('every server listens on 127.0.0.1 only', () => {
    for (const [name, started] of Object.entries(processes)) {
      const addresses = listeningAddresses(started.child.pid!);
      process.stdout.write(`[e2e storage] ${name} listens on ${addresses.join(' ')}\n`);
      expect(addresses.length).toBeGreaterThan(0);
      expect(addresses.filter((a) => !a.startsWith('127.0.0.1:'))).toEqual([]);
    }
  });

  test.each(['bucket-velero', 'bucket-harbor'])('%s writes, reads and lists its own bucket', async (identity) => {
    const bucket = bucketOf(identity);
    const count = 5;
    const puts = Array.from({ length: count }, (_, i) => ({ op: 'put', bucket, key: `e2e/${identity}/object-${i}`, body: `${identity} ${i}` }));
    const results = await s3(identity, [...puts, { op: 'get', bucket, key: `e2e/${identity}/object-3` }, { op: 'list', bucket }]);
    expect(results.slice(0, count).map((r) => [r.ok, r.code])).toEqual(puts.map(() => [true, undefined]));
    expect(results[count]).toMatchObject({ ok: true, body: `${identity} 3` });
    expect(results[count + 1]).toMatchObject({ ok: true });
    expect(results[count + 1].keys).toEqual(puts.map((p) => p.key));
    process.stdout.write(`[e2e storage] ${identity}: ${count} objects written to and listed in bucket ${bucket}\n`);
  });

  test.each(['bucket-velero', 'bucket-harbor'])('%s gets 403 AccessDenied on every other bucket', async (identity) => {
    const others = buckets.filter((b) => b !== bucketOf(identity));
    expect(others.length).toBeGreaterThan(0);
    const operations = others.flatMap((bucket) => [
      { op: 'put', bucket, key: `e2e/${identity}/intruder`, body: 'x' },
      { op: 'get', bucket, key: `e2e/bucket-${bucket}/object-0` },
      { op: 'list', bucket },
    ]);
    const results = await s3(identity, operations);
    expect(results.map((r) => `${r.op} ${r.bucket}: ${r.status} ${r.code}`)).toEqual(operations.map((o) => `${o.op} ${o.bucket}: 403 AccessDenied`));
  });

  test('a wrong secret key or an unknown access key gets 403 on every bucket', async () => {
    const operations = buckets.map((bucket) => ({ op: 'list', bucket }));
    const wrongSecret = await s3({ ...credentials['bucket-velero'], secretKey: alphanumeric(40) }, operations);
    expect(wrongSecret.map((r) => `${r.bucket}: ${r.status} ${r.code}`)).toEqual(buckets.map((b) => `${b}: 403 SignatureDoesNotMatch`));
    const unknown = await s3({ accessKey: alphanumeric(20), secretKey: alphanumeric(40) }, operations);
    expect(unknown.map((r) => `${r.bucket}: ${r.status} ${r.code}`)).toEqual(buckets.map((b) => `${b}: 403 InvalidAccessKeyId`));
  });

  test('admin lists every bucket and sees every object; nothing was written by a denied identity', async () => {
    const results = await s3('admin', [{ op: 'list-buckets' }, ...buckets.map((bucket) => ({ op: 'list', bucket }))]);
    expect(results[0].buckets).toEqual(expect.arrayContaining(buckets));
    const counts = buckets.map((bucket, i) => {
      const keys = results[i + 1].keys!;
      expect(keys.filter((k) => k.endsWith('/intruder'))).toEqual([]);
      expect(keys).toHaveLength(5);
      return `${bucket}: ${keys.length}`;
    });
    process.stdout.write(`[e2e storage] objects per bucket (admin's listing): ${counts.join(', ')}\n`);
  });
});
