/**
 * The webhook projection (ADR 0021, decision 4): reads the Cloud API webhook POSTs that the webhook
 * receiver put on {@code herald.whatsapp-webhooks} and writes what they say into PostgreSQL —
 * delivery statuses (forward only, delivered and read counted once), contacts' 24-hour windows,
 * opt-outs by keyword, and the number's quality and messaging limit. Parsing and every decision
 * ({@link io.herald.sender.webhook.WebhookParser}, {@link
 * io.herald.sender.webhook.StatusTransition}, {@link io.herald.sender.webhook.OptOutKeywords},
 * {@link io.herald.sender.webhook.ReportedLimit}) are pure; only {@link
 * io.herald.sender.webhook.WebhookProjector} touches Kafka and only the {@code Jdbc…} classes touch
 * JDBC.
 */
package io.herald.sender.webhook;
