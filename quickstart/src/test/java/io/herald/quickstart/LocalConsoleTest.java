package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.console.auth.TokensFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalConsoleTest {

  @TempDir Path dir;

  @Test
  void writesOneOperatorTokenOnlyItsOwnerCanReadAndKeepsIt() throws Exception {
    Path file = LocalConsole.ensureTokensFile(dir.resolve("sub/console-tokens"));
    String first = Files.readString(file);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    TokensFile tokens = TokensFile.parse(first);
    assertThat(tokens.tokenCount()).isEqualTo(1);
    String token =
        first
            .lines()
            .filter(l -> l.startsWith("operator:*:"))
            .findFirst()
            .orElseThrow()
            .substring(11);
    assertThat(tokens.byToken(token).orElseThrow().operator()).isTrue();
    // a second start signs in with the same token
    LocalConsole.ensureTokensFile(file);
    assertThat(Files.readString(file)).isEqualTo(first);
    assertThat(Files.readString(LocalConsole.ensureTokensFile(dir.resolve("other"))))
        .isNotEqualTo(first);
  }
}
