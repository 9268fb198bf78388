// Two exporters in one process share no cache or pool: what one keeps (chunks for its bodies, the
// directory its HA state comes from) is created by its own createExporter and never seen by the
// other. No root needed: the fixtures-backed reader drives both.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { parseFlags } from '../../src/cli/flags.js';
import { createExporter, type Exporter } from '../../src/exporter.js';
import { BodyWriter, ChunkPool } from '../../src/exposition/body-writer.js';
import { metricsBody } from '../../src/exposition/metrics-body.js';
import { createFixtureReader, fixtureDiscovery, PIPELINE_FIXTURES } from '../support/fixture-reader.js';

const ROUTER_ID = '5d2c8b7e-0f55-4a3c-9a1e-1f6c3e2a9b10';
const ROUTER = `qrouter-${ROUTER_ID}`;

function exporterWith(argv: string[]): Promise<Exporter> {
  return createExporter({
    config: parseFlags(argv, '0.0.0-test'),
    reader: createFixtureReader(),
    discover: fixtureDiscovery(),
    logger: pino({ level: 'silent' }),
    build: { version: '0.0.0-test', revision: 'test', nodejsVersion: process.version },
  });
}

const haState = (text: string, state: string): string | undefined =>
  new RegExp(`^netns_router_ha_state\\{netns="${ROUTER}",id="${ROUTER_ID}",state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1];

test('two exporters with different HA state directories each read their own, scraped at once', async () => {
  const other = await mkdtemp(join(tmpdir(), 'netns-two-exporters-'));
  try {
    await mkdir(join(other, ROUTER_ID));
    await writeFile(join(other, ROUTER_ID, 'state'), 'backup');
    const fixtures = await exporterWith([`--neutron.ha-confs-dir=${join(PIPELINE_FIXTURES, 'ha_confs')}`]);
    const elsewhere = await exporterWith([`--neutron.ha-confs-dir=${other}`]);
    try {
      for (let round = 0; round < 2; round++) {
        const [a, b] = await Promise.all([fixtures.scrape(), elsewhere.scrape()]);
        const [textA, textB] = await Promise.all([a.text(), b.text()]);
        expect([haState(textA, 'primary'), haState(textA, 'backup')]).toEqual(['1', '0']);
        expect([haState(textB, 'primary'), haState(textB, 'backup')]).toEqual(['0', '1']);
      }
    } finally {
      await Promise.all([fixtures.close(), elsewhere.close()]);
    }
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

test('chunks gzip is done with go back to the pool of the body that wrote them, and only to it', async () => {
  const mine = new ChunkPool();
  const theirs = new ChunkPool();
  const line = `${'x'.repeat(99)}\n`;
  const body = metricsBody(async (sink) => {
    const writer = new BodyWriter(sink, mine);
    for (let i = 0; i < 10_000; i++) writer.text(line); // about 1 MB: four chunks
    await writer.end();
  }, mine);
  const gzipped = Buffer.concat(await body.encoded('gzip'));
  expect(gzipped.length).toBeGreaterThan(0);
  expect(mine.spareCount).toBeGreaterThanOrEqual(3);
  expect(theirs.spareCount).toBe(0);

  // the next body of the same pool reuses one
  const recycled = mine.spareCount;
  expect(mine.take().length).toBe(256 * 1024);
  expect(mine.spareCount).toBe(recycled - 1);
});
