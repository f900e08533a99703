/** The admin HTTP endpoint of a service: metrics and health probes, on a JDK HttpServer. */
package io.herald.runtime.http;
