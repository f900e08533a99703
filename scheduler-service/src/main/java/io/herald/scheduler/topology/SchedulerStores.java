package io.herald.scheduler.topology;

import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.DeviceInfo;
import io.herald.scheduler.schedule.ScheduleStatus;
import io.herald.scheduler.store.FanOutJob;
import io.herald.scheduler.store.RecipientChunk;
import io.herald.scheduler.store.ScheduleState;
import io.herald.scheduler.timer.TimerKey;
import io.herald.scheduler.timer.TimerKeyCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Typed access to the task's stores, opened by {@link DecisionApplier} and shared by {@link
 * ScheduleChangeProcessor} and {@link DueTimerPunctuation}. Keeps the pending-timer and
 * active-schedule gauges in step with every write, so no gauge needs a scan after start.
 */
final class SchedulerStores {

  /** Recipients per chunk: 1,000 canonical entries are ≈ 40 KB, far below a Kafka record. */
  static final int CHUNK_SIZE = 1_000;

  /** Separates the schedule key from the rest of a composite key; never inside a schedule key. */
  private static final char SEP = '\u0000';

  private static final StringSerializer PREFIX_SERIALIZER = new StringSerializer();

  final KeyValueStore<String, ScheduleState> schedules;
  final KeyValueStore<Bytes, String> timers;
  final KeyValueStore<String, FanOutJob> fanouts;
  final KeyValueStore<String, RecipientChunk> recipients;
  final KeyValueStore<String, Long> deviceWaits;
  final KeyValueStore<String, DeviceInfo> devices;
  final KeyValueStore<String, ContactInfo> contacts;
  private final SchedulerMetrics.TaskGauges gauges;

  /** Told of every write to the schedules store, so the scheduler's decisions reach the rows. */
  interface StateListener {
    void changed(String key, ScheduleState before, ScheduleState after);
  }

  private final StateListener listener;

  /**
   * No armed timer is due before this instant (null: unknown, scan from the start). Fired timers
   * are deleted, and RocksDB keeps their tombstones until compaction: a due scan from the start
   * would step over every timer fired since, on every tick. Lowered by any earlier arming.
   */
  private Instant scanFrom;

  /**
   * Unfinished fan-out jobs per schedule, mirrored from the fanouts store at task start and kept by
   * every write below: asked at every firing, where a RocksDB prefix scan per firing cost more than
   * the emission it guards.
   */
  private final Map<String, Integer> fanOutsBySchedule = new HashMap<>();

  SchedulerStores(ProcessorContext<?, ?> context, SchedulerMetrics.TaskGauges gauges) {
    this(context, gauges, (key, before, after) -> {});
  }

  SchedulerStores(
      ProcessorContext<?, ?> context, SchedulerMetrics.TaskGauges gauges, StateListener listener) {
    this.listener = listener;
    this.schedules = context.getStateStore(Names.SCHEDULES_STORE);
    this.timers = context.getStateStore(Names.TIMERS_STORE);
    this.fanouts = context.getStateStore(Names.FANOUTS_STORE);
    this.recipients = context.getStateStore(Names.RECIPIENTS_STORE);
    this.deviceWaits = context.getStateStore(Names.DEVICE_WAITS_STORE);
    this.devices = context.getStateStore(Names.DEVICES_STORE);
    this.contacts = context.getStateStore(Names.CONTACTS_STORE);
    this.gauges = gauges;
  }

  /** Counts restored state once per task start; afterwards the writes below keep the gauges. */
  void initGauges() {
    gauges.resetActive();
    long armed = 0;
    try (KeyValueIterator<Bytes, String> it = timers.all()) {
      while (it.hasNext()) {
        it.next();
        armed++;
      }
    }
    gauges.setPendingTimers(armed);
    fanOutsBySchedule.clear();
    try (KeyValueIterator<String, FanOutJob> it = fanouts.all()) {
      while (it.hasNext()) {
        fanOutsBySchedule.merge(it.next().value.scheduleKey(), 1, Integer::sum);
      }
    }
    try (KeyValueIterator<String, ScheduleState> it = schedules.all()) {
      while (it.hasNext()) {
        ScheduleState s = it.next().value;
        if (s.status() == ScheduleStatus.ARMED && s.definition() != null) {
          gauges.addActive(s.definition().kind(), 1);
        }
      }
    }
  }

  ScheduleState schedule(String key) {
    ScheduleState s = schedules.get(key);
    return s == null ? ScheduleState.empty() : s;
  }

  void putSchedule(String key, ScheduleState before, ScheduleState after) {
    if (isActive(before) && before.definition() != null) {
      gauges.addActive(before.definition().kind(), -1);
    }
    if (isActive(after) && after.definition() != null) {
      gauges.addActive(after.definition().kind(), 1);
    }
    schedules.put(key, after);
    listener.changed(key, before, after);
  }

  private static boolean isActive(ScheduleState s) {
    return s != null && s.status() == ScheduleStatus.ARMED;
  }

  void armTimer(String scheduleKey, Instant due) {
    timers.put(Bytes.wrap(TimerKeyCodec.encode(new TimerKey(due, scheduleKey))), scheduleKey);
    if (scanFrom != null && due.isBefore(scanFrom)) {
      scanFrom = due;
    }
    gauges.addPendingTimers(1);
  }

  void cancelTimer(String scheduleKey, Instant due) {
    if (due == null) {
      return;
    }
    Bytes k = Bytes.wrap(TimerKeyCodec.encode(new TimerKey(due, scheduleKey)));
    if (timers.get(k) != null) {
      timers.delete(k);
      gauges.addPendingTimers(-1);
    }
  }

  /** Deletes a timer entry found by the due scan. */
  void deleteTimer(Bytes key) {
    timers.delete(key);
    gauges.addPendingTimers(-1);
  }

  /**
   * Ends a schedule's wait for its device, if it had one. Deleting unconditionally wrote a
   * tombstone for every accepted change, and the per-tick scan of this (nearly always empty) store
   * then stepped over all of them: a quarter of the tick in a 100,000-schedule burst.
   */
  void clearDeviceWait(String scheduleKey) {
    if (deviceWaits.get(scheduleKey) != null) {
      deviceWaits.delete(scheduleKey);
    }
  }

  /**
   * Timers due at or before {@code now}, oldest first, at most {@code limit}. The caller deletes
   * every timer returned (fires or drops it), which is what lets the next scan start later.
   */
  List<KeyValue<Bytes, String>> dueTimers(Instant now, int limit) {
    List<KeyValue<Bytes, String>> due = new ArrayList<>();
    if (scanFrom != null && scanFrom.isAfter(now)) {
      return due;
    }
    Bytes from = scanFrom == null ? null : Bytes.wrap(TimerKeyCodec.instantPrefix(scanFrom));
    try (KeyValueIterator<Bytes, String> it =
        timers.range(from, Bytes.wrap(TimerKeyCodec.upperBoundAtOrBefore(now)))) {
      while (it.hasNext() && due.size() < limit) {
        due.add(it.next());
      }
    }
    scanFrom =
        due.size() < limit
            ? now.plusNanos(1)
            : TimerKeyCodec.decode(due.get(due.size() - 1).key.get()).dueInstant();
    return due;
  }

  void setDueNow(long n) {
    gauges.setDueNow(n);
  }

  DueSoonScan dueSoonScan() {
    return new DueSoonScan(timers, gauges, DueSoonScan.MAX_TIMERS);
  }

  // ---- recipients, chunked

  void writeRecipients(String scheduleKey, List<String> canonical, int previousCount) {
    int chunks = chunkCount(canonical.size());
    for (int c = 0; c < chunks; c++) {
      int from = c * CHUNK_SIZE;
      int to = Math.min(canonical.size(), from + CHUNK_SIZE);
      recipients.put(chunkKey(scheduleKey, c), new RecipientChunk(canonical.subList(from, to)));
    }
    for (int c = chunks; c < chunkCount(previousCount); c++) {
      recipients.delete(chunkKey(scheduleKey, c));
    }
  }

  void deleteRecipients(String scheduleKey, int count) {
    for (int c = 0; c < chunkCount(count); c++) {
      recipients.delete(chunkKey(scheduleKey, c));
    }
  }

  /**
   * Recipients with index in [from, to) of a schedule, or of a frozen fan-out job when {@code
   * owner} is its job key.
   */
  List<String> readRecipients(String owner, int from, int to) {
    List<String> out = new ArrayList<>(Math.max(0, to - from));
    int c = from / CHUNK_SIZE;
    int i = from;
    while (i < to) {
      RecipientChunk chunk = recipients.get(chunkKey(owner, c));
      if (chunk == null) {
        break; // the definition shrank under a running fan-out: nothing more to send
      }
      int offset = i - c * CHUNK_SIZE;
      int take = Math.min(to - i, chunk.recipients().size() - offset);
      if (take <= 0) {
        break;
      }
      out.addAll(chunk.recipients().subList(offset, offset + take));
      i += take;
      c++;
    }
    return out;
  }

  private static int chunkCount(int n) {
    return (n + CHUNK_SIZE - 1) / CHUNK_SIZE;
  }

  /**
   * The key of one chunk of a schedule's recipients ({@code owner} a schedule key) or of a frozen
   * job's ({@code owner} a job key, which has a separator and a '.' where a chunk key has digits,
   * so the two key spaces never meet).
   */
  private static String chunkKey(String owner, int chunk) {
    // Hand-padded like fanOutKey: String.format was 3 % of a burst tick.
    StringBuilder sb = new StringBuilder(owner.length() + 9).append(owner).append(SEP);
    pad(sb, Integer.toString(chunk), 8);
    return sb.toString();
  }

  // ---- fan-outs

  static String fanOutKey(String scheduleKey, Instant occurrence) {
    // Zero-padded so one schedule's jobs iterate in occurrence order.
    // Hand-padded: String.format showed up in profiles of a 100,000-schedule burst.
    StringBuilder sb = new StringBuilder(scheduleKey.length() + 30).append(scheduleKey).append(SEP);
    pad(sb, Long.toString(occurrence.getEpochSecond()), 19);
    sb.append('.');
    pad(sb, Integer.toString(occurrence.getNano()), 9);
    return sb.toString();
  }

  private static void pad(StringBuilder sb, String digits, int width) {
    for (int i = digits.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(digits);
  }

  /** Whether the schedule has an unfinished fan-out. */
  boolean hasFanOuts(String scheduleKey) {
    return fanOutsBySchedule.containsKey(scheduleKey);
  }

  /** Stores a new fan-out job. */
  void addFanOut(String jobKey, FanOutJob job) {
    if (fanouts.get(jobKey) == null) {
      fanOutsBySchedule.merge(job.scheduleKey(), 1, Integer::sum);
    }
    fanouts.put(jobKey, job);
  }

  /** Stores a job's advanced cursor. */
  void advanceFanOut(String jobKey, FanOutJob job) {
    fanouts.put(jobKey, job);
  }

  /** Removes a finished or abandoned job, with its frozen recipients if it has them. */
  void removeFanOut(String jobKey, FanOutJob job) {
    fanouts.delete(jobKey);
    deleteFrozenRecipients(jobKey, job);
    fanOutsBySchedule.computeIfPresent(job.scheduleKey(), (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Removes every unfinished fan-out of a schedule; returns how many were cancelled. */
  int cancelFanOuts(String scheduleKey) {
    List<KeyValue<String, FanOutJob>> jobs = fanOutsOf(scheduleKey);
    for (KeyValue<String, FanOutJob> job : jobs) {
      fanouts.delete(job.key);
      deleteFrozenRecipients(job.key, job.value);
    }
    fanOutsBySchedule.remove(scheduleKey);
    return jobs.size();
  }

  /**
   * Freezes every running fan-out of a schedule that still reads the schedule itself, before a
   * change rewrites it (ADR 0016): the definition it fired with goes into the job, the recipients
   * it has still to reach into the job's own chunks (same indices, so the cursor stays valid).
   * Nothing to do, and no store read, for a schedule without fan-outs: the common case.
   *
   * @param fired the schedule as stored before the change, which is as every running job fired it
   * @return how many jobs were frozen
   */
  int freezeFanOuts(String scheduleKey, ScheduleState fired) {
    if (!hasFanOuts(scheduleKey) || fired.definition() == null) {
      return 0;
    }
    int frozen = 0;
    for (KeyValue<String, FanOutJob> job : fanOutsOf(scheduleKey)) {
      if (job.value.frozen()) {
        continue; // frozen by an earlier change: already holds what it fired with
      }
      int total = fired.recipientCount();
      for (int c = job.value.cursor() / CHUNK_SIZE; c < chunkCount(total); c++) {
        RecipientChunk chunk = recipients.get(chunkKey(scheduleKey, c));
        if (chunk != null) {
          recipients.put(chunkKey(job.key, c), chunk);
        }
      }
      fanouts.put(job.key, job.value.freeze(fired.definition(), total));
      frozen++;
    }
    return frozen;
  }

  private void deleteFrozenRecipients(String jobKey, FanOutJob job) {
    if (!job.frozen()) {
      return;
    }
    for (int c = 0; c < chunkCount(job.recipientCount()); c++) {
      // Chunks before the cursor at freezing were never copied: no tombstone for them.
      String k = chunkKey(jobKey, c);
      if (recipients.get(k) != null) {
        recipients.delete(k);
      }
    }
  }

  private List<KeyValue<String, FanOutJob>> fanOutsOf(String scheduleKey) {
    List<KeyValue<String, FanOutJob>> jobs = new ArrayList<>();
    try (KeyValueIterator<String, FanOutJob> it =
        fanouts.prefixScan(scheduleKey + SEP, PREFIX_SERIALIZER)) {
      it.forEachRemaining(jobs::add);
    }
    return jobs;
  }

  /**
   * Up to {@code limit} unfinished fan-out jobs. Bounded: a burst of 100,000 due schedules is
   * 100,000 jobs, and reading (and deserializing) all of them on every tick to serve a few thousand
   * made the burst quadratic.
   */
  List<KeyValue<String, FanOutJob>> fanOutJobs(int limit) {
    List<KeyValue<String, FanOutJob>> jobs = new ArrayList<>();
    try (KeyValueIterator<String, FanOutJob> it = fanouts.all()) {
      while (it.hasNext() && jobs.size() < limit) {
        jobs.add(it.next());
      }
    }
    return jobs;
  }
}
