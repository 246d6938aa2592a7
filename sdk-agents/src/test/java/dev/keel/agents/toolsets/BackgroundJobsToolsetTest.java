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

    @Test
    void aModelPickerNeedsModels() {
        assertThatThrownBy(() -> Toolsets.modelPicker(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one model");
    }
}
