// Verifying Usher's webhooks (Standard Webhooks signatures) and typing what they carry.
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { UsherEvent } from "./types.js";

export { WebhookVerificationError };

type HeaderInput = Headers | Record<string, string | string[] | undefined>;

function plainHeaders(headers: HeaderInput): Record<string, string> {
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * Checks a webhook's signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`, the
 * secret `whsec_...`) over the raw body as received, refuses a timestamp more than five minutes
 * off, and returns the event, typed: narrow it by `type`. Throws `WebhookVerificationError`.
 * A type newer than this client passes through as it came: ignore types you do not know.
 */
export function verifyWebhook(body: string | Uint8Array | ArrayBuffer, headers: HeaderInput, secret: string): UsherEvent {
  const payload = body instanceof ArrayBuffer ? new Uint8Array(body) : body;
  const event: unknown = new Webhook(secret).verify(payload as string | Uint8Array, plainHeaders(headers));
  if (
    !event ||
    typeof event !== "object" ||
    (event as { specversion?: unknown }).specversion !== "1.0" ||
    !String((event as { type?: unknown }).type).startsWith("usher.")
  ) {
    throw new WebhookVerificationError("the signed body is not an Usher CloudEvent");
  }
  return event as UsherEvent;
}
