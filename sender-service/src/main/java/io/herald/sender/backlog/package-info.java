/**
 * The durable backlog of device lanes (ADR 0014): commands a lane does not keep in memory — over
 * its read-ahead budget, or while its device is held — are parked here so that their partition's
 * offset moves on, and come back in order when the lane has room. Ports and pure policy; the JDBC
 * adapter is in {@code backlog.jdbc}.
 */
package io.herald.sender.backlog;
