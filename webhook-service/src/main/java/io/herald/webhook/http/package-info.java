/**
 * The receiver's HTTP side on a JDK HttpServer: routing, the body bound, the answers. Decides
 * nothing itself (the {@code check} package does) and reaches Kafka only through the {@code
 * publish} port.
 */
package io.herald.webhook.http;
