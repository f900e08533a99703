package io.herald.scheduler.schedule;

import io.herald.contracts.limit.Limits;
import io.herald.contracts.outcome.ErrorReason;
import java.util.List;
import java.util.Locale;

/**
 * The size and encoding bounds of a definition ({@link Limits}), checked before anything parses or
 * echoes a field: a 10 KB name or a 1 MB recipient costs a length comparison and produces one short
 * reason. Pure.
 */
final class DefinitionBounds {

  private DefinitionBounds() {}

  /** A message longer than this in UTF-16 units is over every bound: not even scanned. */
  static final int MAX_MESSAGE_UTF16 = 2 * Limits.MESSAGE_MAX_CHARS;

  /**
   * Checks every field against its documented bound ({@link Limits}) before anything parses or
   * echoes it; returns whether the ids fit (only then may a reason quote them).
   */
  static boolean check(
      Definition change, int maxRecipients, List<ScheduleValidator.Problem> problems) {
    boolean idsFit = true;
    idsFit &= fits(problems, "scheduleKey", change.scheduleKey(), Limits.SCHEDULE_KEY_MAX_CHARS);
    idsFit &= fits(problems, "tenantId", change.tenantId(), Limits.ID_MAX_CHARS);
    idsFit &= fits(problems, "deviceId", change.deviceId(), Limits.ID_MAX_CHARS);
    fits(problems, "name", change.name(), Limits.NAME_MAX_CHARS);
    fits(problems, "status", change.sourceStatus(), Limits.STATUS_MAX_CHARS);
    fits(problems, "mediaUrl", change.mediaUrl(), Limits.MEDIA_URL_MAX_CHARS);
    if (change.pacing() != null) {
      fits(problems, "pacing.delayType", change.pacing().delayType(), Limits.RULE_TEXT_MAX_CHARS);
    }
    String message = change.message();
    if (message != null) {
      boolean media = !(change.mediaUrl() == null || change.mediaUrl().isBlank());
      int max = media ? Limits.CAPTION_MAX_CHARS : Limits.MESSAGE_MAX_CHARS;
      int chars =
          message.length() > MAX_MESSAGE_UTF16
              ? message.length()
              : message.codePointCount(0, message.length());
      if (chars > max) {
        problems.add(
            new ScheduleValidator.Problem(
                ErrorReason.TOO_LARGE,
                (media ? "message (a caption with " + "mediaUrl)" : "message")
                    + " has "
                    + chars
                    + " characters, at most "
                    + max));
      }
      if (message.length() <= MAX_MESSAGE_UTF16) {
        String encoding = encodingProblem(message);
        if (encoding != null) {
          problems.add(
              new ScheduleValidator.Problem(ErrorReason.INVALID_CONTENT, "message " + encoding));
        }
      }
    }
    if (change.recipients() != null && change.recipients().size() <= maxRecipients) {
      int tooLong = 0;
      int first = -1;
      for (int i = 0; i < change.recipients().size(); i++) {
        if (change.recipients().get(i).length() > Limits.RECIPIENT_MAX_CHARS) {
          tooLong++;
          first = first < 0 ? i : first;
        }
      }
      if (tooLong > 0) {
        problems.add(
            new ScheduleValidator.Problem(
                ErrorReason.TOO_LARGE,
                "recipients["
                    + first
                    + "]"
                    + (tooLong > 1 ? " and " + (tooLong - 1) + " more entries have" : " has")
                    + " more than "
                    + Limits.RECIPIENT_MAX_CHARS
                    + " characters"));
      }
    }
    return idsFit;
  }

  /**
   * Text WhatsApp would refuse or mangle: a control character other than tab and line breaks (NUL
   * included), or half of a surrogate pair (not Unicode at all). Null when clean.
   */
  static String encodingProblem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
        return String.format(
            Locale.ROOT, "contains the control character U+%04X at position %d", (int) c, i);
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "is not valid Unicode (half a surrogate pair at position " + i + ")";
      }
    }
    return null;
  }

  private static boolean fits(
      List<ScheduleValidator.Problem> problems, String field, String value, int max) {
    if (value != null && value.length() > max) {
      problems.add(
          new ScheduleValidator.Problem(
              ErrorReason.TOO_LARGE,
              field + " has " + value.length() + " characters, at most " + max));
      return false;
    }
    return true;
  }
}
