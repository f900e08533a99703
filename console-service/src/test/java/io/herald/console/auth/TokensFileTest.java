package io.herald.console.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokensFileTest {

  private static final String OPERATOR_TOKEN = "o".repeat(32);
  private static final String TENANT_TOKEN = "t".repeat(40);
  private static final UUID TENANT = UUID.fromString("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");

  @Test
  void readsOperatorTenantAndCertificateLines() {
    TokensFile f =
        TokensFile.parse(
            "# the console's credentials\n\n"
                + "alice:*:"
                + OPERATOR_TOKEN
                + "\r\n  bob : "
                + TENANT
                + " : "
                + TENANT_TOKEN
                + "\ncarol.example.com:*:cert\n");
    assertThat(f.byToken(OPERATOR_TOKEN)).contains(new Principal("alice", null));
    assertThat(f.byToken(TENANT_TOKEN)).contains(new Principal("bob", TENANT));
    assertThat(f.byToken(TENANT_TOKEN).get().operator()).isFalse();
    assertThat(f.byCertificate("carol.example.com"))
        .contains(new Principal("carol.example.com", null));
    assertThat(f.tokenCount()).isEqualTo(2);
    assertThat(f.certificateCount()).isEqualTo(1);
  }

  @Test
  void unknownEmptyAndPrefixTokensMatchNobody() {
    TokensFile f = TokensFile.parse("alice:*:" + OPERATOR_TOKEN);
    assertThat(f.byToken("o".repeat(31))).isEmpty();
    assertThat(f.byToken(OPERATOR_TOKEN + "o")).isEmpty();
    assertThat(f.byToken("")).isEmpty();
    assertThat(f.byToken(null)).isEmpty();
    // "cert" is not a token: a certificate name cannot sign in with the word
    assertThat(TokensFile.parse("carol:*:cert").byToken("cert")).isEmpty();
  }

  @Test
  void refusesAShortToken() {
    assertThatThrownBy(() -> TokensFile.parse("# x\nalice:*:short-token"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("at least 32")
        .hasMessageNotContaining("short-token");
  }

  @Test
  void refusesMalformedLinesNamingTheLineNotItsContent() {
    assertThatThrownBy(() -> TokensFile.parse("alice-" + OPERATOR_TOKEN))
        .hasMessageContaining("line 1")
        .hasMessageNotContaining(OPERATOR_TOKEN);
    assertThatThrownBy(() -> TokensFile.parse("alice:tenant-1:" + OPERATOR_TOKEN))
        .hasMessageContaining("scope");
    assertThatThrownBy(() -> TokensFile.parse("al ice:*:" + OPERATOR_TOKEN))
        .hasMessageContaining("name");
    assertThatThrownBy(
            () -> TokensFile.parse("alice:*:" + OPERATOR_TOKEN + "\nalice:*:" + TENANT_TOKEN))
        .hasMessageContaining("line 2")
        .hasMessageContaining("same name");
  }

  @Test
  void aTokenMayContainColons() {
    String token = "abc:def:" + "x".repeat(30);
    assertThat(TokensFile.parse("alice:*:" + token).byToken(token)).isPresent();
  }

  @Test
  void principalSeesOnlyItsTenant() {
    Principal tenant = new Principal("bob", TENANT);
    assertThat(tenant.sees(TENANT)).isTrue();
    assertThat(tenant.sees(UUID.randomUUID())).isFalse();
    assertThat(tenant.sees(null)).isFalse();
    assertThat(new Principal("alice", null).sees(UUID.randomUUID())).isTrue();
  }
}
