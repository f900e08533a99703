package io.herald.quickstart;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium} driven headless through Debian's {@code chromedriver} with Selenium.
 * Both paths are given explicitly, so Selenium Manager has nothing to look up or download (the
 * build machines reach no browser download site). Screenshots are full pages, taken through the
 * DevTools protocol, written to {@code target/console-screenshots/} and, when {@code
 * -Dherald.console.screenshots=DIR} is set, to that folder too (how {@code docs/console/} is
 * refreshed).
 */
final class HeadlessChromium implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  static final String SCREENSHOTS_PROPERTY = "herald.console.screenshots";

  // Selenium looks for a DevTools binding matching the browser's version and warns when it has none
  // (it ships bindings for the newest releases only); the test uses no binding, only the driver's
  // plain CDP command. Held here so the logger, and its level, is not collected.
  private static final Logger CDP_VERSION_FINDER =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_VERSION_FINDER.setLevel(Level.SEVERE);
  }

  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final List<Path> screenshotDirs;

  private HeadlessChromium(ChromeDriverService service, ChromeDriver driver, List<Path> dirs) {
    this.service = service;
    this.driver = driver;
    this.screenshotDirs = dirs;
  }

  /**
   * Skips the calling test when the browser is not installed. CI installs both packages ({@code
   * .ci/run}), so there the test always runs; the skip is for a developer's machine.
   */
  static void assumeInstalled() {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs Debian's chromium and chromium-driver packages ("
            + CHROMIUM
            + ", "
            + CHROMEDRIVER
            + "): apt-get install --no-install-recommends chromium chromium-driver");
  }

  /** Starts chromedriver on a free loopback port and one headless browser session. */
  static HeadlessChromium start(Path profileDir) {
    List<Path> dirs = new ArrayList<>(List.of(SCREENSHOTS));
    String extra = System.getProperty(SCREENSHOTS_PROPERTY);
    if (extra != null && !extra.isBlank()) {
      dirs.add(Path.of(extra));
    }
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(Path.of("target", "chromedriver.log").toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        // CI runs as root, where Chromium refuses its sandbox
        "--no-sandbox",
        // containers give /dev/shm 64 MiB, too little for the renderer
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
        "--lang=en-US",
        "--user-data-dir=" + profileDir.toAbsolutePath());
    options.setPageLoadStrategy(org.openqa.selenium.PageLoadStrategy.NORMAL);
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      throw e;
    }
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new HeadlessChromium(service, driver, dirs);
  }

  WebDriver driver() {
    return driver;
  }

  /**
   * Clicks what leads to another page (a link, a form's button) and returns once that page has
   * loaded: a click returns when the event is dispatched, and a form post answered by a redirect
   * may still be on its way, so the old document must be gone and the new one complete.
   */
  void clickAndLoad(WebElement e) {
    awaitNextPage(e::click);
  }

  /** As {@link #clickAndLoad} for the form of {@code field}, submitted as Enter would. */
  void submitAndLoad(WebElement field) {
    awaitNextPage(field::submit);
  }

  private void awaitNextPage(Runnable action) {
    WebElement old = driver.findElement(By.tagName("html"));
    action.run();
    await("the next page loaded")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                stale(old)
                    && "complete".equals(driver.executeScript("return document.readyState")));
  }

  private static boolean stale(WebElement e) {
    try {
      e.isEnabled();
      return false;
    } catch (StaleElementReferenceException gone) {
      return true;
    }
  }

  /**
   * Saves the whole page (not only the window) as {@code <name>.png} in every screenshot folder,
   * and returns the first copy.
   */
  Path screenshot(String name) {
    Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
    double width = Math.max(1280, ((Number) size.get("width")).doubleValue());
    double height = Math.max(200, ((Number) size.get("height")).doubleValue());
    Map<String, Object> shot =
        driver.executeCdpCommand(
            "Page.captureScreenshot",
            Map.of(
                "format",
                "png",
                "captureBeyondViewport",
                true,
                "clip",
                Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
    byte[] png = Base64.getDecoder().decode((String) shot.get("data"));
    Path first = null;
    try {
      for (Path dir : screenshotDirs) {
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        Files.write(file, png);
        if (first == null) {
          first = file;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write screenshot " + name, e);
    }
    return first;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
