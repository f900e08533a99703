package io.herald.sender.webhook;

import java.util.EnumMap;
import java.util.Map;

/**
 * What applying one webhook body changed, for the metrics and the log; counted inside the
 * transaction and reported only after it committed.
 */
final class WebhookOutcome {

  final Map<ProviderStatus, Integer> applied = new EnumMap<>(ProviderStatus.class);
  int notForward;
  int unmatchedMessages;
  int unmatchedDevices;
  int inbound;
  int optOuts;
  int contactsOptedOut;
  int qualityUpdates;

  void applied(ProviderStatus s) {
    applied.merge(s, 1, Integer::sum);
  }
}
