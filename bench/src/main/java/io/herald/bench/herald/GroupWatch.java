package io.herald.bench.herald;

import io.herald.bench.infra.BenchInfra;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;

/**
 * Watches one consumer group (a Streams application's or the sender's) from outside: a named thread
 * describes it every 50 ms and keeps the timeline (wall clock, state, members and their
 * partitions), so the scale scenario can wait for the group to settle and date its rebalances.
 */
final class GroupWatch implements AutoCloseable {

  static final long POLL_MILLIS = 50;

  /** One description of the group. */
  record Sample(long at, GroupState state, Map<String, Integer> partitionsByMember) {
    Set<String> members() {
      return partitionsByMember.keySet();
    }

    int assignedPartitions() {
      return partitionsByMember.values().stream().mapToInt(Integer::intValue).sum();
    }

    boolean stableWith(int expectedMembers) {
      return state == GroupState.STABLE && partitionsByMember.size() == expectedMembers;
    }
  }

  private final String group;
  private final String topic;
  private final Admin admin;
  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param topic only partitions of this topic count as assigned (the group's input topic)
   */
  GroupWatch(BenchInfra infra, String group, String topic) {
    this.group = group;
    this.topic = topic;
    this.admin = Admin.create(infra.broker().clientConfig());
    this.thread = new Thread(this::poll, "bench-group-watch-" + group);
    thread.setDaemon(true);
    thread.start();
  }

  private void poll() {
    while (running) {
      try {
        ConsumerGroupDescription d =
            admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS).get(group);
        Map<String, Integer> members =
            d.members().stream()
                .collect(
                    Collectors.toMap(
                        MemberDescription::consumerId,
                        m ->
                            (int)
                                m.assignment().topicPartitions().stream()
                                    .filter(tp -> tp.topic().equals(topic))
                                    .count()));
        synchronized (samples) {
          samples.add(new Sample(System.currentTimeMillis(), d.groupState(), Map.copyOf(members)));
        }
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // the group may not exist yet, or a describe timed out under load: try again
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private List<Sample> snapshot() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /** The latest description, if any. */
  Optional<Sample> latest() {
    List<Sample> s = snapshot();
    return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
  }

  /**
   * Waits until the group has been STABLE with {@code members} members (and, when {@code
   * partitions} &gt; 0, that many partitions of the topic assigned) for {@code quietMillis} without
   * a break, looking only at samples from {@code from} on. Returns when that stable stretch began,
   * or empty when {@code timeoutMillis} passed first.
   */
  OptionalLong awaitSettled(
      long from, int members, int partitions, long quietMillis, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      OptionalLong start = settledSince(from, members, partitions);
      if (start.isPresent() && latest().orElseThrow().at() - start.getAsLong() >= quietMillis) {
        return start;
      }
      Thread.sleep(POLL_MILLIS);
    }
    return OptionalLong.empty();
  }

  /** Start of the current unbroken stretch of settled samples since {@code from}, if any. */
  private OptionalLong settledSince(long from, int members, int partitions) {
    List<Sample> s = snapshot();
    long start = -1;
    for (Sample x : s) {
      if (x.at() < from) {
        continue;
      }
      boolean ok =
          x.stableWith(members) && (partitions <= 0 || x.assignedPartitions() == partitions);
      if (!ok) {
        start = -1;
      } else if (start < 0) {
        start = x.at();
      }
    }
    return start < 0 ? OptionalLong.empty() : OptionalLong.of(start);
  }

  /**
   * The first sample at or after {@code from} that differs from the group as it was ({@code
   * before}): another state or another member set; the moment the group was seen rebalancing.
   */
  OptionalLong firstChange(long from, Set<String> before) {
    for (Sample x : snapshot()) {
      if (x.at() >= from && (x.state() != GroupState.STABLE || !x.members().equals(before))) {
        return OptionalLong.of(x.at());
      }
    }
    return OptionalLong.empty();
  }

  /** Stretches of non-STABLE samples between {@code from} and {@code to}: rebalances seen. */
  int rebalancesSeen(long from, long to) {
    int count = 0;
    boolean inRebalance = false;
    for (Sample x : snapshot()) {
      if (x.at() < from || x.at() > to) {
        continue;
      }
      boolean rebalancing = x.state() != GroupState.STABLE;
      if (rebalancing && !inRebalance) {
        count++;
      }
      inRebalance = rebalancing;
    }
    return count;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(java.time.Duration.ofSeconds(5));
  }
}
