package io.herald.contracts.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The golden examples under {@code src/test/resources/golden/<payload>/*.json}. */
public final class Golden {

  /** Golden files whose name contains this carry properties no reader knows. */
  public static final String UNKNOWN_FIELDS_MARKER = "unknown-fields";

  private Golden() {}

  public static Path dir(Payload payload) {
    URL url = Golden.class.getResource("/golden/" + payload.stem());
    assertThat(url).as("golden folder for %s", payload).isNotNull();
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static List<String> names(Payload payload) {
    try (Stream<Path> files = Files.list(dir(payload))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .sorted()
          .collect(ArrayList::new, ArrayList::add, ArrayList::addAll);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] bytes(Payload payload, String name) {
    try {
      return Files.readAllBytes(dir(payload).resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** (payload, file name) for every golden file of every payload. */
  public static Stream<Arguments> all() {
    return Stream.of(Payload.values()).flatMap(p -> names(p).stream().map(n -> Arguments.of(p, n)));
  }

  /** Like {@link #all()}, without the files that carry unknown properties on purpose. */
  public static Stream<Arguments> known() {
    return all().filter(a -> !((String) a.get()[1]).contains(UNKNOWN_FIELDS_MARKER));
  }
}
