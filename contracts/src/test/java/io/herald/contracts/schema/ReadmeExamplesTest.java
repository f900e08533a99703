package io.herald.contracts.schema;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.ScheduleChange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The kcat examples in README.md are real: valid, readable, keyed by their schedule key. */
class ReadmeExamplesTest {

  private static final Pattern KCAT_LINE =
      Pattern.compile("^echo '([^|']+)\\|(\\{.*\\})'", Pattern.MULTILINE);

  @Test
  void shouldProduceValidKeyedChangeWhenReadmeKcatExampleIsUsed() throws IOException {
    String readme = Files.readString(Path.of("README.md"), UTF_8);
    Matcher m = KCAT_LINE.matcher(readme);
    List<String> keys = new java.util.ArrayList<>();

    while (m.find()) {
      String key = m.group(1);
      byte[] value = m.group(2).getBytes(UTF_8);

      Schemas.assertValid(Payload.SCHEDULE_CHANGE, value, "README example for " + key);
      ScheduleChange change = (ScheduleChange) Payload.SCHEDULE_CHANGE.deserialize(value);
      assertThat(change.scheduleKey()).isEqualTo(key);
      keys.add(key);
    }

    assertThat(keys).hasSizeGreaterThanOrEqualTo(2).allMatch(k -> k.startsWith("recurring:"));
    assertThat(readme).contains("-b 127.0.0.1:9092 -t herald.schedule-changes");
  }
}
