/** The Micrometer registry of a service and its JVM binders. */
package io.herald.runtime.metrics;
