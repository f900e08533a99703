package io.herald.sender.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DevicePolicyTest {

  private static final DevicePolicy POLICY =
      new DevicePolicy(
          DevicePolicy.DEFAULT_TOKEN_ENV_PREFIX,
          List.of("https://graph.facebook.com", "http://gw.example:3000/tenant1/"),
          List.of("http://127.0.0.1:8089/media", "https://[::1]:9443"));

  @Nested
  class Variables {

    @ParameterizedTest
    @ValueSource(strings = {"HERALD_TOKEN_ACME", "HERALD_TOKEN_1", "HERALD_TOKEN__X_9"})
    void shouldAllowNameWhenInNamespace(String name) {
      assertThat(POLICY.refuseVariable("token_env", name)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "HERALD_SENDER_JDBC_PASSWORD",
          "HERALD_SCHEDULER_JDBC_PASSWORD",
          "KAFKA_SASL_JAAS_CONFIG",
          "PGPASSWORD",
          "PATH",
          "HERALD_TOKEN_",
          "HERALD_TOKENX"
        })
    void shouldRefuseNamingPrefixWhenOutsideNamespace(String name) {
      assertThat(POLICY.refuseVariable("token_env", name))
          .hasValueSatisfying(
              r -> assertThat(r).startsWith("token_env must name").contains("HERALD_TOKEN_"));
    }

    @Test
    void shouldQuoteNameWhenItIsOne() {
      assertThat(POLICY.refuseVariable("api_key_env", "PGPASSWORD"))
          .hasValueSatisfying(r -> assertThat(r).contains("'PGPASSWORD'").contains("reserved"));
      assertThat(POLICY.refuseVariable("api_key_env", "AWS_SECRET"))
          .hasValueSatisfying(r -> assertThat(r).contains("'AWS_SECRET' is outside it"));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "herald_token_acme",
          "HERALD_TOKEN_A-B",
          "HERALD_TOKEN_A B",
          "HERALD_TOKEN_É",
          "EAAGm0PX4ZCpsBAKZCtokenvalue",
          ""
        })
    void shouldRefuseWithoutQuotingWhenNotAName(String value) {
      assertThat(POLICY.refuseVariable("token_env", value))
          .hasValueSatisfying(
              r -> assertThat(r).contains("not such a name").doesNotContain("'" + value));
    }

    @Test
    void shouldRefuseWhenLongerThan128() {
      String ok = "HERALD_TOKEN_" + "A".repeat(128 - 13);
      assertThat(POLICY.refuseVariable("token_env", ok)).isEmpty();
      assertThat(POLICY.refuseVariable("token_env", ok + "A")).isPresent();
    }

    @Test
    void shouldUseConfiguredPrefix() {
      DevicePolicy p = new DevicePolicy("ACME_WA_", List.of(), List.of());
      assertThat(p.refuseVariable("token_env", "ACME_WA_1")).isEmpty();
      assertThat(p.refuseVariable("token_env", "HERALD_TOKEN_1"))
          .hasValueSatisfying(r -> assertThat(r).contains("ACME_WA_"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "HERALD_", "HERALD_SENDER_", "HERALD_SENDER_TOKEN_", "KAFKA", "P"})
    void shouldRejectPrefixWhenItOverlapsReservedNamespace(String prefix) {
      assertThat(DevicePolicy.prefixProblem(prefix)).isNotNull();
      assertThatThrownBy(() -> new DevicePolicy(prefix, List.of(), List.of()))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"herald_token_", "1TOKEN_", "TOKEN-"})
    void shouldRejectPrefixWhenNotUpperCaseName(String prefix) {
      assertThat(DevicePolicy.prefixProblem(prefix)).contains("A-Z");
    }
  }

  @Nested
  class Endpoints {

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://graph.facebook.com",
          "https://graph.facebook.com/",
          "https://GRAPH.facebook.com:443",
          "https://graph.facebook.com./v21.0",
          "HTTPS://graph.facebook.com",
          "http://gw.example:3000/tenant1",
          "http://gw.example:3000/tenant1/",
          "http://gw.example:3000/tenant1/sub",
          "http://gw.example:3000//tenant1"
        })
    void shouldAllowWhenCovered(String url) {
      assertThat(POLICY.refuseEndpoint("base_url", url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "http://graph.facebook.com", // scheme
          "https://graph.facebook.com:8443", // port
          "https://graph.facebook.com.evil.example", // host suffix trick
          "https://evilgraph.facebook.com",
          "https://facebook.com",
          "http://gw.example:3000/tenant10", // path prefix not on a segment boundary
          "http://gw.example:3000/tenant2",
          "http://gw.example:3000", // above the prefix
          "http://gw.example/tenant1", // port 80, not 3000
          "http://169.254.169.254/latest/meta-data"
        })
    void shouldRefuseWithReasonWhenNotCovered(String url) {
      assertThat(POLICY.refuseEndpoint("base_url", url))
          .hasValueSatisfying(
              r -> assertThat(r).startsWith("base_url ").contains("HERALD_SENDER_URL_ALLOWLIST"));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://user:secret@graph.facebook.com",
          "https://graph.facebook.com@evil.example",
          "https://graph.facebook.com/?x=1",
          "https://graph.facebook.com/#f",
          "http://gw.example:3000/tenant1/../tenant2",
          "http://gw.example:3000/tenant1/%2e%2e/tenant2",
          "ftp://graph.facebook.com",
          "graph.facebook.com",
          "https://",
          "https://exa mple.com",
          "https://graph.facebook.com:99999",
          "https://2130706433"
        })
    void shouldRefuseWhenUrlNotAPlainBaseUrl(String url) {
      assertThat(POLICY.refuseEndpoint("base_url", url))
          .hasValueSatisfying(
              r -> assertThat(r).startsWith("base_url refused: ").doesNotContain("secret"));
    }

    @Test
    void shouldNeverQuoteUserInfoWhenRefusing() {
      assertThat(POLICY.refuseEndpoint("base_url", "https://admin:hunter2@gw.example:3000/tenant1"))
          .hasValueSatisfying(r -> assertThat(r).contains("user info").doesNotContain("hunter2"));
    }

    @Test
    void shouldRejectAllowlistEntryWhenInvalid() {
      assertThat(DevicePolicy.entryProblem("https://u:p@x.example")).contains("user info");
      assertThat(DevicePolicy.entryProblem("x.example")).isNotNull();
      assertThat(DevicePolicy.entryProblem("https://x.example/a/")).isNull();
      assertThatThrownBy(() -> new DevicePolicy("HERALD_TOKEN_", List.of("nope"), List.of()))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCompareIpv6LiteralsInOneSpelling() {
      DevicePolicy p = new DevicePolicy("HERALD_TOKEN_", List.of("http://[::1]:8080"), List.of());
      assertThat(p.refuseEndpoint("base_url", "http://[0:0:0:0:0:0:0:1]:8080/x")).isEmpty();
      assertThat(p.refuseEndpoint("base_url", "http://[::2]:8080")).isPresent();
    }
  }

  @Nested
  class Media {

    @Test
    void shouldResolveHostWhenHttpsName() {
      MediaVerdict v = POLICY.checkMedia("https://cdn.example.org/a.png?sig=1");
      assertThat(v.refused()).isFalse();
      assertThat(v.hostToResolve()).isEqualTo("cdn.example.org");
    }

    @Test
    void shouldAllowWithoutLookupWhenPublicLiteral() {
      assertThat(POLICY.checkMedia("https://93.184.216.34/a.png"))
          .isEqualTo(new MediaVerdict(null, null));
      assertThat(POLICY.checkMedia("https://[2606:2800:220:1:248:1893:25c8:1946]/a.png").refused())
          .isFalse();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "http://cdn.example.org/a.png",
          "ftp://cdn.example.org/a.png",
          "file:///etc/passwd",
          "javascript:alert(1)"
        })
    void shouldRefuseWhenNotHttps(String url) {
      assertThat(POLICY.checkMedia(url).refusal()).startsWith("media URL refused");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://127.0.0.1/a.png",
          "https://127.8.9.10/a.png",
          "https://10.1.2.3/a.png",
          "https://172.16.0.1/a.png",
          "https://172.31.255.255/a.png",
          "https://192.168.1.1/a.png",
          "https://169.254.169.254/latest/meta-data",
          "https://100.64.0.1/a.png",
          "https://0.0.0.0/a.png",
          "https://224.0.0.1/a.png",
          "https://255.255.255.255/a.png",
          "https://[::1]/a.png",
          "https://[::]/a.png",
          "https://[fc00::1]/a.png",
          "https://[fd12:3456::1]/a.png",
          "https://[fe80::1]/a.png",
          "https://[fec0::1]/a.png",
          "https://[ff02::1]/a.png",
          "https://[::ffff:127.0.0.1]/a.png",
          "https://[::ffff:a9fe:a9fe]/a.png",
          "https://[::10.0.0.1]/a.png",
          "https://[64:ff9b::a00:1]/a.png",
          "https://[2002:c0a8:0101::1]/a.png"
        })
    void shouldRefuseWhenLiteralNotPublic(String url) {
      assertThat(POLICY.checkMedia(url).refusal())
          .startsWith("media URL refused: host")
          .contains("HERALD_SENDER_MEDIA_URL_ALLOWLIST");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://2130706433/a.png", // 127.0.0.1 as one number
          "https://0177.0.0.1/a.png", // octal for curl, decimal 177 for Java
          "https://010.0.0.1/a.png" // octal 8.0.0.1 for curl, 10.0.0.1 for Java
        })
    void shouldRefuseWhenNumericHostNotADottedQuad(String url) {
      assertThat(POLICY.checkMedia(url).refusal()).contains("four decimal octets");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"https://127.1/a.png", "https://0x7f.0.0.1/a.png", "https://1.2.3.4.5/a.png"})
    void shouldRefuseWhenShortHexOrLongNumericHost(String url) {
      // java.net.URI already finds no host in these; refused either way
      assertThat(POLICY.checkMedia(url).refusal()).startsWith("media URL refused");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://localhost/a.png",
          "https://LOCALHOST./a.png",
          "https://app.localhost/a.png",
          "https://printer.local/a.png",
          "https://metadata.google.internal/a.png",
          "https://router.home.arpa/a.png",
          "https://intranet/a.png"
        })
    void shouldRefuseWhenNameIsNeverPublic(String url) {
      assertThat(POLICY.checkMedia(url).refusal()).contains("is not a public name");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://user:pw@cdn.example.org/a.png",
          "https://cdn.example.org@127.0.0.1/a.png",
          "https://cdn.example.org/../../a.png",
          "https:///a.png",
          "not a url"
        })
    void shouldRefuseWhenMalformedOrUserInfo(String url) {
      assertThat(POLICY.checkMedia(url).refusal())
          .startsWith("media URL refused")
          .doesNotContain("pw@");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "http://127.0.0.1:8089/media/a.png",
          "http://127.0.0.1:8089/media",
          "https://[::1]:9443/x/a.png",
          "https://[0:0:0:0:0:0:0:1]:9443/a.png"
        })
    void shouldAllowWhenAllowlisted(String url) {
      assertThat(POLICY.checkMedia(url)).isEqualTo(new MediaVerdict(null, null));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "http://127.0.0.1:8089/mediax/a.png", // not on a segment boundary
          "http://127.0.0.1:8089/media/../secret",
          "http://127.0.0.1:8089/media/%2e%2e/secret",
          "http://127.0.0.1:8088/media/a.png", // other port
          "https://127.0.0.1:8089/media/a.png", // other scheme
          "https://[::1]/a.png" // port 443, not 9443
        })
    void shouldRefuseWhenAllowlistDoesNotCover(String url) {
      assertThat(POLICY.checkMedia(url).refused()).isTrue();
    }

    @Test
    void shouldRefuseWhenAnyResolvedAddressIsNotPublic() throws Exception {
      InetAddress pub = InetAddress.getByName("93.184.216.34");
      InetAddress meta = InetAddress.getByName("169.254.169.254");
      InetAddress ula = InetAddress.getByName("fd00::5");
      assertThat(POLICY.refuseResolved("cdn.example.org", List.of(pub))).isEmpty();
      assertThat(POLICY.refuseResolved("evil.example", List.of(pub, meta)))
          .hasValueSatisfying(
              r -> assertThat(r).contains("169.254.169.254").contains("link-local"));
      assertThat(POLICY.refuseResolved("evil.example", List.of(ula)))
          .hasValueSatisfying(r -> assertThat(r).contains("unique local"));
    }
  }

  @Test
  void shouldStayPureWhenImporting() throws Exception {
    Pattern imp = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);
    try (Stream<Path> files = Files.list(Path.of("src/main/java/io/herald/sender/policy"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Matcher m = imp.matcher(Files.readString(f));
        while (m.find()) {
          assertThat(m.group(1)).as("%s", f.getFileName()).startsWith("java.");
        }
      }
    }
  }
}
