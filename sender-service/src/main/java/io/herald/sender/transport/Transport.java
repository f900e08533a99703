package io.herald.sender.transport;

import io.herald.contracts.command.SendCommand;
import java.util.Map;
import java.util.Optional;
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

  /**
   * Why a device row with this {@code transport_config} can never send through this adapter (a
   * missing or malformed key, a variable outside the token namespace, a base URL outside the
   * operator's allowlist: ADR 0014), or empty when it may. Depends on the row and the operator's
   * settings only, never on a command or the environment's values, so the device directory can mark
   * the row {@code invalid} with this reason before any command is claimed. {@link #send} refuses
   * the same configurations.
   */
  Optional<String> configProblem(Map<String, String> transportConfig);

  /** Messages per second when the device sets no cap, or null for none. */
  Double defaultMaxPerSecond();

  /**
   * Whether this transport sends approved templates (the Cloud API); one that does not sends the
   * rendered text of every command (ADR 0021).
   */
  default boolean sendsTemplates() {
    return false;
  }
}
