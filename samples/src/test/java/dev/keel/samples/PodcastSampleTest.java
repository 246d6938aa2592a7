package dev.keel.samples;

import static dev.keel.samples.DevTeamSampleTest.bySystemPrompt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.AgentResult;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.testing.model.RecordedChatRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The podcast sample's scripted replay, offline: director → researcher → scriptwriter from YAML. */
@Timeout(60)
class PodcastSampleTest {
    @TempDir
    Path workspace;

    @Test
    void directorPassesTheResearchToTheScriptwriterWhoSavesTheEpisode() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AgentResult result;
        List<RecordedChatRequest> requests;
        try (TeamSampleSupport support = TeamSampleSupport.scripted(PodcastSample::script)) {
            result = PodcastSample.run(support, workspace, "ship keels", new PrintStream(bytes, true, StandardCharsets.UTF_8));
            requests = support.scriptedRequests();
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);

        assertThat(result.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
        assertThat(result.agent()).isEqualTo("director");
        assertThat(result.output()).contains("episode.md");
        String episode = Files.readString(workspace.resolve("episode.md"));
        assertThat(episode).contains("**Ada:** Every ship starts with its keel.", "**Linus:**");
        // The researcher's memory toolset persisted its note as JSON lines at the path from the team file.
        assertThat(Files.readString(workspace.resolve("podcast-memory.jsonl")))
                .contains("A keel lowers a ship's centre of gravity.");

        assertThat(printed).contains("Topic: ship keels", "▶ director → researcher", "▶ director → scriptwriter",
                "--- episode.md ---\n" + episode, "Model: scripted replay, stop reason: COMPLETED");

        List<RecordedChatRequest> researcher = bySystemPrompt(requests, "You research topics.");
        assertThat(researcher).hasSize(3);
        assertThat(researcher.get(0).toolNames()).containsExactlyInAnyOrder("think", "add_memory", "get_memories",
                "search_memories", "delete_memory");
        assertThat(researcher.get(0).messages()).filteredOn(m -> m instanceof UserMessage).singleElement()
                .extracting(m -> ((UserMessage) m).text()).asString()
                .startsWith("Find three surprising facts").doesNotContain("Produce a short episode");

        // The director handed the researcher's answer on: the scriptwriter's task carries the facts.
        List<RecordedChatRequest> writer = bySystemPrompt(requests, "You write podcast scripts");
        assertThat(writer.get(0).lastUserText()).contains("The keel is the first part of a ship to be built");
        assertThat(writer.get(0).toolNames()).containsExactlyInAnyOrder("write_file", "read_file");
        assertThat(writer.get(1).lastMessage()).isInstanceOfSatisfying(ToolResultMessage.class,
                r -> assertThat(r.error()).isFalse());
    }
}
