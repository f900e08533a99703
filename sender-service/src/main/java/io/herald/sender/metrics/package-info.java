/**
 * The sender's Micrometer meters, pre-registered with bounded tags (never a phone number or text).
 * Imports only Micrometer and java.*.
 */
package io.herald.sender.metrics;
