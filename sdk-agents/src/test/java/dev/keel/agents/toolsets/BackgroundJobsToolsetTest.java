package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Background jobs called directly: what a job that fails, floods or outlives the toolset leaves behind. */
class BackgroundJobsToolsetTest {
    @TempDir
    Path dir;

    private static ToolResult call(BackgroundJobsToolset jobs, String tool, Map<String, ?> args) throws Exception {
        Tool t = jobs.tools().stream().filter(x -> x.spec().name().equals(tool)).findFirst().orElseThrow();
        return t.call(ToolArguments.of(JsonObject.of(args)), new ToolContext("a", "s", new ConcurrentHashMap<>()));
    }

    /** Views the job until {@code text} shows, for at most a minute. */
    private static String viewUntil(BackgroundJobsToolset jobs, String id, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            String view = call(jobs, "view_background_job", Map.of("job_id", id)).content();
            if (view.contains(text) || System.nanoTime() > deadline) {
                return view;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aFailingJobShowsItsExitCodeAndAFloodingOneIsCutAtTheLimit() throws Exception {
        try (BackgroundJobsToolset jobs = BackgroundJobsToolset.of(LocalCommandRunner.in(dir), Map.of("GREETING", "hi"),
                Duration.ofMinutes(1))) {
            call(jobs, "run_background_job", Map.of("cmd", "echo $GREETING; exit 3"));
            String failed = viewUntil(jobs, "job_1", "Exit code");
            assertThat(failed).contains("[failed]", "Exit code: 3", "hi");
            call(jobs, "run_background_job", Map.of("cmd", "yes x | head -c 3000000"));
            String flood = viewUntil(jobs, "job_2", "Exit code");
            assertThat(flood).contains("[output truncated at " + BackgroundJobsToolset.OUTPUT_LIMIT + " bytes]");
            assertThat(flood.length()).isLessThan(BackgroundJobsToolset.OUTPUT_LIMIT + 1000);
            assertThat(call(jobs, "view_background_job", Map.of("job_id", "job_9")).error()).isTrue();
            assertThat(call(jobs, "stop_background_job", Map.of("job_id", "job_1")).content()).contains("already ended");
        }
    }

    @Test
    void afterCloseNoJobStartsAndClosingTwiceIsHarmless() throws Exception {
        BackgroundJobsToolset jobs = BackgroundJobsToolset.of(LocalCommandRunner.in(dir), Map.of(), Duration.ofMinutes(1));
        jobs.close();
        jobs.close();
        ToolResult refused = call(jobs, "run_background_job", Map.of("cmd", "sleep 100"));
        assertThat(refused.error()).isTrue();
        assertThat(refused.content()).contains("closed");
        assertThat(call(jobs, "list_background_jobs", Map.of()).content()).isEqualTo("No background jobs.");
    }

    private static ToolResult callIn(BackgroundJobsToolset jobs, String session, Map<String, ?> args) throws Exception {
        Tool t = jobs.tools().stream().filter(x -> x.spec().name().equals("run_background_job")).findFirst().orElseThrow();
        return t.call(ToolArguments.of(JsonObject.of(args)), new ToolContext("a", session, new ConcurrentHashMap<>()));
    }

    @Test
    void aRecallGoesToTheSessionThatStartedTheJobOrTheOneItWasDelegatedFromAndIsTakenOnce() throws Exception {
        try (BackgroundJobsToolset jobs = BackgroundJobsToolset.of(LocalCommandRunner.in(dir), Map.of(),
                Duration.ofMinutes(1), true)) {
            callIn(jobs, "s1/child", Map.of("cmd", "echo from-child", "recall", true));
            callIn(jobs, "s10", Map.of("cmd", "echo other-session", "recall", true));
            callIn(jobs, "s1", Map.of("cmd", "echo not-asked"));
            viewUntil(jobs, "job_1", "Exit code");
            viewUntil(jobs, "job_2", "Exit code");
            viewUntil(jobs, "job_3", "Exit code");
            assertThat(jobs.takeRecalls("s2")).isEmpty();
            List<BackgroundJobsToolset.Recall> mine = jobs.takeRecalls("s1");
            assertThat(mine).as("s10 is not a session delegated from s1, job_3 asked for no recall")
                    .extracting(BackgroundJobsToolset.Recall::jobId).containsExactly("job_1");
            assertThat(mine.get(0).sessionId()).isEqualTo("s1/child");
            assertThat(mine.get(0).message()).contains("from-child");
            assertThat(mine.get(0).toString()).doesNotContain("from-child");
            assertThat(jobs.takeRecalls("s1")).isEmpty();
            assertThat(jobs.takeRecalls("s10")).extracting(BackgroundJobsToolset.Recall::exitCode).containsExactly(0);
        }
    }

    @Test
    void withoutRecallTheFlagIsNotOfferedAndIgnoredAndClosingRecallsNothing() throws Exception {
        try (BackgroundJobsToolset plain = BackgroundJobsToolset.of(LocalCommandRunner.in(dir), Map.of(),
                Duration.ofMinutes(1))) {
            assertThat(plain.tools().get(0).spec().parameters().toJson().toJson()).doesNotContain("recall");
            callIn(plain, "s", Map.of("cmd", "echo hi", "recall", true));
            viewUntil(plain, "job_1", "Exit code");
            assertThat(plain.takeRecalls("s")).isEmpty();
        }
        BackgroundJobsToolset jobs = BackgroundJobsToolset.of(LocalCommandRunner.in(dir), Map.of(), Duration.ofMinutes(1),
                true);
        assertThat(jobs.tools().get(0).spec().parameters().toJson().toJson()).contains("recall");
        assertThatThrownBy(() -> callIn(jobs, "s", Map.of("cmd", "echo x", "recall", "yes")))
                .as("a recall that is not a boolean is an argument error the model reads")
                .isInstanceOf(dev.keel.agents.tool.ToolArgumentException.class).hasMessageContaining("recall");
        callIn(jobs, "s", Map.of("cmd", "exec sleep 300", "recall", true));
        jobs.close();
        assertThat(jobs.takeRecalls("s")).as("a job killed by close is not recalled: no run can follow").isEmpty();
    }

    @Test
    void aModelPickerNeedsModels() {
        assertThatThrownBy(() -> Toolsets.modelPicker(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one model");
    }
}
