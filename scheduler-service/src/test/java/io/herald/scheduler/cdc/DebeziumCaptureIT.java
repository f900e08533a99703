package io.herald.scheduler.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.herald.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the harness PostgreSQL, Herald's publication and the Debezium embedded engine work
 * together: a committed insert into {@code recurring_messages} reaches the engine's consumer.
 */
class DebeziumCaptureIT {

  private final PostgresTestDatabase db = PostgresTestDatabase.shared();
  // Slots outlive the engine and pin WAL: each test gets its own and drops it afterwards.
  private final String slotName =
      "herald_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> engineFailure = new AtomicReference<>();
  private final CountDownLatch taskStarted = new CountDownLatch(1);
  private ExecutorService executor;
  private DebeziumEngine<ChangeEvent<String, String>> engine;

  @BeforeEach
  void startEngine() {
    engine =
        DebeziumEngine.create(Json.class)
            .using(engineProperties())
            .using(
                new DebeziumEngine.ConnectorCallback() {
                  @Override
                  public void taskStarted() {
                    taskStarted.countDown();
                  }
                })
            .using(
                (success, message, error) -> {
                  if (!success) {
                    engineFailure.set(message + (error == null ? "" : ": " + error));
                  }
                })
            .notifying(event -> events.add(event.value()))
            .build();
    executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "herald-it-debezium-engine"));
    executor.execute(engine);
  }

  @AfterEach
  void stopEngine() throws Exception {
    if (engine != null) {
      engine.close();
    }
    if (executor != null) {
      executor.shutdown();
      assertThat(executor.awaitTermination(30, TimeUnit.SECONDS))
          .as("engine thread stopped")
          .isTrue();
    }
    db.dropReplicationSlot(slotName);
  }

  @Test
  void shouldDeliverChangeEventWhenRecurringMessageIsInserted() throws SQLException {
    awaitStreaming();
    UUID id = UUID.randomUUID();

    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO recurring_messages (id, user_id, device_id, name, message,"
                    + " target_contacts, frequency, time_of_day, timezone) VALUES (?,"
                    + " gen_random_uuid(), gen_random_uuid(), 'Daily hello', 'Hello {{name}}',"
                    + " '[\"+4915112345678\"]'::jsonb, 'daily', '09:00', 'Europe/Berlin')")) {
      ps.setObject(1, id);
      ps.executeUpdate();
    }

    String event =
        await("change event for recurring_messages " + id)
            .atMost(Duration.ofSeconds(30))
            .until(() -> findEvent(id), e -> e != null);
    assertThat(event)
        .contains("\"op\":\"c\"")
        .contains("\"table\":\"recurring_messages\"")
        .contains("\"id\":\"" + id + "\"")
        // jsonb arrives as a JSON string inside the event, which the CDC mapper must parse
        .contains("\"target_contacts\":\"[\\\"+4915112345678\\\"]\"");
  }

  private void awaitStreaming() {
    // taskStarted() fires once the connector has created its slot; checking the slot as well makes
    // sure the insert below happens after the slot's consistent point and is therefore streamed.
    await("Debezium task started and slot " + slotName + " created")
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              String failure = engineFailure.get();
              if (failure != null) {
                throw new AssertionError("Debezium engine stopped: " + failure);
              }
              return taskStarted.getCount() == 0 && slotExists();
            });
  }

  private String findEvent(UUID id) {
    String failure = engineFailure.get();
    if (failure != null) {
      throw new AssertionError("Debezium engine stopped: " + failure);
    }
    return events.stream()
        .filter(e -> e != null && e.contains(id.toString()))
        .findFirst()
        .orElse(null);
  }

  private boolean slotExists() throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slotName);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private Properties engineProperties() {
    Properties p = new Properties();
    p.setProperty("name", "herald-debezium-capture-it");
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
    p.setProperty("offset.flush.interval.ms", "0");
    p.setProperty("topic.prefix", "herald-it");
    p.setProperty("database.hostname", db.host());
    p.setProperty("database.port", Integer.toString(db.port()));
    p.setProperty("database.user", db.user());
    p.setProperty("database.password", db.password());
    p.setProperty("database.dbname", db.database());
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("publication.name", "herald_publication");
    // The migration owns the publication; Debezium must not need rights to alter it.
    p.setProperty("publication.autocreate.mode", "disabled");
    p.setProperty("slot.name", slotName);
    p.setProperty("snapshot.mode", "no_data");
    // Default 500 ms adds ~0.7 s per event; 50 ms keeps the test quick without spinning.
    p.setProperty("poll.interval.ms", "50");
    p.setProperty("key.converter.schemas.enable", "false");
    p.setProperty("value.converter.schemas.enable", "false");
    return p;
  }
}
