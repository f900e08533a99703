/** The receiver's process: {@code main}, wiring, start and stop order. */
package io.herald.webhook.app;
