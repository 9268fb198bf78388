// A throwaway PKI for TLS tests, made with the real `openssl` CLI in a temp dir at test time: a CA,
// a server certificate for 127.0.0.1, client certificates it signed (with distinct SANs), and a
// second, untrusted CA with a client certificate of its own. Keys are EC P-256 (fast to make).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: KeyPair;
  /** serverAuth, SAN IP:127.0.0.1 and DNS:localhost. */
  readonly server: KeyPair;
  /** clientAuth, signed by ca, SANs DNS:prometheus.example, URI:spiffe://netns-test/prometheus, IP:10.0.0.7, email:prom@example.org. */
  readonly client: KeyPair;
  /** clientAuth, signed by ca, SAN DNS:intruder.example (trusted CA, SAN not allowed). */
  readonly otherClient: KeyPair;
  /** A CA nobody trusts, and a client certificate it signed (SAN DNS:prometheus.example). */
  readonly untrustedCa: KeyPair;
  readonly untrustedClient: KeyPair;
  /** Another certificate from ca (e.g. a renewed server certificate), under a new name in dir. */
  issue(name: string, usage: 'serverAuth' | 'clientAuth', san: string): Promise<KeyPair>;
  remove(): Promise<void>;
}

async function openssl(args: readonly string[]): Promise<void> {
  await execa('openssl', args, { stdin: 'ignore' });
}

async function makeCa(dir: string, name: string): Promise<KeyPair> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    pair.key,
    '-out',
    pair.cert,
    '-days',
    '2',
    '-subj',
    `/CN=netns-exporter test ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pair;
}

async function makeLeaf(dir: string, name: string, ca: KeyPair, usage: 'serverAuth' | 'clientAuth', san: string): Promise<KeyPair> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  await writeFile(extensions, `subjectAltName=${san}\nextendedKeyUsage=${usage}\nkeyUsage=critical,digitalSignature\n`);
  await openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    pair.key,
    '-out',
    csr,
    '-subj',
    `/CN=${name}`,
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    pair.cert,
    '-days',
    '2',
    '-extfile',
    extensions,
  ]);
  return pair;
}

export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'netns-web-config-pki-'));
  try {
    const ca = await makeCa(dir, 'ca');
    const untrustedCa = await makeCa(dir, 'untrusted-ca');
    return {
      dir,
      ca,
      server: await makeLeaf(dir, 'server', ca, 'serverAuth', 'IP:127.0.0.1,DNS:localhost'),
      client: await makeLeaf(
        dir,
        'client',
        ca,
        'clientAuth',
        'DNS:prometheus.example,URI:spiffe://netns-test/prometheus,IP:10.0.0.7,email:prom@example.org',
      ),
      otherClient: await makeLeaf(dir, 'other-client', ca, 'clientAuth', 'DNS:intruder.example'),
      untrustedCa,
      untrustedClient: await makeLeaf(dir, 'untrusted-client', untrustedCa, 'clientAuth', 'DNS:prometheus.example'),
      issue: (name, usage, san) => makeLeaf(dir, name, ca, usage, san),
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
