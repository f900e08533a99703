/**
 * The port an accepted webhook leaves through and its Kafka adapter; the only package that imports
 * Kafka clients' producer types.
 */
package io.herald.webhook.publish;
