package io.herald.scheduler.store;

import io.herald.contracts.event.ScheduleChange;
import io.herald.scheduler.schedule.Definition;
import io.herald.scheduler.schedule.ScheduleStatus;
import java.lang.reflect.RecordComponent;
import java.time.Instant;

/**
 * A {@link ScheduleState} as the scheduler stored it before it had a {@link Definition} of its own:
 * the definition was the wire {@link ScheduleChange}. Serialized by Jackson it is the former JSON
 * store value; {@link #format1} writes it as the former binary format 1 did (a copy of that writer,
 * kept here because production only reads format 1 now).
 */
record FormerState(
    ScheduleChange definition,
    long generation,
    ScheduleStatus status,
    Instant timerDue,
    Instant lastFiredOccurrence,
    long executionCount,
    int recipientCount,
    Instant awaitingDeviceSince) {

  /** What a current scheduler must read this value as. */
  ScheduleState converted() {
    return new ScheduleState(
        definition == null ? null : definitionOf(definition),
        generation,
        status,
        timerDue,
        lastFiredOccurrence,
        executionCount,
        recipientCount,
        awaitingDeviceSince);
  }

  /**
   * The definition a change carries, component by component of the same name, found by reflection
   * so that it cannot drift from the topology's translation unnoticed: every component of {@link
   * Definition} must exist on {@link ScheduleChange}.
   */
  static Definition definitionOf(ScheduleChange c) {
    try {
      RecordComponent[] components = Definition.class.getRecordComponents();
      Object[] values = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        values[i] = ScheduleChange.class.getMethod(components[i].getName()).invoke(c);
        types[i] = components[i].getType();
      }
      return Definition.class.getDeclaredConstructor(types).newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** The bytes the former scheduler wrote for {@code s}: format byte 1, then its layout. */
  static byte[] format1(FormerState s) {
    StoreCodecs.Out out = new StoreCodecs.Out(256);
    out.byteValue(StoreSerde.FORMAT_V1);
    out.presence(
        s.definition(), s.status(), s.timerDue(), s.lastFiredOccurrence(), s.awaitingDeviceSince());
    if (s.definition() != null) {
      writeChange(out, s.definition());
    }
    out.varLong(s.generation());
    if (s.status() != null) {
      out.code(StoreCodecs.statusCode(s.status()));
    }
    out.instantIfPresent(s.timerDue());
    out.instantIfPresent(s.lastFiredOccurrence());
    out.varLong(s.executionCount());
    out.varInt(s.recipientCount());
    out.instantIfPresent(s.awaitingDeviceSince());
    return out.toByteArray();
  }

  private static void writeChange(StoreCodecs.Out out, ScheduleChange c) {
    out.presence(
        c.op(),
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
        c.sourceStatus(),
        c.createdAt());
    out.varInt(c.schemaVersion());
    if (c.op() != null) {
      out.code(StoreCodecs.opCode(c.op()));
    }
    out.stringIfPresent(c.scheduleKey());
    if (c.kind() != null) {
      out.code(StoreCodecs.kindCode(c.kind()));
    }
    out.stringIfPresent(c.tenantId());
    out.stringIfPresent(c.deviceId());
    out.stringIfPresent(c.name());
    out.stringIfPresent(c.message());
    out.stringIfPresent(c.mediaUrl());
    if (c.recipients() != null) {
      out.strings(c.recipients());
    }
    if (c.rule() != null) {
      StoreCodecs.writeRule(out, c.rule());
    }
    if (c.pacing() != null) {
      StoreCodecs.writePacing(out, c.pacing());
    }
    out.bool(c.active());
    out.stringIfPresent(c.sourceStatus());
    out.varLong(c.sourceVersion());
    out.instantIfPresent(c.createdAt());
    out.strings(c.mappingErrors());
  }
}
