package io.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness must say what to install or set; these pin the messages without any server. */
class PostgresSettingsTest {

  @TempDir Path tmp;

  @Nested
  class ModeSelection {

    @Test
    void shouldUseEmbeddedWhenNothingIsSet() {
      PostgresSettings s = PostgresSettings.fromEnvironment(Map.of(), false);

      assertThat(s.mode()).isEqualTo(PostgresTestDatabase.Mode.EMBEDDED);
      assertThat(s.port()).isEmpty();
    }

    @Test
    void shouldUseExternalServerWhenJdbcUrlIsSet() {
      PostgresSettings s =
          PostgresSettings.fromEnvironment(
              Map.of(
                  "HERALD_TEST_JDBC_URL", "jdbc:postgresql://db:5432/herald",
                  "HERALD_TEST_JDBC_USER", "herald",
                  "HERALD_TEST_JDBC_PASSWORD", "secret"),
              true);

      assertThat(s.mode()).isEqualTo(PostgresTestDatabase.Mode.EXTERNAL);
      assertThat(s.user()).isEqualTo("herald");
      assertThat(s.password()).isEqualTo("secret");
    }

    @Test
    void shouldUsePrivateClusterWhenBinariesAreComplete() throws Exception {
      Path bin = fakeBinDir("initdb", "pg_ctl");

      PostgresSettings s =
          PostgresSettings.fromEnvironment(Map.of("HERALD_TEST_PG_BIN", bin.toString()), false);

      assertThat(s.mode()).isEqualTo(PostgresTestDatabase.Mode.PRIVATE_CLUSTER);
      assertThat(s.pgBin()).isEqualTo(bin);
    }

    @Test
    void shouldUseDockerWhenRequestedAndNoServerIsNamed() {
      assertThat(PostgresSettings.fromEnvironment(Map.of(), true).mode())
          .isEqualTo(PostgresTestDatabase.Mode.DOCKER);
    }

    @Test
    void shouldTreatBlankVariablesAsUnset() {
      PostgresSettings s =
          PostgresSettings.fromEnvironment(
              Map.of("HERALD_TEST_JDBC_URL", " ", "HERALD_TEST_PG_BIN", ""), false);

      assertThat(s.mode()).isEqualTo(PostgresTestDatabase.Mode.EMBEDDED);
    }

    @Test
    void shouldAcceptAFreeFixedPort() throws Exception {
      int port;
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }

      PostgresSettings s =
          PostgresSettings.fromEnvironment(
              Map.of("HERALD_TEST_PG_PORT", Integer.toString(port)), false);

      assertThat(s.port()).isEqualTo(OptionalInt.of(port));
    }
  }

  @Nested
  class Misconfiguration {

    @Test
    void shouldNameMissingInitdbWhenPgBinHasNoBinaries() throws Exception {
      Path empty = Files.createDirectory(tmp.resolve("x"));

      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of("HERALD_TEST_PG_BIN", empty.toString()), false))
          .isInstanceOf(TestInfraException.class)
          .hasMessageContaining(
              "HERALD_TEST_PG_BIN="
                  + empty
                  + " has no initdb: install postgresql-15 or unset it to use the embedded"
                  + " PostgreSQL")
          .hasMessageContaining("HERALD_TEST_PG_BIN=" + empty + " has no pg_ctl");
    }

    @Test
    void shouldSayNotADirectoryWhenPgBinDoesNotExist() {
      String missing = tmp.resolve("nowhere").toString();

      assertThatThrownBy(
              () -> PostgresSettings.fromEnvironment(Map.of("HERALD_TEST_PG_BIN", missing), false))
          .hasMessageContaining("HERALD_TEST_PG_BIN=" + missing + " is not a directory")
          .hasMessageContaining("install postgresql-15");
    }

    @Test
    void shouldSayNotExecutableWhenInitdbLacksPermission() throws Exception {
      Path bin = fakeBinDir("initdb", "pg_ctl");
      Files.setPosixFilePermissions(
          bin.resolve("initdb"), PosixFilePermissions.fromString("rw-r--r--"));
      // root may execute anything with an x bit somewhere, but none is set here
      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of("HERALD_TEST_PG_BIN", bin.toString()), false))
          .hasMessageContaining("initdb is not executable");
    }

    @Test
    void shouldNameVariableAndPortWhenFixedPortIsTaken() throws Exception {
      try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = taken.getLocalPort();

        assertThatThrownBy(
                () ->
                    PostgresSettings.fromEnvironment(
                        Map.of("HERALD_TEST_PG_PORT", Integer.toString(port)), false))
            .isInstanceOf(TestInfraException.class)
            .hasMessageContaining(
                "Port "
                    + port
                    + " (HERALD_TEST_PG_PORT="
                    + port
                    + ") is already in use on 127.0.0.1")
            .hasMessageContaining("unset HERALD_TEST_PG_PORT to pick a free port");
      }
    }

    @Test
    void shouldRejectPortThatIsNotANumber() {
      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of("HERALD_TEST_PG_PORT", "fivefour"), false))
          .hasMessageContaining("HERALD_TEST_PG_PORT=fivefour is not a port number (1-65535)");
    }

    @Test
    void shouldRejectPortWithAnExternalServer() {
      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of(
                          "HERALD_TEST_JDBC_URL", "jdbc:postgresql://db/herald",
                          "HERALD_TEST_PG_PORT", "5433"),
                      false))
          .hasMessageContaining("the port of HERALD_TEST_JDBC_URL is part of the URL");
    }

    @Test
    void shouldRejectBothAServerAndBinaries() throws Exception {
      Path bin = fakeBinDir("initdb", "pg_ctl");

      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of(
                          "HERALD_TEST_JDBC_URL",
                          "jdbc:postgresql://db/herald",
                          "HERALD_TEST_PG_BIN",
                          bin.toString()),
                      false))
          .hasMessageContaining("HERALD_TEST_JDBC_URL and HERALD_TEST_PG_BIN are both set");
    }

    @Test
    void shouldRejectDockerTogetherWithBinaries() throws Exception {
      Path bin = fakeBinDir("initdb", "pg_ctl");

      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of("HERALD_TEST_PG_BIN", bin.toString()), true))
          .hasMessageContaining("HERALD_TEST_INFRA=docker and HERALD_TEST_PG_BIN=");
    }

    @Test
    void shouldRejectCredentialsWithoutAUrl() {
      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of("HERALD_TEST_JDBC_USER", "herald"), false))
          .hasMessageContaining("HERALD_TEST_JDBC_USER is set without HERALD_TEST_JDBC_URL");
    }

    @Test
    void shouldRejectANonPostgresUrlAndHideItsPassword() {
      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of("HERALD_TEST_JDBC_URL", "jdbc:mysql://db/herald?password=hunter2"),
                      false))
          .hasMessageContaining("is not a PostgreSQL JDBC URL")
          .hasMessageContaining("password=***")
          .hasMessageNotContaining("hunter2");
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
      assertThatThrownBy(
              () ->
                  PostgresSettings.fromEnvironment(
                      Map.of(
                          "HERALD_TEST_JDBC_PASSWORD", "x",
                          "HERALD_TEST_PG_PORT", "0"),
                      false))
          .hasMessageContaining("HERALD_TEST_JDBC_PASSWORD is set without")
          .hasMessageContaining("HERALD_TEST_PG_PORT=0 is not a port number");
    }
  }

  @Nested
  class ExternalServer {

    @Test
    void shouldNameTheVariableWhenTheServerIsUnreachable() throws Exception {
      int closedPort;
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closedPort = probe.getLocalPort();
      }
      String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/herald";
      PostgresSettings settings =
          PostgresSettings.fromEnvironment(Map.of("HERALD_TEST_JDBC_URL", url), false);

      assertThatThrownBy(() -> PostgresTestDatabase.start(settings))
          .isInstanceOf(TestInfraException.class)
          .hasMessageStartingWith("HERALD_TEST_JDBC_URL=" + url + " is unreachable")
          .hasMessageContaining("unset it to use the embedded PostgreSQL");
    }
  }

  @Nested
  class InfraSwitch {

    @Test
    void shouldIgnoreAnUnresolvedMavenProperty() {
      Properties props = new Properties();
      props.setProperty("herald.test.infra", "${herald.test.infra}");

      assertThat(TestInfra.dockerRequested(Map.of(), props)).isFalse();
    }

    @Test
    void shouldRequestDockerFromPropertyOrEnvironment() {
      Properties props = new Properties();
      props.setProperty("herald.test.infra", "Docker");

      assertThat(TestInfra.dockerRequested(Map.of(), props)).isTrue();
      assertThat(TestInfra.dockerRequested(Map.of("HERALD_TEST_INFRA", "docker"), new Properties()))
          .isTrue();
    }
  }

  private Path fakeBinDir(String... tools) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String tool : tools) {
      Path file = Files.writeString(bin.resolve(tool), "#!/bin/sh\nexit 1\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin;
  }
}
