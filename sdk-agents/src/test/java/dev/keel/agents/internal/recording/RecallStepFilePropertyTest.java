package dev.keel.agents.internal.recording;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.StepTag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Recall steps in a recording file: whatever a job printed (control characters, carriage returns of progress bars,
 * ANSI colours, YAML-looking text, trailing blanks) reads back exactly, at its point, and the order the file lists
 * steps in never depends on the order they were captured in.
 */
class RecallStepFilePropertyTest {

    /** Text a job may print: any character but lone surrogates, with the awkward ones made frequent. */
    private static Arbitrary<String> printed() {
        Arbitrary<String> awkward = Arbitraries.of("\r", "\r\n", "\n", "\t", "\u001b[31m", "\u0000", "\u007f",
                "\u0085", " ", "- ", ": ", "#", "'", "\"", "|", ">", "---", "...", "\u2028", "\uFEFF", "é", "\uD83D\uDE00");
        Arbitrary<String> plain = Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(12);
        return Arbitraries.oneOf(awkward, plain).list().ofMaxSize(12).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<List<RecordedStep>> recalls() {
        Arbitrary<RecordedStep> one = Combinators.combine(Arbitraries.of("s1", "s2", "s1/0.1:helper"),
                Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 2), Arbitraries.of(true, false),
                printed(), printed(), Arbitraries.of(true, false)).as((session, turn, call, after, text, other, job) -> job
                ? new RecordedStep.JobRecall(new StepTag("root", session, turn, call), after, "job_" + call, other,
                        "completed", turn - 1, text)
                : new RecordedStep.ScheduleFire(new StepTag("root", session, turn, call), after, "sched-" + call, other,
                        Instant.ofEpochSecond(1_772_000_000L + turn), text));
        // one step per point and place: a run never tells two messages at the same place
        return one.list().ofMaxSize(10).map(steps -> {
            Map<String, RecordedStep> byPlace = new LinkedHashMap<>();
            for (RecordedStep s : steps) {
                boolean after = s instanceof RecordedStep.JobRecall j ? j.afterAnswer()
                        : ((RecordedStep.ScheduleFire) s).afterAnswer();
                byPlace.putIfAbsent(s.tag().session() + "|" + s.tag().turn() + "|" + after + "|" + s.tag().call(), s);
            }
            return new ArrayList<>(byPlace.values());
        });
    }

    @Property(tries = 200)
    void recallStepsReadBackExactlyInAnOrderThatIgnoresCaptureOrder(@ForAll("recalls") List<RecordedStep> steps,
                                                                   @ForAll long seed) throws IOException {
        List<RecordedStep> shuffled = new ArrayList<>(steps);
        Collections.shuffle(shuffled, new Random(seed));
        List<RecordedStep> sorted = StepOrder.sort(steps);
        assertThat(StepOrder.sort(shuffled)).isEqualTo(sorted);

        RecordedRun run = new RecordedRun(RecordedRun.Source.KEEL, List.of(), List.of(), shuffled, List.of());
        Path file = Files.createTempFile("recalls", ".run.yaml");
        try {
            Files.writeString(file, RecordingFile.toYaml(new RecordedRun(RecordedRun.Source.KEEL, List.of(), List.of(),
                    StepOrder.sort(run.steps()), List.of())));
            RecordedRun read = RecordingFile.read(file);
            assertThat(read.steps()).isEqualTo(sorted);
            assertThat(Files.readString(file)).contains(steps.isEmpty() ? "version: 1" : "version: 2");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
