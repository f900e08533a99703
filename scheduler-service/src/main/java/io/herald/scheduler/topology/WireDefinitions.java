package io.herald.scheduler.topology;

import io.herald.contracts.event.ChangeOp;
import io.herald.contracts.event.ScheduleChange;
import io.herald.scheduler.schedule.Definition;

/**
 * The one translation from the wire {@link ScheduleChange} to the lifecycle's {@link Definition}:
 * every field but the payload version and the op, under the same name. The lifecycle never sees a
 * {@code ScheduleChange}; the change itself stays at this edge (it is what a set-aside change
 * dead-letters).
 */
final class WireDefinitions {

  private WireDefinitions() {}

  /** What a change asks of the lifecycle: its definition, or null to delete (tombstone, DELETE). */
  static Definition upsert(ScheduleChange c) {
    return c == null || c.op() == ChangeOp.DELETE ? null : definition(c);
  }

  /** The definition a change carries, whatever its op (a delete's has only key, kind, version). */
  static Definition definition(ScheduleChange c) {
    if (c == null) {
      return null;
    }
    return new Definition(
        c.scheduleKey(),
        c.kind(),
        c.tenantId(),
        c.deviceId(),
        c.name(),
        c.message(),
        c.mediaUrl(),
        c.recipients(),
        c.rule(),
        c.pacing(),
        c.active(),
        c.sourceStatus(),
        c.sourceVersion(),
        c.createdAt(),
        c.mappingErrors(),
        c.template(),
        c.windowPolicy());
  }
}
