package io.herald.sender.transport;

import io.herald.contracts.command.SendCommand;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one message (port). Calls are asynchronous so a slow device never holds a lane thread; the
 * future never completes exceptionally: every failure is a {@link TransportResponse}, which tells a
 * request that certainly did not reach the server from one that may have been received ({@link
 * TransportResponse.Failure#mayHaveArrived()}). Implementations are thread-safe and never log
 * tokens, phone numbers or message text.
 */
public interface Transport {

  /** The {@code devices.transport} value this adapter serves, also the metrics tag. */
  String kind();

  /**
   * Sends {@code command} with the device's {@code transport_config} (secrets are named there as
   * environment variables, never stored).
   */
  CompletableFuture<TransportResponse> send(
      Map<String, String> transportConfig, SendCommand command);

  /** Messages per second when the device sets no cap, or null for none. */
  Double defaultMaxPerSecond();
}
