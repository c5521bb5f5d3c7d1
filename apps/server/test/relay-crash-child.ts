/**
 * One relay pass over a real SQLite file, in its own process so a crash point can kill it:
 * `setup` publishes trigger -> SMS -> exit and lets three users in; `setup` and `drain` then drain
 * the outbox once; every mode prints what the database holds (`look` only that).
 */
import { Engine, SqliteEngineStore, openDatabase, systemClock } from '@switchyard/engine'
import { createChannelService } from '@switchyard/channels'
import { createSecretBox } from '@switchyard/secrets'
import { action, edge, exit, graph, journeyInput, trigger } from '@switchyard/testkit'
import { outboxRelay } from '../src/relay'
import { channelsIntegration } from '../src/integrations/channels'
import { silentLogger } from '../src/log'

const [file, mode] = process.argv.slice(2)
const db = openDatabase(file ?? '')
const engine = await Engine.open({ store: new SqliteEngineStore(db), clock: systemClock })
const channels = await createChannelService({ backend: { kind: 'sqlite', db }, secretBox: createSecretBox('a-test-secret-key-0123'), clock: systemClock })
const dispatcher = outboxRelay(engine, channelsIntegration(channels, engine).outbox ?? {}, silentLogger)
if (mode === 'setup') {
  const j = await engine.createJourney(journeyInput('Promo', graph([trigger('t', 'Browsed'), action('m', 'sms', { text: 'Sale!' }), exit('x')], [edge('t', 'next', 'm'), edge('m', 'next', 'x')])))
  await engine.publish(j.id)
  const now = Date.now()
  await engine.ingest(['ann', 'bob', 'cy'].flatMap((userId) => [
    { messageId: `id-${userId}`, type: 'identify' as const, userId, traits: { phone: '+15550100' }, timestamp: now, receivedAt: now },
    { messageId: `b-${userId}`, type: 'track' as const, userId, event: 'Browsed', properties: {}, timestamp: now, receivedAt: now },
  ]))
  await engine.runUntilIdle()
}
if (mode !== 'look') await dispatcher.drain()
const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
process.stdout.write(
  `${JSON.stringify({
    messages: count('SELECT count(*) AS n FROM channel_messages'),
    attempts: count('SELECT sum(attempts) AS n FROM channel_messages'),
    sent: count("SELECT count(*) AS n FROM channel_messages WHERE status = 'sent'"),
    sentEvents: count("SELECT count(*) AS n FROM journal WHERE message_id LIKE 'sent:%'"),
    sentOutcomes: count("SELECT count(*) AS n FROM history WHERE kind = 'message' AND outlet IS NULL AND detail LIKE '%\"sent\"%'"),
    outbox: count('SELECT count(*) AS n FROM outbox'),
  })}\n`,
)
await engine.close()
