package dev.keel.samples;

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

/** The dev-team sample's scripted replay, offline: the YAML team, real shell and files, the live view. */
@Timeout(60)
class DevTeamSampleTest {
    private static final String REQUEST = "Build a tiny command-line to-do list: add items and list them.";

    @TempDir
    Path workspace;

    @Test
    void productManagerDelegatesAndTheEngineersScriptReallyRuns() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AgentResult result;
        List<RecordedChatRequest> requests;
        try (TeamSampleSupport support = TeamSampleSupport.scripted(DevTeamSample::script)) {
            result = DevTeamSample.run(support, workspace, REQUEST, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            requests = support.scriptedRequests();
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);

        assertThat(result.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
        assertThat(result.agent()).isEqualTo("root");
        assertThat(result.output()).startsWith("Delivered todo.sh");
        // The engineer wrote the script through the filesystem toolset and both agents ran it through the shell.
        assertThat(Files.readString(workspace.resolve("todo.sh"))).contains("todo.txt");
        // QA's "rm -f todo.txt" matched the team file's deny pattern, so the list is still there.
        assertThat(Files.readAllLines(workspace.resolve("todo.txt"))).containsExactly("buy milk", "walk the dog");

        assertThat(printed).contains("▶ root → designer", "▶ root → engineer", "▶ root → qa",
                "denied: it matches the deny pattern 'shell:cmd=rm *'", "Files in the workspace: [todo.sh, todo.txt]",
                "Model: scripted replay, stop reason: COMPLETED");
        assertThat(printed.indexOf("▶ root → designer")).isLessThan(printed.indexOf("▶ root → engineer"));
        assertThat(printed.indexOf("▶ root → engineer")).isLessThan(printed.indexOf("▶ root → qa"));

        List<RecordedChatRequest> engineer = bySystemPrompt(requests, "You are a software engineer.");
        assertThat(engineer).hasSize(3);
        // A fresh session: the engineer sees its task, not the product manager's conversation.
        assertThat(engineer.get(0).messages()).filteredOn(m -> m instanceof UserMessage).singleElement()
                .extracting(m -> ((UserMessage) m).text()).asString().startsWith("Implement todo.sh").doesNotContain(REQUEST);
        assertThat(engineer.get(2).lastMessage()).isInstanceOfSatisfying(ToolResultMessage.class,
                r -> assertThat(r.content()).contains("added: buy milk", "1. buy milk"));
        assertThat(engineer.get(0).systemPrompt()).contains("working directory");

        List<RecordedChatRequest> qa = bySystemPrompt(requests, "You are QA.");
        assertThat(qa.get(1).lastMessage()).isInstanceOfSatisfying(ToolResultMessage.class,
                r -> assertThat(r.content()).contains("1. buy milk", "2. walk the dog"));
        assertThat(qa.get(0).toolNames()).containsExactlyInAnyOrder("read_file", "list_directory", "shell");

        List<RecordedChatRequest> pm = bySystemPrompt(requests, "You are the product manager.");
        assertThat(pm.get(0).systemPrompt()).contains("Today's date:", "- designer:", "- engineer:", "- qa:");
        assertThat(pm.get(pm.size() - 1).messages().stream().filter(m -> m instanceof ToolResultMessage)
                .map(m -> ((ToolResultMessage) m).content()))
                .anyMatch(c -> c.startsWith("PASS"));
    }

    static List<RecordedChatRequest> bySystemPrompt(List<RecordedChatRequest> requests, String prefix) {
        return requests.stream().filter(r -> r.systemPrompt().startsWith(prefix)).toList();
    }
}
