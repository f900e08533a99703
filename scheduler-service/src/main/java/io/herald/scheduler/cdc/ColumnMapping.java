package io.herald.scheduler.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.contracts.event.ContactInfo;
import io.herald.contracts.event.MessageTemplate;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.WindowPolicy;
import java.util.List;

/**
 * The column mappings of the CDC path, open to readers of the same rows outside it ({@code herald
 * preview --dry-run}): a row read by JDBC, put in the shape Debezium gives (text columns as text,
 * jsonb as its JSON text), becomes exactly what the scheduler would see, so a dry run cannot drift
 * from the service's bounds, template parsing or seed defaults.
 */
public final class ColumnMapping {

  private ColumnMapping() {}

  /** A {@code contacts} row as the scheduler's contacts store holds it (bounded as CDC bounds). */
  public static ContactInfo contact(ObjectMapper json, String id, JsonNode row) {
    CdcMapping mapping = new DirectoryRows(json).contactEmit("contacts", "r", id, row, false, 0L);
    return (ContactInfo) ((CdcMapping.Emit<?>) mapping).value();
  }

  /** The row's template (null when it names none); shape problems are added to {@code errors}. */
  public static MessageTemplate template(ObjectMapper json, JsonNode row, List<String> errors) {
    return TemplateColumns.template(json, row, errors);
  }

  /** The row's window policy, or null (the default); an unknown word is added to errors. */
  public static WindowPolicy windowPolicy(JsonNode row, List<String> errors) {
    return TemplateColumns.windowPolicy(row, errors);
  }

  /** {@code p} as a row's pacing reads with {@code HERALD_SEED_COMPAT} on or off. */
  public static PacingSpec pacing(PacingSpec p, boolean seedCompat) {
    return seedCompat ? SeedDefaults.pacing(p) : p;
  }
}
