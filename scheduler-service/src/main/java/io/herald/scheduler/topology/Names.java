package io.herald.scheduler.topology;

/**
 * Every name in the topology, chosen by hand: generated names shift when the topology changes, and
 * a renamed store loses its changelog state. Store names are part of the on-disk and
 * changelog-topic contract ({@code <application.id>-<store>-changelog}): never rename one without a
 * migration.
 */
public final class Names {

  public static final String SCHEDULE_CHANGES_SOURCE = "schedule-changes-source";
  public static final String SCHEDULE_CHANGE_DECODER = "schedule-change-decoder";
  public static final String SCHEDULE_CHANGE_PROCESSOR = "schedule-change-processor";
  public static final String DEAD_LETTER_SINK = "schedule-changes-dlq-sink";
  public static final String SEND_COMMANDS_SINK = "send-commands-sink";
  public static final String OCCURRENCES_SINK = "occurrences-sink";
  public static final String SCHEDULE_ERRORS_SINK = "schedule-errors-sink";
  public static final String SCHEDULE_STATES_SINK = "schedule-states-sink";

  /** Skipped recipients' outcomes, next to the sender's results on herald.delivery-results. */
  public static final String DELIVERY_RESULTS_SINK = "delivery-results-sink";

  public static final String DEVICES_SOURCE = "devices-source";
  public static final String DEVICES_UPDATER = "devices-updater";
  public static final String CONTACTS_SOURCE = "contacts-source";
  public static final String CONTACTS_UPDATER = "contacts-updater";

  /** Schedule key → {@link io.herald.scheduler.store.ScheduleState}. */
  public static final String SCHEDULES_STORE = "schedules";

  /** {@link io.herald.scheduler.timer.TimerKeyCodec} bytes → schedule key. */
  public static final String TIMERS_STORE = "timers";

  /** Schedule key + occurrence → {@link io.herald.scheduler.store.FanOutJob}. */
  public static final String FANOUTS_STORE = "fanouts";

  /** Schedule key + chunk number → canonical recipients of that chunk. */
  public static final String RECIPIENTS_STORE = "recipients";

  /** Schedule key → deadline of the wait for its device. */
  public static final String DEVICE_WAITS_STORE = "device-waits";

  /** Global: device id → DeviceInfo. */
  public static final String DEVICES_STORE = "devices";

  /** Global: contact id, and {@code phone:<tenant>:<e164>}, → ContactInfo. */
  public static final String CONTACTS_STORE = "contacts";

  private Names() {}
}
