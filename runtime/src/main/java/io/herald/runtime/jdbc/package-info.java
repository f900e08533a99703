/**
 * JDBC helpers shared by the services' projectors; depends on the JDK's {@code java.sql} only (no
 * driver, no pool).
 */
package io.herald.runtime.jdbc;
