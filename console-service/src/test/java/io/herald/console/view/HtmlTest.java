package io.herald.console.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.console.auth.Principal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HtmlTest {

  @Test
  void escapesEveryMarkupCharacter() {
    assertThat(Html.esc("<script>alert('x') & \"y\"</script>"))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    assertThat(Html.esc(null)).isEmpty();
  }

  @Test
  void payloadShowsControlCharactersAndInvalidBytesEscaped() {
    assertThat(Html.payload("a\u0000b\nc\td\u001b".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("a\\x00b\nc\td\\x1b");
    assertThat(Html.payload(new byte[] {'o', 'k', (byte) 0xff, (byte) 0xc3}))
        .isEqualTo("ok\\xff\\xc3");
    assertThat(Html.payload(null)).isEqualTo("(null)");
  }

  @Test
  void aStoredNameCannotBecomeMarkup() {
    String page =
        Layout.page(
            "<img src=x onerror=alert(1)>",
            new Layout.Viewer(new Principal("op\"><b>", null), "c\"srf", "<i>flash</i>"),
            "");
    assertThat(page)
        .doesNotContain("<img")
        .doesNotContain("<i>flash")
        .doesNotContain("op\"><b>")
        .contains("&lt;img src=x onerror=alert(1)&gt;")
        .contains("value=\"c&quot;srf\"");
  }

  @Test
  void aBoundedPayloadKeepsWholeCharacters() {
    byte[] value = "é".repeat(Html.MAX_PAYLOAD_BYTES).getBytes(StandardCharsets.UTF_8);
    String shown = Html.payload(value);
    assertThat(shown).doesNotContain("\uFFFD");
    assertThat(shown.substring(0, shown.indexOf('\n')).getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(Html.MAX_PAYLOAD_BYTES);
  }
}
