package io.herald.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the measured bad-input table to target/bad-input-results-&lt;path&gt;.md. */
final class BadInputReport {
  private BadInputReport() {}

  static void write(String path, String rows) {
    try {
      Path p = Path.of("target", "bad-input-results-" + path + ".md");
      Files.writeString(p, "| input | reason | reasons shown |\n|---|---|---|\n" + rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
