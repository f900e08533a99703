/**
 * The start of a service process, one shape for every service's {@code main}: configuration read
 * before any thread starts, the service started, closed by a shutdown hook, an exit code that says
 * which of these failed. Imports only java.*, SLF4J and this module's configuration error.
 */
package io.herald.runtime.app;
