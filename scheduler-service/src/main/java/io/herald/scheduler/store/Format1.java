package io.herald.scheduler.store;

import static io.herald.scheduler.store.StoreCodecs.has;

import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.scheduler.schedule.Definition;
import java.time.Instant;
import java.util.List;

/**
 * Reads store format 1, which a running deployment still has in its state dirs and changelogs, into
 * today's records; never written. Format 1 differs from format 2 ({@link StoreCodecs}) only in the
 * definition of a {@link ScheduleState}: it was the wire {@code ScheduleChange}, with a payload
 * version and an op before the fields a {@link Definition} has. Both are read and dropped (a stored
 * definition never needed them); an unknown op code still fails, as it did. The values of the
 * {@code fanouts} and {@code recipients} stores are laid out alike in both formats.
 */
final class Format1 {

  private Format1() {}

  /** A format-1 {@link ScheduleState}. */
  static final StoreCodecs.Reader<ScheduleState> SCHEDULE_STATE =
      in -> StoreCodecs.readScheduleState(in, Format1::readDefinition);

  /**
   * The former {@code ScheduleChange} layout: presence bits for op, scheduleKey, kind, tenantId,
   * deviceId, name, message, mediaUrl, recipients, rule, pacing, sourceStatus and createdAt; then
   * schemaVersion, the present ones, active, sourceVersion and mappingErrors in declaration order.
   */
  static Definition readDefinition(StoreCodecs.In in) {
    int p = in.presence(13);
    in.varInt(); // schemaVersion: the payload's, never the stored definition's concern
    if (has(p, 0)) {
      StoreCodecs.op(in.code()); // upsert, or the delete a skeleton was cut from
    }
    String scheduleKey = has(p, 1) ? in.string() : null;
    ScheduleKind kind = has(p, 2) ? StoreCodecs.kind(in.code()) : null;
    String tenantId = has(p, 3) ? in.string() : null;
    String deviceId = has(p, 4) ? in.string() : null;
    String name = has(p, 5) ? in.string() : null;
    String message = has(p, 6) ? in.string() : null;
    String mediaUrl = has(p, 7) ? in.string() : null;
    List<String> recipients = has(p, 8) ? in.strings() : null;
    RuleSpec rule = has(p, 9) ? StoreCodecs.readRule(in) : null;
    PacingSpec pacing = has(p, 10) ? StoreCodecs.readPacing(in) : null;
    boolean active = in.bool();
    String sourceStatus = has(p, 11) ? in.string() : null;
    long sourceVersion = in.varLong();
    Instant createdAt = has(p, 12) ? in.instant() : null;
    List<String> mappingErrors = in.strings();
    return new Definition(
        scheduleKey,
        kind,
        tenantId,
        deviceId,
        name,
        message,
        mediaUrl,
        recipients,
        rule,
        pacing,
        active,
        sourceStatus,
        sourceVersion,
        createdAt,
        mappingErrors);
  }
}
