/** The receiver's Micrometer meters; imports only java.* and Micrometer. */
package io.herald.webhook.metrics;
