package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalKafkaTest {

  @Test
  void shouldNeverDrawAClusterIdTheStorageToolWouldReadAsAnOption() {
    // A plain base64url UUID starts with '-' once in 64: in 100,000 draws about 1,560 would.
    for (int i = 0; i < 100_000; i++) {
      String id = LocalKafka.clusterId();
      assertThat(id).doesNotStartWith("-").matches("[A-Za-z0-9_-]{22}");
    }
  }
}
