/** A SendGrid event webhook request, as its signature covers it. */
export interface SendgridReceiptRequest {
  body: string
  signature?: string
  timestamp?: string
}

/** A Twilio status callback. */
export interface TwilioReceiptRequest {
  /** The full URL Twilio posted to, query included, as Twilio signs it. */
  url: string
  params: Record<string, string>
  signature?: string
}

/** A push provider's receipt request. */
export interface PushReceiptRequest {
  body: string
  signature?: string
}
