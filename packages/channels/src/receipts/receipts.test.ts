import { generateKeyPairSync, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Channel } from '@switchyard/schema'
import { createChannelService } from '../channel-service'
import { eachBackend, fixedClock, makeJob, SAMPLE_MESSAGES, testBox } from '../test-support'
import { pushSignature, twilioSignature } from './signatures'

const T0 = Date.parse('2026-01-05T10:00:00Z')

eachBackend('receipts', (backend) => {
  /** A service whose HTTP providers answer like the real APIs: ids from a counter. */
  async function setup() {
    let n = 0
    const svc = await createChannelService({
      backend: await backend(),
      secretBox: testBox,
      clock: fixedClock(T0),
      fetch: async (url) => {
        n += 1
        if (url.includes('twilio')) return new Response(JSON.stringify({ sid: `SM${n}` }), { status: 201 })
        if (url.includes('fcm')) return new Response(JSON.stringify({ name: `projects/demo/messages/0:${n}` }), { status: 200 })
        return new Response('', { status: 202, headers: { 'X-Message-Id': `sgid${n}` } })
      },
    })
    return svc
  }

  async function provider(svc: Awaited<ReturnType<typeof setup>>, channel: Channel, url: string, messageIdPath: string, receiptSecret?: string): Promise<string> {
    const r = await svc.providers.create({ name: `${channel} gw`, channel, kind: 'http', receiptSecret, config: { url, body: '{}', messageIdPath } })
    if (!r.ok) throw new Error(JSON.stringify(r))
    return r.value.id
  }

  async function sent(svc: Awaited<ReturnType<typeof setup>>, channel: Channel, userId = 'u1') {
    const job = makeJob(channel, SAMPLE_MESSAGES[channel], { userId })
    const r = await svc.send(job)
    if (!r.ok || r.providerMessageId === null) throw new Error('send failed')
    return { messageId: job.id, providerMessageId: r.providerMessageId }
  }

  describe('SendGrid event webhook', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const verificationKey = publicKey.export({ format: 'der', type: 'spki' }).toString('base64')
    const signed = (body: string, timestamp = '1767607200') => ({
      body,
      timestamp,
      signature: sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64'),
    })

    it('turns delivered/open/click/bounce/dropped into email activity for our message and user, verifying the ECDSA signature', async () => {
      const svc = await setup()
      const pid = await provider(svc, 'email', 'https://api.sendgrid.test/v3/mail/send', 'header:X-Message-Id', verificationKey)
      const a = await sent(svc, 'email', 'ada')
      const b = await sent(svc, 'email', 'bob')
      const events = [
        { event: 'processed', sg_message_id: `${a.providerMessageId}.filter001`, timestamp: 1767607100 },
        { event: 'delivered', sg_message_id: `${a.providerMessageId}.filter001`, timestamp: 1767607200, sg_event_id: 'e1' },
        { event: 'open', switchyard_message_id: a.messageId, timestamp: 1767607300, sg_event_id: 'e2' },
        { event: 'click', switchyard_message_id: a.messageId, url: 'https://shop.test/cart', timestamp: 1767607400, sg_event_id: 'e3' },
        { event: 'bounce', sg_message_id: `${b.providerMessageId}.filter002`, reason: '550 5.1.1 no such user', type: 'bounce', timestamp: 1767607500, sg_event_id: 'e4' },
        { event: 'dropped', switchyard_message_id: b.messageId, reason: 'Bounced Address', timestamp: 1767607600, sg_event_id: 'e5' },
      ]
      const r = await svc.receipts.sendgrid(pid, signed(JSON.stringify(events)))
      expect(r.ok).toBe(true)
      if (!r.ok) return
      expect(r.value.activities.map((x) => [x.userId, x.channel, x.status, x.messageId, x.timestamp, x.eventId])).toEqual([
        ['ada', 'email', 'delivered', a.messageId, 1767607200000, 'sendgrid:e1'],
        ['ada', 'email', 'opened', a.messageId, 1767607300000, 'sendgrid:e2'],
        ['ada', 'email', 'clicked', a.messageId, 1767607400000, 'sendgrid:e3'],
        ['bob', 'email', 'bounced', b.messageId, 1767607500000, 'sendgrid:e4'],
        ['bob', 'email', 'bounced', b.messageId, 1767607600000, 'sendgrid:e5'],
      ])
      expect(r.value.activities[2]?.detail).toMatchObject({ url: 'https://shop.test/cart' })
      expect(r.value.ignored).toEqual([{ ref: a.providerMessageId, reason: '"processed" is not channel activity' }])
      expect((await svc.messages.get(b.messageId))?.lastActivity).toBe('bounced')
    })

    it('refuses a missing, forged or tampered signature', async () => {
      const svc = await setup()
      const pid = await provider(svc, 'email', 'https://api.sendgrid.test/v3/mail/send', 'header:X-Message-Id', verificationKey)
      const a = await sent(svc, 'email')
      const body = JSON.stringify([{ event: 'open', switchyard_message_id: a.messageId, timestamp: 1767607300 }])
      expect(await svc.receipts.sendgrid(pid, { body })).toMatchObject({ ok: false, code: 'receipt.signature' })
      const good = signed(body)
      expect(await svc.receipts.sendgrid(pid, { ...good, body: body.replace('open', 'click') })).toMatchObject({ ok: false, code: 'receipt.signature' })
      expect(await svc.receipts.sendgrid(pid, { ...good, timestamp: '1767607201' })).toMatchObject({ ok: false, code: 'receipt.signature' })
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
      expect(await svc.receipts.sendgrid(pid, { ...good, signature: sign('sha256', Buffer.from(good.timestamp + body), other).toString('base64') })).toMatchObject({
        ok: false,
        code: 'receipt.signature',
      })
      expect(await svc.receipts.sendgrid(pid, good)).toMatchObject({ ok: true })
    })

    it('answers a value, not an exception, for bad JSON, unknown messages and unknown providers', async () => {
      const svc = await setup()
      const pid = await provider(svc, 'email', 'https://api.sendgrid.test/v3/mail/send', 'header:X-Message-Id')
      expect(await svc.receipts.sendgrid(pid, { body: '{nope' })).toMatchObject({ ok: false, code: 'receipt.invalid' })
      expect(await svc.receipts.sendgrid(pid, { body: JSON.stringify([{ event: 'open', switchyard_message_id: 'never-sent' }]) })).toMatchObject({
        ok: false,
        code: 'receipt.unknown_message',
      })
      expect(await svc.receipts.sendgrid('prv_nope', { body: '[]' })).toMatchObject({ ok: false, code: 'provider.not_found' })
    })

    it("ignores a message another provider sent", async () => {
      const svc = await setup()
      const pid = await provider(svc, 'email', 'https://api.sendgrid.test/v3/mail/send', 'header:X-Message-Id')
      const other = await provider(svc, 'email', 'https://api.other.test/send', 'header:X-Message-Id')
      const job = makeJob('email', SAMPLE_MESSAGES.email, { providerId: other })
      await svc.send(job)
      const r = await svc.receipts.sendgrid(pid, { body: JSON.stringify([{ event: 'open', switchyard_message_id: job.id }]) })
      expect(r).toMatchObject({ ok: true, value: { activities: [], ignored: [{ ref: job.id, reason: 'the message was sent through another provider' }] } })
    })
  })

  describe('Twilio-style status callback', () => {
    const url = 'https://switchyard.example/v1/receipts/twilio?provider=1'
    const callback = (sid: string, status: string, token = 'auth-token') => {
      const params = { AccountSid: 'AC1', MessageSid: sid, MessageStatus: status, To: '+15550001' }
      return { url, params, signature: twilioSignature(token, url, params) }
    }

    it('maps delivered/read/failed/undelivered to WhatsApp and RCS activity, verifying X-Twilio-Signature', async () => {
      for (const channel of ['whatsapp', 'rcs'] as const) {
        const svc = await setup()
        const pid = await provider(svc, channel, 'https://api.twilio.test/Messages.json', 'sid', 'auth-token')
        const m = await sent(svc, channel)
        const statuses = [
          ['delivered', 'delivered'],
          ['read', 'opened'],
          ['failed', 'failed'],
          ['undelivered', 'failed'],
        ] as const
        for (const [twilio, ours] of statuses) {
          const r = await svc.receipts.twilio(pid, callback(m.providerMessageId, twilio))
          expect(r).toMatchObject({ ok: true, value: { activities: [{ userId: 'u1', channel, status: ours, messageId: m.messageId, timestamp: T0, eventId: `twilio:${m.providerMessageId}:${twilio}` }] } })
        }
      }
    })

    it('reports SMS delivery, and keeps an SMS failure on the message without inventing a status SMS does not have', async () => {
      const svc = await setup()
      const pid = await provider(svc, 'sms', 'https://api.twilio.test/Messages.json', 'sid', 'auth-token')
      const m = await sent(svc, 'sms')
      expect(await svc.receipts.twilio(pid, callback(m.providerMessageId, 'delivered'))).toMatchObject({ ok: true, value: { activities: [{ channel: 'sms', status: 'delivered' }] } })
      const failed = await svc.receipts.twilio(pid, callback(m.providerMessageId, 'undelivered'))
      expect(failed).toMatchObject({ ok: true, value: { activities: [], ignored: [{ reason: 'failed is not reported for sms' }] } })
      expect((await svc.messages.get(m.messageId))?.lastActivity).toBe('failed')
      expect(await svc.receipts.twilio(pid, callback(m.providerMessageId, 'sent'))).toMatchObject({ ok: true, value: { activities: [], ignored: [{ reason: '"sent" is not channel activity' }] } })
    })

    it('refuses a missing or wrong signature, and a changed parameter', async () => {
      const svc = await setup()
      const pid = await provider(svc, 'sms', 'https://api.twilio.test/Messages.json', 'sid', 'auth-token')
      const m = await sent(svc, 'sms')
      const good = callback(m.providerMessageId, 'delivered')
      expect(await svc.receipts.twilio(pid, { url, params: good.params })).toMatchObject({ ok: false, code: 'receipt.signature' })
      expect(await svc.receipts.twilio(pid, callback(m.providerMessageId, 'delivered', 'wrong-token'))).toMatchObject({ ok: false, code: 'receipt.signature' })
      expect(await svc.receipts.twilio(pid, { ...good, params: { ...good.params, MessageStatus: 'failed' } })).toMatchObject({ ok: false, code: 'receipt.signature' })
      expect(await svc.receipts.twilio(pid, { ...good, url: `${url}&x=1` })).toMatchObject({ ok: false, code: 'receipt.signature' })
    })

    it('answers unknown_message for a SID we never sent and invalid for a callback without one', async () => {
      const svc = await setup()
      const pid = await provider(svc, 'sms', 'https://api.twilio.test/Messages.json', 'sid', 'auth-token')
      expect(await svc.receipts.twilio(pid, callback('SMnever', 'delivered'))).toMatchObject({ ok: false, code: 'receipt.unknown_message' })
      const params = { MessageStatus: 'delivered' }
      expect(await svc.receipts.twilio(pid, { url, params, signature: twilioSignature('auth-token', url, params) })).toMatchObject({ ok: false, code: 'receipt.invalid' })
    })
  })

  describe('FCM-style push receipt', () => {
    it('maps delivery and opens to app and web push activity, verifying the HMAC signature', async () => {
      for (const channel of ['app_push', 'web_push'] as const) {
        const svc = await setup()
        const pid = await provider(svc, channel, 'https://fcm.test/v1/projects/demo/messages:send', 'name', 'push-secret')
        const m = await sent(svc, channel)
        const body = JSON.stringify({
          events: [
            { message_id: m.providerMessageId, event: 'MESSAGE_DELIVERED', event_time: '2026-01-05T10:01:00Z' },
            { switchyard_message_id: m.messageId, event: 'notification_open', event_time: '2026-01-05T10:02:00Z' },
            { message_id: m.providerMessageId, event: 'MESSAGE_ACCEPTED' },
          ],
        })
        const r = await svc.receipts.push(pid, { body, signature: pushSignature('push-secret', body) })
        expect(r).toMatchObject({
          ok: true,
          value: {
            activities: [
              { channel, status: 'delivered', messageId: m.messageId, timestamp: Date.parse('2026-01-05T10:01:00Z') },
              { channel, status: 'clicked', messageId: m.messageId, timestamp: Date.parse('2026-01-05T10:02:00Z') },
            ],
            ignored: [{ reason: '"message_accepted" is not channel activity' }],
          },
        })
      }
    })

    it('refuses an unsigned or tampered receipt and explains a malformed one', async () => {
      const svc = await setup()
      const pid = await provider(svc, 'app_push', 'https://fcm.test/send', 'name', 'push-secret')
      const m = await sent(svc, 'app_push')
      const body = JSON.stringify({ message_id: m.providerMessageId, event: 'MESSAGE_DELIVERED' })
      expect(await svc.receipts.push(pid, { body })).toMatchObject({ ok: false, code: 'receipt.signature' })
      expect(await svc.receipts.push(pid, { body: body.replace('DELIVERED', 'OPEN'), signature: pushSignature('push-secret', body) })).toMatchObject({ ok: false, code: 'receipt.signature' })
      expect(await svc.receipts.push(pid, { body, signature: pushSignature('push-secret', body) })).toMatchObject({ ok: true, value: { activities: [{ status: 'delivered' }] } })
      const noEvent = JSON.stringify({ message_id: 'x' })
      expect(await svc.receipts.push(pid, { body: noEvent, signature: pushSignature('push-secret', noEvent) })).toMatchObject({ ok: false, code: 'receipt.invalid' })
    })
  })

  function dsn(opts: { action: string; status: string; headers: string }): string {
    return [
      'From: Mail Delivery System <MAILER-DAEMON@mx.shop.test>',
      'To: news@shop.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Date: Mon, 05 Jan 2026 10:05:00 +0000',
      'Message-ID: <dsn-123@mx.shop.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status;',
      '\tboundary="BOUNDARY42"',
      '',
      'This is a MIME-encapsulated message.',
      '',
      '--BOUNDARY42',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'I could not deliver your message.',
      '',
      '--BOUNDARY42',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.shop.test',
      'Arrival-Date: Mon, 05 Jan 2026 10:00:01 +0000',
      '',
      'Final-Recipient: rfc822; gone@example.test',
      'Original-Recipient: rfc822;gone@example.test',
      `Action: ${opts.action}`,
      `Status: ${opts.status}`,
      'Remote-MTA: dns; mx.example.test',
      'Diagnostic-Code: smtp; 550 5.1.1 <gone@example.test>: Recipient address',
      '    rejected: User unknown',
      '',
      '--BOUNDARY42',
      'Content-Type: text/rfc822-headers',
      '',
      opts.headers,
      '',
      '--BOUNDARY42--',
      '',
    ].join('\r\n')
  }

  describe('DSN bounce (RFC 3464)', () => {
    it('turns a failed delivery into email.bounced, found by our X-Switchyard-Message-Id header', async () => {
      const svc = await setup()
      const m = await sent(svc, 'email', 'gone-user')
      const raw = dsn({ action: 'failed', status: '5.1.1', headers: `From: news@shop.test\r\nTo: gone@example.test\r\nSubject: Hi\r\nMessage-ID: <whatever@shop.test>\r\nX-Switchyard-Message-ID: ${m.messageId}` })
      const r = await svc.receipts.dsn(raw)
      expect(r).toMatchObject({
        ok: true,
        value: {
          activities: [
            {
              userId: 'gone-user',
              channel: 'email',
              status: 'bounced',
              messageId: m.messageId,
              timestamp: Date.parse('2026-01-05T10:05:00Z'),
              detail: { statusCode: '5.1.1', recipient: 'gone@example.test', reason: 'smtp; 550 5.1.1 <gone@example.test>: Recipient address rejected: User unknown' },
            },
          ],
        },
      })
    })

    it('finds the message by the returned Message-ID when our header is gone', async () => {
      const svc = await setup()
      const m = await sent(svc, 'email')
      const r = await svc.receipts.dsn(dsn({ action: 'failed', status: '5.0.0', headers: `From: news@shop.test\r\nMessage-ID: <${m.providerMessageId}>` }))
      expect(r).toMatchObject({ ok: true, value: { activities: [{ status: 'bounced', messageId: m.messageId }] } })
    })

    it('ignores a delay notice, and answers values for a non-report and an unknown message', async () => {
      const svc = await setup()
      const m = await sent(svc, 'email')
      const delayed = await svc.receipts.dsn(dsn({ action: 'delayed', status: '4.4.1', headers: `X-Switchyard-Message-Id: ${m.messageId}` }))
      expect(delayed).toMatchObject({ ok: true, value: { activities: [], ignored: [{ reason: '"delayed" is not channel activity' }] } })
      expect(await svc.receipts.dsn('Subject: hello\r\n\r\nnot a report')).toMatchObject({ ok: false, code: 'receipt.invalid' })
      expect(await svc.receipts.dsn(dsn({ action: 'failed', status: '5.1.1', headers: 'X-Switchyard-Message-Id: nope' }))).toMatchObject({ ok: false, code: 'receipt.unknown_message' })
    })

    it('refuses a bounce naming a message sent on another channel, and records nothing', async () => {
      const svc = await setup()
      const m = await sent(svc, 'sms')
      const r = await svc.receipts.dsn(dsn({ action: 'failed', status: '5.1.1', headers: `X-Switchyard-Message-Id: ${m.messageId}` }))
      expect(r).toMatchObject({ ok: false, code: 'activity.channel_mismatch' })
      expect((await svc.messages.get(m.messageId))?.lastActivity).toBeNull()
    })
  })

  describe('generic activity through the service', () => {
    it('records activity for a message we sent and checks it belongs to the user and channel', async () => {
      const svc = await setup()
      const m = await sent(svc, 'whatsapp', 'ada')
      expect(await svc.receipts.activity({ userId: 'ada', channel: 'whatsapp', status: 'opened', messageId: m.messageId })).toMatchObject({ ok: true, value: { status: 'opened', providerMessageId: m.providerMessageId } })
      expect((await svc.messages.get(m.messageId))?.lastActivity).toBe('opened')
      expect(await svc.receipts.activity({ userId: 'bob', channel: 'whatsapp', status: 'opened', messageId: m.messageId })).toMatchObject({ ok: false, code: 'activity.user_mismatch', details: { field: 'userId' } })
      expect(await svc.receipts.activity({ userId: 'ada', channel: 'rcs', status: 'opened', messageId: m.messageId })).toMatchObject({ ok: false, code: 'activity.channel_mismatch', details: { field: 'channel' } })
      expect(await svc.receipts.activity({ userId: 'ada', channel: 'rcs', status: 'opened', messageId: 'external-1' })).toMatchObject({ ok: true, value: { messageId: 'external-1' } })
    })
  })
})
