package io.herald.scheduler.rule;

import java.util.List;
import java.util.Objects;

/** The outcome of {@link RuleCompiler#compile}: a schedule, or every reason there is none. */
public sealed interface Compilation permits Compilation.Valid, Compilation.Invalid {

  /** A rule that passed validation. */
  record Valid(CompiledSchedule schedule) implements Compilation {
    public Valid {
      Objects.requireNonNull(schedule, "schedule");
    }
  }

  /** All problems found, in column order; never empty. */
  record Invalid(List<RuleProblem> problems) implements Compilation {
    public Invalid {
      problems = List.copyOf(problems);
      if (problems.isEmpty()) {
        throw new IllegalArgumentException("an invalid rule needs at least one problem");
      }
    }
  }
}
