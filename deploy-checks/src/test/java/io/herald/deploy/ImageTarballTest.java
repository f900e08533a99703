package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The image tarballs -Pimages writes (target/jib-image.tar, docker-archive format): tag, the
 * entrypoint runs the service's main class on the image's own runtime, the admin port is exposed,
 * the labels are set, it runs as a non-root user, and the runtime and its loader are inside.
 * Skipped when the tarballs were not built, except under -Pimages, where a missing one fails.
 * deploy/images/smoke.sh goes further and starts the entrypoint in the unpacked image.
 */
class ImageTarballTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @EnumSource(ServiceEnv.class)
  void imageConfigMatchesTheService(ServiceEnv svc) throws IOException {
    Path tar = Repo.root().resolve(svc.imageName).resolve("target/jib-image.tar");
    boolean required = "true".equals(System.getProperty("herald.images.required"));
    if (!required) {
      assumeTrue(Files.exists(tar), "no " + tar + " (build with -Pimages)");
    }
    assertThat(tar).as("built by -Pimages").exists();

    Map<String, byte[]> entries = readTar(tar, 64 * 1024);
    JsonNode manifest = JSON.readTree(entries.get("manifest.json")).get(0);
    assertThat(manifest.get("RepoTags").get(0).asText())
        .isEqualTo("herald/" + svc.imageName + ":" + Repo.projectVersion());
    JsonNode image = JSON.readTree(entries.get(manifest.get("Config").asText()));
    assertThat(image.get("os").asText()).isEqualTo("linux");
    assertThat(image.get("architecture").asText()).isEqualTo("amd64");
    JsonNode config = image.get("config");

    List<String> entrypoint = new ArrayList<>();
    config.get("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
    String mainClass;
    switch (svc) {
      case SCHEDULER:
        mainClass = io.herald.scheduler.app.SchedulerApp.class.getName();
        break;
      case SENDER:
        mainClass = io.herald.sender.app.SenderApp.class.getName();
        break;
      default:
        mainClass = io.herald.webhook.app.WebhookApp.class.getName();
        break;
    }
    assertThat(entrypoint)
        .containsExactly("/opt/java/bin/java", "-cp", "@/app/jib-classpath-file", mainClass);
    assertThat(config.get("ExposedPorts").has(svc.defaultMetricsPort + "/tcp")).isTrue();
    assertThat(config.get("User").asText()).isEqualTo("65532:65532");
    JsonNode labels = config.get("Labels");
    assertThat(labels.get("org.opencontainers.image.title").asText()).isEqualTo(svc.imageName);
    assertThat(labels.get("org.opencontainers.image.version").asText())
        .isEqualTo(Repo.projectVersion());
    assertThat(labels.get("io.herald.metrics-port").asText())
        .isEqualTo(String.valueOf(svc.defaultMetricsPort));
    List<String> env = new ArrayList<>();
    config.get("Env").forEach(n -> env.add(n.asText()));
    assertThat(env).contains("JAVA_HOME=/opt/java");
    // Nothing in the image presets a Herald variable: deployments set them all.
    assertThat(env).noneMatch(e -> e.startsWith("HERALD_"));
    assertThat(manifest.get("Layers").size()).isGreaterThanOrEqualTo(3);
  }

  /** The small entries of an uncompressed tar (name to bytes); larger ones are skipped. */
  static Map<String, byte[]> readTar(Path tar, int maxEntry) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    try (InputStream in = Files.newInputStream(tar)) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        String name = cString(header, 0, 100);
        if (name.isEmpty()) {
          break; // end-of-archive block
        }
        long size = Long.parseLong(cString(header, 124, 12).trim(), 8);
        long padded = (size + 511) / 512 * 512;
        if (size <= maxEntry) {
          byte[] data = in.readNBytes((int) padded);
          out.put(name, java.util.Arrays.copyOf(data, (int) size));
        } else {
          in.skipNBytes(padded);
        }
      }
    }
    return out;
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.US_ASCII);
  }
}
