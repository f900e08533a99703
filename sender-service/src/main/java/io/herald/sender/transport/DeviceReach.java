package io.herald.sender.transport;

import io.herald.sender.policy.DevicePolicy;
import io.herald.sender.policy.HostResolver;
import io.herald.sender.policy.MediaVerdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The {@link DevicePolicy} as the HTTP adapters apply it before a request: the pure checks at once,
 * and the DNS look-up of a media host on {@code resolverExecutor}, never on a lane thread.
 *
 * <p>DNS (ADR 0014): a media host name is resolved when the command is sent, and refused when any
 * address is not public. A name that does not resolve is let through: the sender's resolver may
 * differ from the one that fetches the media (Meta's, or the gateway's), and a DNS outage must not
 * fail every media message for good. This does not stop DNS rebinding: the fetcher resolves the
 * name again, later, and may get another answer; only an egress rule on the fetcher (the gateway
 * host) closes that.
 */
public final class DeviceReach {

  private final DevicePolicy policy;
  private final HostResolver resolver;
  private final Executor resolverExecutor;

  public DeviceReach(DevicePolicy policy, HostResolver resolver, Executor resolverExecutor) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.resolverExecutor = Objects.requireNonNull(resolverExecutor, "resolverExecutor");
  }

  public DevicePolicy policy() {
    return policy;
  }

  /**
   * Why {@code mediaUrl} may not go out, or null (also when the command has none). Completes
   * exceptionally only when the look-up could not run (the executor is stopping): nothing was sent.
   */
  CompletableFuture<String> mediaRefusal(String mediaUrl) {
    if (mediaUrl == null || mediaUrl.isBlank()) {
      return CompletableFuture.completedFuture(null);
    }
    MediaVerdict v = policy.checkMedia(mediaUrl);
    if (v.refused() || v.hostToResolve() == null) {
      return CompletableFuture.completedFuture(v.refusal());
    }
    String host = v.hostToResolve();
    try {
      return CompletableFuture.supplyAsync(() -> resolved(host), resolverExecutor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private String resolved(String host) {
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException | SecurityException e) {
      return null; // not resolvable here: see the class comment
    }
    return policy.refuseResolved(host, List.of(addresses)).orElse(null);
  }
}
