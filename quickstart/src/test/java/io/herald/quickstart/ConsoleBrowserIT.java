package io.herald.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.contracts.topic.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;

/**
 * Issue 20's "done when": the operator console in a real browser (Debian's headless Chromium)
 * through a real {@code herald up --demo} (child JVM, its own broker and PostgreSQL). The demo
 * tenant is "another tenant"; this test's own tenant gets a broadcast whose recipients include an
 * opted-out contact, an invalid number and an unknown contact id, a device paused for account
 * danger (131048, as the sender writes it) holding a broadcast, and a poison record on {@code
 * herald.send-commands} carrying a phone number. Screenshots of every page go to {@code
 * target/console-screenshots/} (and to {@code -Dherald.console.screenshots=DIR}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ConsoleBrowserIT {

  private static final Duration START_BOUND = Duration.ofSeconds(180);
  private static final Duration FLOW_BOUND = Duration.ofSeconds(90);
  private static final Pattern CONSOLE_URL = Pattern.compile("console: (http://[0-9.:]+/)");
  private static final String PHONE = "+6281234567890";
  private static final String OPERATOR = "ops-operator";
  private static final String TENANT_SESSION = "shop-tenant";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final UUID tenant = UUID.randomUUID();
  private final String operatorToken = randomToken();
  private final String tenantToken = randomToken();
  // letters only: the masking takes any run of 8+ digits (even inside a UUID) for a number
  private final String nonce = randomLetters(16);

  private UpProcess up;
  private HeadlessChromium chromium;
  private WebDriver browser;
  private ConsoleRows rows;
  private TopicRecords topics;
  private String base;

  private UUID shopDevice;
  private UUID pausedDevice;
  private UUID mixedBroadcast;
  private UUID heldBroadcast;
  private byte[] poison;
  private String deadLetterId;

  @BeforeAll
  void startHeraldUpAndSeed() throws Exception {
    HeadlessChromium.assumeInstalled();
    Path work = Path.of("target", "console-browser-it");
    Files.createDirectories(work);
    Path tokens = work.resolve("console-tokens");
    Files.deleteIfExists(tokens);
    Files.createFile(
        tokens,
        PosixFilePermissions.asFileAttribute(
            Set.of(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)));
    Files.writeString(
        tokens,
        "# written by ConsoleBrowserIT\n"
            + OPERATOR
            + ":*:"
            + operatorToken
            + "\n"
            + TENANT_SESSION
            + ":"
            + tenant
            + ":"
            + tenantToken
            + "\n");
    up =
        UpProcess.start(
            "console-browser-it-up",
            work.resolve("herald"),
            List.of("--demo", "--reset", "--exit-after", "8m"),
            Map.of(
                "HERALD_CONSOLE_PORT",
                "0",
                "HERALD_CONSOLE_TOKENS_FILE",
                tokens.toAbsolutePath().toString()));
    up.await(Pattern.compile("^herald up: demo data in place"), START_BOUND);
    base = up.await(CONSOLE_URL, Duration.ofSeconds(30)).group(1);
    assertThat(String.join("\n", up.lines()))
        .as("tokens never on up's console")
        .doesNotContain(operatorToken)
        .doesNotContain(tenantToken);
    rows = new ConsoleRows(up.jdbcUrl());
    topics = new TopicRecords(up.bootstrap());
    seed();
    chromium = HeadlessChromium.start(work.resolve("chromium-profile"));
    browser = chromium.driver();
  }

  private void seed() throws Exception {
    shopDevice = rows.device(tenant, "Shop phone", "+15550300000", "active", null);
    pausedDevice =
        rows.device(
            tenant,
            "Promo phone",
            "+15550300009",
            "paused",
            // what the sender writes on WhatsApp's spam-limit answer (OutcomePolicy)
            "131048: Spam rate limit hit");
    UUID ana = rows.contact(tenant, "Ana", "+15550300001", false);
    UUID budi = rows.contact(tenant, "Budi", "+15550300002", false);
    UUID optedOut = rows.contact(tenant, "Citra", "+15550300003", true);
    UUID badNumber = rows.contact(tenant, "Dewi", "12345", false);
    UUID held = rows.contact(tenant, "Eko", "+15550300004", false);
    // The scheduler resolves recipients from what CDC delivered: wait until it has them all.
    Set<String> contacts =
        Set.of(ana, budi, optedOut, badNumber, held).stream()
            .map(UUID::toString)
            .collect(Collectors.toSet());
    Set<String> devices = Set.of(shopDevice.toString(), pausedDevice.toString());
    await("CDC delivered the contacts and devices")
        .atMost(FLOW_BOUND)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                keys(Topics.CONTACTS.name()).containsAll(contacts)
                    && keys(Topics.DEVICES.name()).containsAll(devices));
    Instant soon = Instant.now().plusSeconds(3);
    mixedBroadcast =
        rows.broadcast(
            tenant,
            shopDevice,
            "Opening hours",
            List.of(ana, budi, optedOut, badNumber, UUID.randomUUID()),
            soon);
    heldBroadcast = rows.broadcast(tenant, pausedDevice, "Promo", List.of(held), soon);

    // A careless producer's record on an input topic: not a SendCommand, a phone number inside.
    poison =
        ("{oops this is not json; call " + PHONE + " about order " + nonce + "}")
            .getBytes(StandardCharsets.UTF_8);
    topics.produce(
        new ProducerRecord<>(
            Topics.SEND_COMMANDS.name(),
            null,
            ("poison-" + nonce).getBytes(StandardCharsets.UTF_8),
            poison,
            List.of(
                new RecordHeader("x-producer", "careless-app".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("x-reply-to", PHONE.getBytes(StandardCharsets.UTF_8)))));
    String dlq = Topics.SEND_COMMANDS.dlqName();
    AtomicReference<String> id = new AtomicReference<>();
    await("the poison record dead-lettered")
        .atMost(FLOW_BOUND)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              for (ConsumerRecord<byte[], byte[]> r : topics.readAll(dlq)) {
                if (Arrays.equals(r.value(), poison)) {
                  id.set(dlq + "/" + r.partition() + "/" + r.offset());
                  return true;
                }
              }
              return false;
            });
    deadLetterId = id.get();
  }

  @AfterAll
  void stop() {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      if (topics != null) {
        topics.close();
      }
      if (up != null) {
        up.close();
      }
    }
  }

  @Test
  @Order(1)
  void overviewNumbersMatchTheRows() throws Exception {
    await("the mixed broadcast completed, the held one parked")
        .atMost(FLOW_BOUND)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                "completed".equals(broadcast(mixedBroadcast).get("status"))
                    && rows.count(
                            "SELECT count(*) FROM parked_commands WHERE device_id = ?",
                            pausedDevice.toString())
                        > 0);
    signIn(operatorToken, true);
    OverviewNumbers numbers = new OverviewNumbers(rows, topics);
    // The demo keeps sending, so the rows move. A number is checked at a moment it stood still:
    // the rows gave the same value just before and just after the page was read, and the page
    // showed that value. Each number gets its own such moment.
    Map<String, String> confirmed = new LinkedHashMap<>();
    Map<String, Integer> atReading = new LinkedHashMap<>();
    int[] readings = {0};
    long started = System.nanoTime();
    AtomicReference<String> last = new AtomicReference<>();
    try {
      await("every overview number equals the rows")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                readings[0]++;
                Map<String, String> before = numbers.now();
                browser.get(base);
                Map<String, String> page = metrics();
                Map<String, String> after = numbers.now();
                for (String k : OverviewNumbers.KEYS) {
                  if (before.get(k).equals(after.get(k))
                      && OverviewNumbers.matches(k, before.get(k), page.get(k))) {
                    if (confirmed.putIfAbsent(k, page.get(k)) == null) {
                      atReading.put(k, readings[0]);
                    }
                  }
                }
                last.set("rows before " + before + "\npage " + page + "\nrows after " + after);
                return confirmed.size() == OverviewNumbers.KEYS.length;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "overview numbers never seen equal to the rows: "
              + Arrays.stream(OverviewNumbers.KEYS)
                  .filter(k -> !confirmed.containsKey(k))
                  .collect(Collectors.toList())
              + "; last reading:\n"
              + last,
          e);
    }
    System.out.printf(
        "overview numbers equal to the rows: %s (reading at which each was confirmed: %s; %d"
            + " readings in %d ms)%n",
        confirmed, atReading, readings[0], (System.nanoTime() - started) / 1_000_000);
    Map<String, String> page = confirmed;
    assertThat(Long.parseLong(page.get("devices-paused"))).isGreaterThanOrEqualTo(1);
    assertThat(Long.parseLong(page.get("skipped-today"))).isGreaterThanOrEqualTo(3);
    assertThat(Long.parseLong(page.get("sent-today"))).isGreaterThanOrEqualTo(2);
    assertThat(Long.parseLong(page.get("dead-letters-24h"))).isGreaterThanOrEqualTo(1);
    assertThat(Long.parseLong(page.get("active-definitions"))).isGreaterThanOrEqualTo(1);
    assertThat(browser.findElement(By.tagName("body")).getText()).contains("UTC");
    chromium.screenshot("02-overview");
  }

  @Test
  @Order(2)
  void aBroadcastsPageShowsItsSkipReasons() throws Exception {
    await("the mixed broadcast completed")
        .atMost(FLOW_BOUND)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> "completed".equals(broadcast(mixedBroadcast).get("status")));
    Map<String, Object> b = broadcast(mixedBroadcast);
    Map<String, Long> reasons = reasons(String.valueOf(b.get("skipped_reasons")));
    assertThat(reasons)
        .as("what the rows say")
        .containsEntry("opted_out", 1L)
        .containsEntry("invalid_recipient", 1L)
        .containsEntry("unknown_contact", 1L);

    signIn(operatorToken, false);
    browser.get(base + "definitions?kind=broadcast");
    WebElement row =
        browser.findElement(By.cssSelector("tr[data-definition-id='" + mixedBroadcast + "']"));
    assertThat(row.getText()).contains("Opening hours");
    chromium.screenshot("03-definitions");
    chromium.clickAndLoad(row.findElement(By.tagName("a")));
    assertThat(browser.getCurrentUrl()).endsWith("/definitions/" + mixedBroadcast);

    assertThat(text(By.id("rule"))).isNotBlank();
    assertThat(skipReasons(false))
        .as("the broadcast's skip reasons on the page")
        .isEqualTo(reasons);
    assertThat(skipReasons(true)).as("its occurrence's, in the history").isEqualTo(reasons);
    assertThat(outcome("sent")).isEqualTo(((Number) b.get("sent_count")).longValue()).isEqualTo(2);
    assertThat(outcome("skipped"))
        .isEqualTo(((Number) b.get("skipped_count")).longValue())
        .isEqualTo(3);
    chromium.screenshot("04-definition-broadcast");

    // a recurring definition: its rule in words, the preview of what comes next, its history
    browser.get(base + "definitions/" + DemoData.RECURRING);
    assertThat(text(By.id("rule"))).isNotBlank();
    assertThat(browser.findElements(By.cssSelector("#next-occurrences li"))).isNotEmpty();
    chromium.screenshot("05-definition-recurring");
  }

  @Test
  @Order(3)
  void resumingAPausedDeviceFromThePageLetsItsHeldMessageGo() throws Exception {
    await("the paused device holds its broadcast")
        .atMost(FLOW_BOUND)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                rows.count(
                        "SELECT count(*) FROM parked_commands WHERE device_id = ?",
                        pausedDevice.toString())
                    > 0);
    assertThat(sentTo(heldBroadcast)).as("nothing sent while paused").isZero();

    signIn(operatorToken, false);
    browser.get(base + "devices");
    By row = By.cssSelector("tr[data-device-id='" + pausedDevice + "']");
    assertThat(field(row, "status")).contains("paused");
    assertThat(field(row, "pause-reason")).contains("131048");
    assertThat(browser.findElement(row).findElement(By.cssSelector("[data-field='backlog']")))
        .extracting(ConsoleBrowserIT::number)
        .isNotEqualTo(0L);
    chromium.screenshot("06-devices");

    chromium.clickAndLoad(browser.findElement(row).findElement(By.cssSelector("a.resume")));
    assertThat(browser.getCurrentUrl()).endsWith("/devices/" + pausedDevice + "/resume");
    assertThat(browser.findElement(By.tagName("body")).getText())
        .as("the CLI's warning")
        .contains("Resume only after checking the account's standing");
    chromium.screenshot("07-device-resume");

    // Without the checkbox (the browser would insist on it, so drop "required" as a forged or
    // script-less post would): refused, the device stays paused.
    WebElement confirm =
        browser.findElement(By.cssSelector("form#resume-confirm input[name=confirm]"));
    ((JavascriptExecutor) browser)
        .executeScript("arguments[0].removeAttribute('required')", confirm);
    chromium.clickAndLoad(
        browser.findElement(By.cssSelector("form#resume-confirm button[type=submit]")));
    assertThat(browser.findElement(By.tagName("body")).getText().toLowerCase())
        .as("refused with the reason")
        .contains("confirm");
    assertThat(device(pausedDevice).get("status")).isEqualTo("paused");

    browser.get(base + "devices/" + pausedDevice + "/resume");
    browser.findElement(By.cssSelector("form#resume-confirm input[name=confirm]")).click();
    chromium.clickAndLoad(
        browser.findElement(By.cssSelector("form#resume-confirm button[type=submit]")));
    assertThat(browser.getCurrentUrl()).endsWith("/devices");
    assertThat(browser.findElement(By.tagName("body")).getText()).contains("resumed");
    assertThat(field(row, "status")).contains("active");
    Map<String, Object> d = device(pausedDevice);
    assertThat(d.get("status")).isEqualTo("active");
    assertThat(d.get("paused_reason")).isNull();
    assertThat(
            rows.count(
                "SELECT count(*) FROM console_audit WHERE principal = ? AND target LIKE ?",
                OPERATOR,
                "%" + pausedDevice + "%"))
        .as("the resume audited with who and what")
        .isEqualTo(1);
    chromium.screenshot("08-devices-after-resume");

    await("the held message sent after the resume")
        .atMost(FLOW_BOUND)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> sentTo(heldBroadcast) == 1);
  }

  @Test
  @Order(4)
  void aDeadLetterShowsMaskedAndReplaysOnce() throws Exception {
    String original = Topics.SEND_COMMANDS.name();
    assertThat(copiesOnTopic(original)).as("the poison as produced").isEqualTo(1);

    signIn(operatorToken, false);
    browser.get(base + "dead-letters");
    WebElement row =
        browser.findElement(By.cssSelector("tr[data-dead-letter='" + deadLetterId + "']"));
    assertThat(row.getText()).contains(original).contains("not a SendCommand");
    assertThat(browser.getPageSource()).doesNotContain(PHONE.substring(1));
    chromium.screenshot("09-dead-letters");
    chromium.clickAndLoad(row.findElement(By.tagName("a")));
    String detailUrl = browser.getCurrentUrl();
    assertThat(detailUrl).endsWith("/dead-letters/" + deadLetterId);

    String payload = text(By.id("payload"));
    assertThat(payload).contains(nonce);
    assertThat(payload).doesNotContain(PHONE.substring(1)).doesNotContain("1234567890");
    assertThat(payload).containsPattern("\\+\\d{1,3}•+90");
    assertThat(browser.getPageSource()).doesNotContain(PHONE.substring(1));
    chromium.screenshot("10-dead-letter");

    // A post without the session's CSRF token (as a forged cross-site form would be): refused.
    WebElement csrf = browser.findElement(By.cssSelector("form#replay input[name=csrf]"));
    ((JavascriptExecutor) browser).executeScript("arguments[0].remove()", csrf);
    chromium.clickAndLoad(
        browser.findElement(By.cssSelector("form#replay button, form#replay [type=submit]")));
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Forbidden");
    assertThat(rows.count("SELECT count(*) FROM dead_letter_replays")).isZero();
    browser.get(detailUrl);

    // Two tabs on the same dead letter, as two operators would have: both replay.
    String first = browser.getWindowHandle();
    browser.switchTo().newWindow(WindowType.TAB);
    browser.get(detailUrl);
    String second = browser.getWindowHandle();

    browser.switchTo().window(first);
    chromium.clickAndLoad(
        browser.findElement(By.cssSelector("form#replay button, form#replay [type=submit]")));
    assertThat(browser.findElement(By.tagName("body")).getText())
        .contains("Replayed to " + original);
    assertThat(text(By.id("replayed"))).contains(OPERATOR);
    chromium.screenshot("11-dead-letter-replayed");

    browser.switchTo().window(second);
    chromium.clickAndLoad(
        browser.findElement(By.cssSelector("form#replay button, form#replay [type=submit]")));
    assertThat(browser.findElement(By.tagName("body")).getText())
        .as("the second replay's answer")
        .contains("Already replayed at")
        .contains("by " + OPERATOR)
        .contains("nothing sent");
    browser.close();
    browser.switchTo().window(first);

    // Both answers are in: whatever reached the topic is there now.
    List<ConsumerRecord<byte[], byte[]>> copies = copies(original);
    assertThat(copies).as("the original plus exactly one replay").hasSize(2);
    ConsumerRecord<byte[], byte[]> replay = copies.get(1);
    assertThat(headerNames(replay))
        .contains("x-producer", "x-reply-to")
        .noneMatch(h -> h.startsWith("herald.dlq."));
    assertThat(
            rows.count(
                "SELECT count(*) FROM dead_letter_replays WHERE dlq_topic = ? AND principal = ?",
                Topics.SEND_COMMANDS.dlqName(),
                OPERATOR))
        .isEqualTo(1);

    browser.get(base + "audit");
    assertThat(browser.findElement(By.tagName("body")).getText())
        .contains("replay-dead-letter")
        .contains(deadLetterId)
        .contains(OPERATOR);
    assertThat(
            rows.count(
                "SELECT count(*) FROM console_audit WHERE action = 'replay-dead-letter'"
                    + " AND target = ? AND principal = ?",
                deadLetterId,
                OPERATOR))
        .as("one replay, one audit row")
        .isEqualTo(1);
    chromium.screenshot("12-audit");
  }

  @Test
  @Order(5)
  void aTenantSessionCannotReachAnotherTenantsDefinitionByUrl() throws Exception {
    signIn(tenantToken, false);
    browser.get(base + "definitions");
    Set<String> listed = attributes("tr[data-definition-id]", "data-definition-id");
    assertThat(listed)
        .as("its own definitions")
        .contains(mixedBroadcast.toString(), heldBroadcast.toString())
        .as("none of the demo tenant's")
        .doesNotContain(
            DemoData.RECURRING.toString(),
            DemoData.BROADCAST_NOW.toString(),
            DemoData.BROADCAST_LATER.toString(),
            DemoData.AUTOPOST.toString());

    browser.get(base + "definitions/" + DemoData.RECURRING);
    String foreign = browser.findElement(By.tagName("body")).getText();
    assertThat(foreign.toLowerCase()).contains("not found");
    assertThat(foreign).doesNotContain("Minute tip");
    chromium.screenshot("13-tenant-not-found");
    UUID missing = UUID.randomUUID();
    browser.get(base + "definitions/" + missing);
    String none = browser.findElement(By.tagName("body")).getText();
    assertThat(foreign.replace(DemoData.RECURRING.toString(), "ID"))
        .as("the same page as for an id that does not exist")
        .isEqualTo(none.replace(missing.toString(), "ID"));

    browser.get(base + "devices");
    Set<String> devices = attributes("tr[data-device-id]", "data-device-id");
    assertThat(devices)
        .contains(shopDevice.toString(), pausedDevice.toString())
        .doesNotContain(DemoData.DEVICE_A.toString(), DemoData.DEVICE_B.toString());

    assertThat(get("definitions/" + DemoData.RECURRING, tenantToken)).isEqualTo(404);
    assertThat(get("definitions/" + missing, tenantToken)).isEqualTo(404);
    assertThat(get("definitions/" + mixedBroadcast, tenantToken)).isEqualTo(200);
    assertThat(get("definitions/" + DemoData.RECURRING, operatorToken)).isEqualTo(200);
    assertThat(get("dead-letters", tenantToken)).isEqualTo(403);
    HttpResponse<Void> page =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base))
                .header("Authorization", "Bearer " + tenantToken)
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("default-src 'none'")
        .doesNotContain("script-src");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  // ---- browser helpers

  private void signIn(String token, boolean screenshot) {
    browser.manage().deleteAllCookies();
    browser.get(base);
    assertThat(browser.getCurrentUrl()).as("unauthenticated: sent to the login").contains("/login");
    if (screenshot) {
      chromium.screenshot("01-login");
    }
    WebElement field = browser.findElement(By.name("token"));
    field.sendKeys(token);
    chromium.submitAndLoad(field);
    assertThat(browser.getCurrentUrl()).doesNotContain("/login");
    Cookie session = browser.manage().getCookieNamed("herald_console");
    assertThat(session).as("the session cookie").isNotNull();
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    assertThat(session.getValue()).isNotEqualTo(token);
  }

  private Map<String, String> metrics() {
    Map<String, String> m = new LinkedHashMap<>();
    for (WebElement e : browser.findElements(By.cssSelector("[data-metric]"))) {
      m.put(e.getAttribute("data-metric"), e.getDomProperty("textContent").strip());
    }
    return m;
  }

  private String text(By by) {
    return browser.findElement(by).getDomProperty("textContent");
  }

  /** Reason to count, summed over the history's rows or over what is outside the history. */
  private Map<String, Long> skipReasons(boolean inHistory) {
    String where = inHistory ? "ancestor::*[@id='history']" : "not(ancestor::*[@id='history'])";
    Map<String, Long> shown = new LinkedHashMap<>();
    for (WebElement e : browser.findElements(By.xpath("//*[@data-skip-reason][" + where + "]"))) {
      shown.merge(e.getAttribute("data-skip-reason"), number(e), Long::sum);
    }
    return shown;
  }

  /** The definition's count for {@code outcome}, outside its history table. */
  private long outcome(String outcome) {
    List<WebElement> all =
        browser.findElements(
            By.xpath("//*[@data-outcome='" + outcome + "'][not(ancestor::*[@id='history'])]"));
    assertThat(all).as("[data-outcome=%s]", outcome).isNotEmpty();
    return number(all.get(0));
  }

  private String field(By row, String name) {
    return browser
        .findElement(row)
        .findElement(By.cssSelector("[data-field='" + name + "']"))
        .getDomProperty("textContent")
        .strip();
  }

  private Set<String> attributes(String css, String attribute) {
    return browser.findElements(By.cssSelector(css)).stream()
        .map(e -> e.getAttribute(attribute))
        .collect(Collectors.toSet());
  }

  private static long number(WebElement e) {
    return Long.parseLong(e.getDomProperty("textContent").strip());
  }

  private int get(String path, String token) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  // ---- rows and records

  private Map<String, Object> broadcast(UUID id) throws Exception {
    return rows.row("SELECT * FROM broadcasts WHERE id = ?", id);
  }

  private Map<String, Object> device(UUID id) throws Exception {
    return rows.row("SELECT status, paused_reason FROM devices WHERE id = ?", id);
  }

  private long sentTo(UUID broadcast) throws Exception {
    return rows.count(
        "SELECT count(*) FROM deliveries WHERE schedule_id = ? AND status = 'sent'", broadcast);
  }

  private Set<String> keys(String topic) {
    return topics.readAll(topic).stream()
        .filter(r -> r.key() != null)
        .map(r -> new String(r.key(), StandardCharsets.UTF_8))
        .collect(Collectors.toSet());
  }

  private List<ConsumerRecord<byte[], byte[]>> copies(String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : topics.readAll(topic)) {
      if (Arrays.equals(r.value(), poison)) {
        out.add(r);
      }
    }
    return out;
  }

  private long copiesOnTopic(String topic) {
    return copies(topic).size();
  }

  private static List<String> headerNames(ConsumerRecord<byte[], byte[]> r) {
    List<String> names = new ArrayList<>();
    for (Header h : r.headers()) {
      names.add(h.key());
    }
    return names;
  }

  /** {@code {"opted_out": 1, ...}} as a map; the test needs no JSON library for this. */
  private static Map<String, Long> reasons(String json) {
    Map<String, Long> m = new LinkedHashMap<>();
    java.util.regex.Matcher e = Pattern.compile("\"([a-z_]+)\"\\s*:\\s*(\\d+)").matcher(json);
    while (e.find()) {
      m.put(e.group(1), Long.parseLong(e.group(2)));
    }
    return m;
  }

  private static String randomLetters(int n) {
    SecureRandom r = new SecureRandom();
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append((char) ('a' + r.nextInt(26)));
    }
    return sb.toString();
  }

  private static String randomToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
