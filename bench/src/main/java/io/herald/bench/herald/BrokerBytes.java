package io.herald.bench.herald;

import io.herald.bench.infra.BenchInfra;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.Node;

/**
 * What the broker holds on disk, per topic (the sum of its partitions' log sizes, from {@code
 * Admin.describeLogDirs}). Read before and after a phase, the difference is what the phase wrote:
 * outputs, changelogs, offsets and transaction markers, at this broker's replication factor (1).
 */
record BrokerBytes(Map<String, Long> byTopic) {

  static BrokerBytes read(BenchInfra infra) throws Exception {
    try (Admin admin = Admin.create(infra.broker().clientConfig())) {
      List<Integer> ids =
          admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id).toList();
      Map<String, Long> byTopic = new HashMap<>();
      for (Map<String, LogDirDescription> dirs :
          admin.describeLogDirs(ids).allDescriptions().get(10, TimeUnit.SECONDS).values()) {
        for (LogDirDescription dir : dirs.values()) {
          for (var e : dir.replicaInfos().entrySet()) {
            ReplicaInfo r = e.getValue();
            byTopic.merge(e.getKey().topic(), r.size(), Long::sum);
          }
        }
      }
      return new BrokerBytes(Map.copyOf(byTopic));
    }
  }

  long total() {
    return byTopic.values().stream().mapToLong(Long::longValue).sum();
  }

  long topic(String name) {
    return byTopic.getOrDefault(name, 0L);
  }

  /** Bytes written since {@code before}, over all topics, per {@code n} outputs. */
  long perOutputSince(BrokerBytes before, int n) {
    return n == 0 ? 0 : Math.round((total() - before.total()) / (double) n);
  }

  /** Bytes written to {@code topic} since {@code before}, per {@code n} outputs. */
  long perOutputSince(BrokerBytes before, String topic, int n) {
    return n == 0 ? 0 : Math.round((topic(topic) - before.topic(topic)) / (double) n);
  }
}
