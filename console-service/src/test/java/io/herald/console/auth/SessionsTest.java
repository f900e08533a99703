package io.herald.console.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SessionsTest {

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-12-07T10:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aSessionLivesWhileUsedAndEndsAfterEightHoursIdle() {
    MutableClock clock = new MutableClock();
    Sessions sessions = new Sessions(clock);
    Sessions.Session s = sessions.open(new Principal("alice", null));
    assertThat(s.id()).isNotEqualTo(s.csrf()).hasSizeGreaterThanOrEqualTo(43);
    clock.now = clock.now.plus(Duration.ofHours(7));
    assertThat(sessions.find(s.id())).isPresent();
    clock.now = clock.now.plus(Duration.ofHours(7)); // 7 h after the last use
    assertThat(sessions.find(s.id())).isPresent();
    clock.now = clock.now.plus(Sessions.IDLE);
    assertThat(sessions.find(s.id())).isEmpty();
  }

  @Test
  void closedAndUnknownSessionsAreGone() {
    Sessions sessions = new Sessions(new MutableClock());
    Sessions.Session s = sessions.open(new Principal("alice", null));
    sessions.close(s.id());
    assertThat(sessions.find(s.id())).isEmpty();
    assertThat(sessions.find("nope")).isEmpty();
    assertThat(sessions.find(null)).isEmpty();
  }

  @Test
  void aFlashIsShownOnce() {
    Sessions.Session s = new Sessions(new MutableClock()).open(new Principal("alice", null));
    s.flash("resumed");
    assertThat(s.takeFlash()).contains("resumed");
    assertThat(s.takeFlash()).isEmpty();
  }

  @Test
  void aFullTableDropsTheLongestIdleSessionNotTheNewOne() {
    MutableClock clock = new MutableClock();
    Sessions sessions = new Sessions(clock);
    Sessions.Session oldest = sessions.open(new Principal("alice", null));
    clock.now = clock.now.plusSeconds(1);
    for (int i = 1; i < Sessions.MAX_SESSIONS; i++) {
      sessions.open(new Principal("bob", null));
    }
    clock.now = clock.now.plusSeconds(1);
    Sessions.Session newest = sessions.open(new Principal("carol", null));
    assertThat(sessions.find(newest.id())).isPresent();
    assertThat(sessions.find(oldest.id())).isEmpty();
  }
}
