package io.herald.sender.ledger.jdbc;

import io.herald.contracts.command.CommandId;
import io.herald.contracts.command.RecipientType;
import io.herald.contracts.command.SendCommand;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/** Send-commands for the ledger's tests: each one a new schedule, so a new command id. */
final class LedgerCommands {

  private LedgerCommands() {}

  static SendCommand fresh(ScheduleKind kind) {
    String key = kind.name().toLowerCase(Locale.ROOT) + ":" + UUID.randomUUID();
    Instant occ = Instant.parse("2026-02-02T09:00:00Z");
    return new SendCommand(
        1,
        CommandId.of(key, occ, "+62811"),
        UUID.randomUUID().toString(),
        UUID.randomUUID().toString(),
        key,
        kind,
        occ,
        "+62811",
        RecipientType.INDIVIDUAL,
        null,
        "x",
        null,
        PacingSpec.none(),
        1,
        null);
  }
}
