package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-agent's {@code --record} cassettes (go-vcr YAML, version 2) replay as model recordings: OpenAI and
 * Anthropic bodies, SSE answers as text, the same matching rules, unused fields named. Files written here in
 * that shape (transport fields included) stand in for recorded ones.
 */
class DockerAgentCassetteTest {
    @TempDir
    Path dir;

    private static final String LIST_TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"list_directory\",\"description\":"
            + "\"Lists a directory\",\"parameters\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}},"
            + "\"required\":[\"path\"]}}}";

    private static String openAiCassette() {
        String first = "{\"messages\":[{\"content\":\"You count files.\",\"role\":\"system\"},{\"content\":\"How many files?\",\"role\":\"user\"}],"
                + "\"model\":\"gpt-4o\",\"max_tokens\":16384,\"stream_options\":{\"include_usage\":true},\"tools\":[" + LIST_TOOL + "],\"stream\":true}";
        String second = "{\"messages\":[{\"content\":\"You count files.\",\"role\":\"system\"},{\"content\":\"How many files?\",\"role\":\"user\"},"
                + "{\"tool_calls\":[{\"id\":\"call_I1tm\",\"function\":{\"arguments\":\"{\\\"path\\\":\\\"data\\\"}\",\"name\":\"list_directory\"},\"type\":\"function\"}],\"role\":\"assistant\"},"
                + "{\"content\":\"FILE README.md\\n\",\"tool_call_id\":\"call_I1tm\",\"role\":\"tool\"}],"
                + "\"model\":\"gpt-4o\",\"max_tokens\":16384,\"tools\":[" + LIST_TOOL + "],\"stream\":true}";
        return """
                ---
                version: 2
                interactions:
                    - id: 0
                      request:
                        proto: HTTP/1.1
                        proto_major: 1
                        proto_minor: 1
                        content_length: 0
                        host: api.openai.com
                        body: '%s'
                        url: https://api.openai.com/v1/chat/completions
                        method: POST
                      response:
                        proto: HTTP/2.0
                        content_length: -1
                        body: |+
                            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_XYZ","type":"function","function":{"name":"list_directory","arguments":""}}]},"finish_reason":null}],"obfuscation":"ab"}

                            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"path\\":\\"data\\"}"}}]},"finish_reason":null}]}

                            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

                            data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":785,"completion_tokens":18,"total_tokens":803}}

                            data: [DONE]

                        headers: {}
                        status: 200 OK
                        code: 200
                        duration: 1.145270042s
                    - id: 1
                      request:
                        proto: HTTP/1.1
                        host: api.openai.com
                        body: '%s'
                        url: https://api.openai.com/v1/chat/completions
                        method: POST
                      response:
                        body: |+
                            data: {"id":"chatcmpl-2","choices":[{"index":0,"delta":{"role":"assistant","content":"There is "}}]}

                            data: {"id":"chatcmpl-2","choices":[{"index":0,"delta":{"content":"1 file."},"finish_reason":"stop"}]}

                            data: [DONE]

                        headers: {}
                        status: 200 OK
                        code: 200
                        duration: 968ms
                """.formatted(first.replace("'", "''"), second.replace("'", "''"));
    }

    private static ChatModel none() {
        return new ChatModel() {
            @Override
            public ChatResponse chat(ChatRequest request) {
                throw new AssertionError("no model call may go out");
            }

            @Override
            public String id() {
                return "gpt-4o";
            }
        };
    }

    private Agent counter(String instruction, List<String> listed) {
        Tool list = Tool.of(ToolSpec.of("list_directory", "Lists a directory",
                JsonSchema.object().required("path", JsonSchema.string()).build()), true, (args, ctx) -> {
            listed.add(args.string("path"));
            return ToolResult.ok("FILE README.md\n");
        });
        return Agent.builder("root").instruction(instruction).model(none()).toolsets(Toolset.of("fs", list)).build();
    }

    @Test
    void anOpenAiCassetteReplaysItsModelCallsWhileToolsRunLive() throws IOException {
        Path cassette = Files.writeString(dir.resolve("TestExec_OpenAI_ToolCall.yaml"), openAiCassette());
        RecordedRun run = RecordedRun.read(cassette);
        assertThat(run.source()).isEqualTo(RecordedRun.Source.DOCKER_AGENT);
        assertThat(run.modelCalls()).hasSize(2);
        assertThat(run.unusedFields()).anyMatch(f -> f.startsWith("request.proto:")).anyMatch(f -> f.startsWith("request.host:"))
                .anyMatch(f -> f.startsWith("response.duration:")).anyMatch(f -> f.startsWith("response.headers:"))
                .anyMatch(f -> f.startsWith("request.body.max_tokens:")).anyMatch(f -> f.startsWith("request.body.stream_options:"))
                .anyMatch(f -> f.startsWith("interactions[].id:"));

        List<String> listed = new CopyOnWriteArrayList<>();
        List<String> text = new CopyOnWriteArrayList<>();
        try (Runner runner = Runner.builder(counter("You count files.", listed)).recording(Recording.replayModels(cassette)).build();
             AgentEvents.Subscription s = runner.events().subscribe(e -> {
                 if (e instanceof AgentEvent.TextDelta d) {
                     text.add(d.text());
                 }
             })) {
            assertThat(runner.run("How many files?").output()).isEqualTo("There is 1 file.");
        }
        assertThat(listed).containsExactly("data");
        assertThat(text).containsExactly("There is ", "1 file.");
    }

    @Test
    void aCassetteThatDoesNotMatchNamesTheNearestRecordedCall() throws IOException {
        Path cassette = Files.writeString(dir.resolve("c.yaml"), openAiCassette());
        try (Runner runner = Runner.builder(counter("You count the files.", new CopyOnWriteArrayList<>()))
                .recording(Recording.replayModels(cassette)).build()) {
            assertThatThrownBy(() -> runner.run("How many files?")).isInstanceOfSatisfying(RecordingDivergenceException.class, e -> {
                assertThat(e.agent()).isEqualTo("root");
                assertThat(e.getMessage()).contains("no recorded model call matches this request (nearest: interaction #0)");
                assertThat(e.diff()).contains("-   | You count files.", "+   | You count the files.");
            });
        }
    }

    @Test
    void anAnthropicCassetteIsReadAndFullReplayIsRefused() throws IOException {
        String body = "{\"max_tokens\":64000,\"messages\":[{\"content\":[{\"text\":\"Hi\",\"type\":\"text\"}],\"role\":\"user\"}],"
                + "\"model\":\"claude-sonnet-4-0\",\"system\":[{\"text\":\"You greet.\",\"type\":\"text\"}],\"stream\":true}";
        String yaml = """
                version: 2
                interactions:
                    - id: 0
                      request:
                        body: '%s'
                        url: https://api.anthropic.com/v1/messages
                        method: POST
                      response:
                        body: |+
                            event: message_start
                            data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3,"output_tokens":1}}}

                            event: content_block_start
                            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                            event: content_block_delta
                            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

                            event: message_delta
                            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}

                            event: message_stop
                            data: {"type":"message_stop"}

                        code: 200
                """.formatted(body);
        Path cassette = Files.writeString(dir.resolve("a.yaml"), yaml);
        Agent greeter = Agent.builder("root").instruction("You greet.").model(none()).build();
        try (Runner runner = Runner.builder(greeter).recording(Recording.replayModels(cassette)).build()) {
            assertThat(runner.run("Hi").output()).isEqualTo("Hello");
        }
        assertThatThrownBy(() -> Recording.replay(cassette)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("docker-agent cassette").hasMessageContaining("replayModels");
    }

    @Test
    void aFileThatIsNeitherFormatIsRefusedByName() throws IOException {
        Path other = Files.writeString(dir.resolve("x.yaml"), "version: 3\nthings: []\n");
        assertThatThrownBy(() -> RecordedRun.read(other)).hasMessageContaining("x.yaml")
                .hasMessageContaining("not a docker-agent cassette");
        Path broken = Files.writeString(dir.resolve("b.yaml"), "version: 2\ninteractions:\n  - request: {url: x}\n    response: {}\n");
        assertThatThrownBy(() -> RecordedRun.read(broken)).hasMessageContaining("interaction #0");
    }
}
