package io.herald.contracts.topic;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.contracts.serde.JsonSerde;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

  static Stream<TopicSpec<String, ?>> topics() {
    return Topics.ALL.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topics")
  void shouldMatchNamingPatternWhenTopicIsDeclared(TopicSpec<String, ?> topic) {
    assertThat(topic.name()).matches("^herald\\.[a-z]+(-[a-z]+)*$");
  }

  @Test
  void shouldBeDistinctWhenTopicsAreListed() {
    List<String> names = Topics.ALL.stream().map(TopicSpec::name).collect(Collectors.toList());
    List<String> dlqs = Topics.ALL.stream().map(TopicSpec::dlqName).collect(Collectors.toList());

    assertThat(names).doesNotHaveDuplicates();
    assertThat(dlqs).doesNotHaveDuplicates().doesNotContainAnyElementsOf(names);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topics")
  void shouldAppendDlqSuffixWhenDlqNameIsAsked(TopicSpec<String, ?> topic) {
    assertThat(topic.dlqName()).isEqualTo(topic.name() + ".dlq");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topics")
  void shouldDescribeKeyWhenTopicIsDeclared(TopicSpec<String, ?> topic) {
    assertThat(topic.keyMeaning()).isNotBlank();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topics")
  void shouldUseStringKeysAndJsonValuesWhenTopicIsDeclared(TopicSpec<String, ?> topic) {
    assertThat(topic.keySerde().serializer().serialize(topic.name(), "recurring:1"))
        .isEqualTo("recurring:1".getBytes(UTF_8));
    assertThat(topic.valueSerde()).isInstanceOf(JsonSerde.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"herald.schedule_changes", "herald_devices", "herald.dead_letters.dlq"})
  void shouldRejectNameWhenItContainsUnderscore(String name) {
    assertThatThrownBy(() -> new TopicSpec<>(name, Serdes.String(), Serdes.String(), "key", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
  }

  @Test
  void shouldRejectNameWhenItIsNull() {
    assertThatThrownBy(() -> new TopicSpec<>(null, Serdes.String(), Serdes.String(), "k", false))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void shouldListEveryConstantWhenAllIsRead() throws IllegalAccessException {
    Set<Object> constants = new HashSet<>();
    for (Field f : Topics.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == TopicSpec.class) {
        constants.add(f.get(null));
      }
    }

    assertThat(new HashSet<Object>(Topics.ALL)).isEqualTo(constants);
    assertThat(Topics.ALL).hasSize(constants.size());
  }

  /** Pins the README's topics table: compacted topics hold state, the others are event streams. */
  @Test
  void shouldCompactOnlyStateTopicsWhenTopicsAreDeclared() {
    assertThat(Topics.ALL.stream().filter(TopicSpec::compacted).map(TopicSpec::name))
        .containsExactlyInAnyOrder(
            "herald.schedule-changes",
            "herald.devices",
            "herald.contacts",
            "herald.schedule-states");
  }

  @Test
  void shouldUseDistinctHeraldPrefixedNamesWhenDlqHeadersAreDeclared() {
    List<String> headers =
        List.of(
            Topics.DLQ_HEADER_TOPIC,
            Topics.DLQ_HEADER_PARTITION,
            Topics.DLQ_HEADER_OFFSET,
            Topics.DLQ_HEADER_REASON,
            Topics.DLQ_HEADER_EXCEPTION);

    assertThat(headers).doesNotHaveDuplicates().allMatch(h -> h.startsWith("herald.dlq."));
  }
}
