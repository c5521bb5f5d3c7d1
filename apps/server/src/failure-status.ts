import type { FailureCode } from '@switchyard/schema'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * The HTTP status of every failure code the server can answer, in one table: a new code does not
 * compile until it has a row here. Clients key on the codes, so a row changes only with the API.
 */
export const FAILURE_STATUS = {
  // engine
  'journey.not_published': 409,
  'journey.has_active_users': 409,
  'migration.invalid_map': 422,
  // webhooks
  'webhook.invalid': 400,
  'webhook.not_found': 404,
  'webhook.template_error': 400,
  'delivery.not_found': 404,
  'delivery.not_dead': 409,
  // channels
  'provider.invalid': 400,
  'provider.not_found': 404,
  'activity.invalid': 400,
  'activity.unknown_channel': 400,
  'activity.unknown_status': 400,
  'activity.user_mismatch': 400,
  'activity.channel_mismatch': 400,
  'receipt.invalid': 400,
  'receipt.signature': 401,
  'receipt.unknown_message': 400,
  'message.not_found': 404,
  // the HTTP layer
  internal: 500,
  'route.not_found': 404,
  'request.bad_path': 400,
  'request.aborted': 400,
  'body.empty': 400,
  'body.invalid': 400,
  'body.invalid_json': 400,
  'body.invalid_encoding': 400,
  'body.unsupported_encoding': 415,
  'body.too_deep': 400,
  'payload.too_large': 400,
  'batch.invalid': 400,
  'event.invalid': 400,
  'event.invalid_timestamp': 400,
  'event.missing_user': 400,
  'profile.too_large': 400,
  'query.invalid': 400,
  'query.invalid_cursor': 400,
  'auth.missing_token': 401,
  'auth.invalid_token': 401,
  'auth.missing_write_key': 401,
  'auth.invalid_write_key': 401,
  'journey.invalid': 422,
  'journey.not_found': 404,
  'version.not_found': 404,
  'run.not_found': 404,
  'user.not_found': 404,
  'backup.unavailable': 409,
  'simulation.invalid': 400,
  'backtest.invalid_window': 400,
} as const satisfies Record<FailureCode, ContentfulStatusCode>
