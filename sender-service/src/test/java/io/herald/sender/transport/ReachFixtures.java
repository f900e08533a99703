package io.herald.sender.transport;

import io.herald.sender.policy.DevicePolicy;
import io.herald.sender.policy.HostResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

/** Device policies for transport tests, with a DNS table instead of the real resolver. */
final class ReachFixtures {

  private ReachFixtures() {}

  /**
   * The default token namespace, {@code endpoints} allowed, {@code media} allowlisted; {@code dns}
   * maps host names to one IP literal each, every other name does not resolve. Look-ups run on the
   * calling thread.
   */
  static DeviceReach reach(List<String> endpoints, List<String> media, Map<String, String> dns) {
    return new DeviceReach(
        new DevicePolicy(DevicePolicy.DEFAULT_TOKEN_ENV_PREFIX, endpoints, media),
        table(dns),
        Runnable::run);
  }

  static DeviceReach reach(String... endpoints) {
    return reach(List.of(endpoints), List.of(), Map.of());
  }

  static HostResolver table(Map<String, String> dns) {
    return host -> {
      String ip = dns.get(host);
      if (ip == null) {
        throw new UnknownHostException(host);
      }
      return new InetAddress[] {InetAddress.getByName(ip)};
    };
  }
}
