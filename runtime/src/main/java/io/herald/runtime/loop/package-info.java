/**
 * The one shape of every background loop: a named thread running a body until stopped, a stop
 * protocol (flag, wakeup hook, bounded join), failures decided by the owner (retry with backoff or
 * fatal) and a fatal end that the app turns into not-ready and an exit code. Imports only java.*,
 * SLF4J and Micrometer.
 */
package io.herald.runtime.loop;
