export { createUsherClient, unwrap, XLSX_MEDIA_TYPE } from "./client.js";
export type { UsherClient, UsherClientOptions, BulkInput, BulkOptions, DirectoryPersonRow, ExportOptions, ExportedFile } from "./client.js";
export { UsherError, isUsherError } from "./errors.js";
export { createTransport, signRequest, retryAfterMs } from "./transport.js";
export type { TransportOptions, TokenSource, IamCredentials, RetryOptions } from "./transport.js";
export { verifyWebhook, WebhookVerificationError } from "./webhooks.js";
export type * from "./types.js";
export type { paths, components, operations, webhooks } from "./generated/openapi.js";
