package io.herald.scheduler.schedule;

import static io.herald.contracts.limit.ErrorTexts.quote;

import io.herald.contracts.event.DeviceInfo;
import io.herald.contracts.event.PacingSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.scheduler.render.TemplateRenderer;
import io.herald.scheduler.rule.Compilation;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.rule.RuleCompiler;
import io.herald.scheduler.rule.RuleProblem;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Validates one schedule definition and collects every problem (not just the first), so a user
 * fixes a row in one round. Pure: the device comes in as a lookup result, the time as {@code now};
 * nothing here knows Kafka.
 */
public final class ScheduleValidator {

  /** Bad recipient entries named one by one before the rest is only counted. */
  public static final int MAX_LISTED_RECIPIENT_PROBLEMS = 10;

  /** How CDC and the decoder word a definition over {@link Limits#MAX_DEFINITION_BYTES}. */
  public static final String TOO_LARGE_PREFIX = "definition too large";

  /**
   * The one wording of a definition over {@link Limits#MAX_DEFINITION_BYTES}, used by CDC and by
   * the decoder alike: "definition too large: 5,242,990 bytes, limit 4,194,304".
   */
  public static String tooLargeReason(long bytes) {
    return String.format(
        Locale.ROOT,
        TOO_LARGE_PREFIX + ": %,d bytes, limit %,d",
        bytes,
        Limits.MAX_DEFINITION_BYTES);
  }

  /** How CDC words a row it could not read at all. */
  public static final String UNREADABLE_PREFIX = "row could not be read";

  private static final Set<String> DELAY_TYPES = Set.of("auto", "manual", "adaptive");

  private final int maxRecipients;

  public ScheduleValidator(int maxRecipients) {
    this.maxRecipients = maxRecipients;
  }

  /** How the device of a definition looks to the scheduler right now. */
  public enum DeviceCheck {
    OK,
    /** The tenant's device, on a transport that cannot reach groups (the Cloud API). */
    OK_WITHOUT_GROUPS,
    UNKNOWN,
    FOREIGN
  }

  /** Transports that have no groups: an auto-post on them could never go out. */
  static final Set<String> TRANSPORTS_WITHOUT_GROUPS = Set.of("whatsapp_cloud");

  /**
   * The outcome: problems (possibly empty); the canonical recipients and compiled rule when there
   * are none; whether the device is unknown (held back, not yet a problem).
   */
  public record Result(
      List<Problem> problems,
      boolean deviceUnknown,
      List<String> canonicalRecipients,
      CompiledSchedule compiled) {

    public boolean valid() {
      return problems.isEmpty() && !deviceUnknown;
    }
  }

  public record Problem(ErrorReason reason, String message) {}

  public static DeviceCheck checkDevice(String tenantId, DeviceInfo device) {
    if (device == null || device.deleted()) {
      return DeviceCheck.UNKNOWN;
    }
    if (device.tenantId() == null || !device.tenantId().equals(tenantId)) {
      return DeviceCheck.FOREIGN;
    }
    String transport =
        device.transport() == null ? null : device.transport().trim().toLowerCase(Locale.ROOT);
    return transport != null && TRANSPORTS_WITHOUT_GROUPS.contains(transport)
        ? DeviceCheck.OK_WITHOUT_GROUPS
        : DeviceCheck.OK;
  }

  public Result validate(Definition change, DeviceCheck device, Instant now) {
    List<Problem> problems = new ArrayList<>();
    for (String mappingError : change.mappingErrors()) {
      if (mappingError.startsWith(TOO_LARGE_PREFIX) || mappingError.startsWith(UNREADABLE_PREFIX)) {
        // The whole definition was replaced by a stub (CDC or the decoder): its one reason is
        // the whole story; "rule is required" and the like would only mislead.
        return new Result(
            List.of(
                new Problem(
                    mappingError.startsWith(TOO_LARGE_PREFIX)
                        ? ErrorReason.TOO_LARGE
                        : ErrorReason.UNPROCESSABLE,
                    mappingError)),
            false,
            List.of(),
            null);
      }
    }
    boolean idsFit = DefinitionBounds.check(change, maxRecipients, problems);
    for (String mappingError : change.mappingErrors()) {
      problems.add(new Problem(ErrorReason.MISSING_FIELD, mappingError));
    }
    missing(problems, change.kind() == null, "kind");
    missing(problems, blank(change.tenantId()), "tenantId");
    missing(problems, blank(change.deviceId()), "deviceId");
    missing(problems, change.rule() == null, "rule");
    missing(problems, change.recipients() == null, "recipients");

    CompiledSchedule compiled = null;
    if (change.rule() != null) {
      Instant anchor = change.createdAt() == null ? now : change.createdAt();
      Compilation compilation = RuleCompiler.compile(change.rule(), anchor);
      if (compilation instanceof Compilation.Valid v) {
        compiled = v.schedule();
      } else {
        for (RuleProblem p : ((Compilation.Invalid) compilation).problems()) {
          problems.add(new Problem(p.reason(), p.message()));
        }
      }
    }

    List<String> canonical = List.of();
    if (change.recipients() != null && change.kind() != null) {
      canonical = recipients(change.kind(), change.recipients(), problems);
    }
    content(change, problems);
    TemplateChecks.check(change, problems);
    pacing(change.pacing(), problems);

    boolean deviceUnknown = false;
    if (idsFit && !blank(change.deviceId()) && !blank(change.tenantId())) {
      if (device == DeviceCheck.FOREIGN) {
        // Do not say whose device it is: the other tenant's identity is not this user's business.
        problems.add(
            new Problem(
                ErrorReason.FOREIGN_DEVICE,
                "device "
                    + quote(change.deviceId())
                    + " does not belong to tenant "
                    + quote(change.tenantId())));
      } else if (device == DeviceCheck.UNKNOWN) {
        deviceUnknown = true;
      } else if (device == DeviceCheck.OK
          && templateOnly(change)
          && blank(change.message())
          && blank(change.mediaUrl())) {
        problems.add(
            new Problem(
                ErrorReason.INVALID_CONTENT,
                "device "
                    + quote(change.deviceId())
                    + " sends through a gateway, which has no templates: give a message for it"
                    + " to send"));
      } else if (device == DeviceCheck.OK_WITHOUT_GROUPS
          && change.kind() == ScheduleKind.AUTOPOST) {
        problems.add(
            new Problem(
                ErrorReason.INVALID_RECIPIENTS,
                "auto-posts go to WhatsApp groups, and device "
                    + quote(change.deviceId())
                    + " sends through the WhatsApp Cloud API, which has no groups: use a device"
                    + " of a gateway (http_gateway)"));
      }
    }
    return new Result(List.copyOf(problems), deviceUnknown, canonical, compiled);
  }

  private List<String> recipients(ScheduleKind kind, List<String> raw, List<Problem> problems) {
    if (raw.isEmpty()) {
      problems.add(new Problem(ErrorReason.INVALID_RECIPIENTS, "recipients must not be empty"));
      return List.of();
    }
    if (raw.size() > maxRecipients) {
      // Checked before touching any entry: a 100,000-entry list costs no per-entry work.
      problems.add(
          new Problem(
              ErrorReason.INVALID_RECIPIENTS,
              "recipients has "
                  + raw.size()
                  + " entries, more than the maximum of "
                  + maxRecipients
                  + " per schedule"));
      return List.of();
    }
    List<String> canonical = new ArrayList<>(raw.size());
    int bad = 0;
    for (int i = 0; i < raw.size(); i++) {
      String entry = raw.get(i);
      if (Recipients.isDuplicateMark(entry)) {
        // a stored list validated again (a held schedule re-checked): marked again below
        entry = Recipients.duplicated(entry);
      }
      Optional<String> c;
      if (entry.length() > Limits.RECIPIENT_MAX_CHARS) {
        c = Optional.empty(); // reported by bounds(); never parsed
      } else if (kind == ScheduleKind.AUTOPOST) {
        c = Recipients.isGroupId(entry) ? Optional.of(entry.trim()) : Optional.empty();
      } else {
        c = Recipients.canonicalIndividual(entry);
      }
      if (c.isPresent()) {
        canonical.add(c.get());
        continue;
      }
      bad++;
      if (bad <= MAX_LISTED_RECIPIENT_PROBLEMS) {
        // Index only, never the value: recipient lists hold phone numbers.
        problems.add(new Problem(ErrorReason.INVALID_RECIPIENTS, describeBad(kind, i, entry)));
      }
    }
    if (bad > MAX_LISTED_RECIPIENT_PROBLEMS) {
      problems.add(
          new Problem(
              ErrorReason.INVALID_RECIPIENTS,
              "recipients: "
                  + (bad - MAX_LISTED_RECIPIENT_PROBLEMS)
                  + " more invalid entries not listed"));
    }
    return bad == 0 ? List.copyOf(Recipients.markDuplicates(canonical)) : List.of();
  }

  private static String describeBad(ScheduleKind kind, int index, String entry) {
    String where = "recipients[" + index + "]";
    if (kind == ScheduleKind.AUTOPOST) {
      return where
          + " is not a group id (non-empty, at most "
          + Recipients.MAX_GROUP_ID_LENGTH
          + " characters)";
    }
    if (entry != null && entry.trim().startsWith("00")) {
      return where + " starts with 00: write the number in E.164 form with a leading +";
    }
    return where + " is neither an E.164 number (+ and 8-15 digits) nor a contact id (uuid)";
  }

  private static void content(Definition change, List<Problem> problems) {
    boolean hasMedia = !blank(change.mediaUrl());
    if (hasMedia && change.mediaUrl().length() <= Limits.MEDIA_URL_MAX_CHARS) {
      String problem = mediaProblem(change.mediaUrl().trim());
      if (problem != null) {
        problems.add(new Problem(ErrorReason.INVALID_CONTENT, problem));
      }
    } else if (blank(change.message()) && !templateOnly(change)) {
      problems.add(
          new Problem(ErrorReason.INVALID_CONTENT, "message must not be blank without a mediaUrl"));
    }
    if (change.message() != null
        && change.message().length() <= DefinitionBounds.MAX_MESSAGE_UTF16) {
      List<String> shape = TemplateRenderer.check(change.message());
      for (String p : shape) {
        problems.add(new Problem(ErrorReason.INVALID_CONTENT, p));
      }
      int max = hasMedia ? Limits.CAPTION_MAX_CHARS : Limits.MESSAGE_MAX_CHARS;
      long worst = shape.isEmpty() ? TemplateRenderer.maxRenderedChars(change.message()) : 0;
      if (worst > max && change.message().codePointCount(0, change.message().length()) <= max) {
        problems.add(
            new Problem(
                ErrorReason.TOO_LARGE,
                "message can render to "
                    + worst
                    + " characters for a recipient whose variables are at their bounds (name "
                    + Limits.CONTACT_NAME_MAX_CHARS
                    + ", a contact field "
                    + Limits.CONTACT_FIELD_VALUE_MAX_CHARS
                    + "), at most "
                    + max
                    + (hasMedia ? " with media" : "")));
      }
    }
  }

  /**
   * A definition that always sends its template needs no text: a Cloud API device sends the
   * template (a gateway device, which has none, is refused in {@link #validate}).
   */
  private static boolean templateOnly(Definition change) {
    return change.template() != null
        && change.windowPolicy() == io.herald.contracts.event.WindowPolicy.TEMPLATE_ALWAYS;
  }

  private static String mediaProblem(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return "mediaUrl must be an http(s) URL";
      }
      if (uri.getHost() == null || uri.getHost().isBlank()) {
        return "mediaUrl has no host";
      }
      return null;
    } catch (URISyntaxException e) {
      return "mediaUrl is not a valid URL";
    }
  }

  private static void pacing(PacingSpec pacing, List<Problem> problems) {
    if (pacing == null) {
      return;
    }
    if (pacing.delayType() != null
        && !DELAY_TYPES.contains(pacing.delayType().trim().toLowerCase(Locale.ROOT))) {
      problems.add(
          new Problem(
              ErrorReason.INVALID_PACING,
              "pacing.delayType "
                  + quote(pacing.delayType())
                  + " is not auto, manual or adaptive"));
    }
    range(problems, "pacing.delaySeconds", pacing.delaySeconds(), 0, 3_600);
    range(problems, "pacing.batchSize", pacing.batchSize(), 0, 10_000);
    range(
        problems,
        "pacing.pauseBetweenBatchesSeconds",
        pacing.pauseBetweenBatchesSeconds(),
        0,
        86_400);
  }

  private static void range(List<Problem> problems, String name, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      problems.add(
          new Problem(
              ErrorReason.INVALID_PACING,
              name + "=" + value + " is out of range [" + min + ", " + max + "]"));
    }
  }

  private static void missing(List<Problem> problems, boolean isMissing, String field) {
    if (isMissing) {
      problems.add(new Problem(ErrorReason.MISSING_FIELD, field + " is required"));
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
