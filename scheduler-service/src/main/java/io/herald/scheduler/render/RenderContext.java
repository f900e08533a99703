package io.herald.scheduler.render;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

/**
 * What a template may refer to for one recipient of one occurrence.
 *
 * @param name the contact's display name, or null (renders as an empty string)
 * @param phone the recipient's E.164 number or group id, or null
 * @param fields extra variables of the contact; null means none
 * @param occurrence the occurrence instant from the rule (never the firing clock), or null
 * @param zone the schedule's zone for {date}/{time}/...; null means UTC
 * @param seed seed of the spintax choices, e.g. the command id, so a re-fire renders the same text;
 *     null means a fixed seed
 */
public record RenderContext(
    String name,
    String phone,
    Map<String, String> fields,
    Instant occurrence,
    ZoneId zone,
    String seed) {

  public RenderContext {
    fields = fields == null ? Map.of() : Map.copyOf(fields);
  }
}
