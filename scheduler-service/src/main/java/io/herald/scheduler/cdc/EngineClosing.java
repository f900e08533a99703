package io.herald.scheduler.cdc;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closing a Debezium engine, which refuses to close while its tasks are still starting. */
final class EngineClosing {

  private static final Logger log = LoggerFactory.getLogger(EngineClosing.class);

  private EngineClosing() {}

  static void close(
      DebeziumEngine<ChangeEvent<String, String>> engine, CdcConfig config, long deadline) {
    while (true) {
      try {
        engine.close();
        return;
      } catch (IllegalStateException e) {
        // "already shutting down / shut down": someone else closed it; nothing left to do.
        if (e.getMessage() == null || !e.getMessage().contains("starting")) {
          return;
        }
        // Debezium refuses to close while its tasks are starting; retry until they started.
        if (System.nanoTime() > deadline) {
          log.warn("CDC engine could not be closed while starting: slot={}", config.slotName(), e);
          return;
        }
        try {
          Thread.sleep(50); // bounded retry of a refused close, not a test synchronisation
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      } catch (Exception e) {
        log.warn("CDC engine close failed: slot={}", config.slotName(), e);
        return;
      }
    }
  }

  static void closeQuietly(DebeziumEngine<ChangeEvent<String, String>> engine) {
    try {
      engine.close();
    } catch (Exception e) {
      log.debug("Ignoring failure to close an engine that never ran", e);
    }
  }
}
