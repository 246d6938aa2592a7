package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The a2a toolset against a real A2A agent on loopback (JSON-RPC binding, documented shapes). */
class A2aToolsetTest {
    private static final String SECRET = "a2a-secret-token-5f2c";
    private final OkHttpClient client = new OkHttpClient();
    private A2aTestServer agent;

    @BeforeEach
    void start() throws Exception {
        agent = new A2aTestServer();
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    private A2aToolset.Builder toolset() {
        return A2aToolset.builder(client, agent.baseUrl()).allowPrivateIps(true)
                .headers(Map.of("Authorization", "Bearer " + SECRET));
    }

    private static ToolContext session() {
        return new ToolContext("root", "s1", new ConcurrentHashMap<>());
    }

    private static ToolResult call(Tool tool, String message, ToolContext ctx) throws Exception {
        return tool.call(ToolArguments.of(JsonObject.of(Map.of("message", message))), ctx);
    }

    @Test
    void readsTheCardAndSendsMessagesWithTheDocumentedShapes() throws Exception {
        A2aToolset a2a = toolset().name("remote").build();
        List<Tool> tools = a2a.tools();
        assertThat(tools).extracting(t -> t.spec().name()).containsExactly("remote_summarize");
        assertThat(tools.get(0).spec().description()).contains("'Summarize' skill of the Summarizer agent",
                "Summarizes a text");
        assertThat(tools.get(0).readOnly()).isFalse();
        assertThat(a2a.instructions()).contains("## Summarizer", "**Summarize**");

        ToolContext ctx = session();
        ToolResult first = call(tools.get(0), "the quarterly report", ctx);
        assertThat(first).isEqualTo(ToolResult.ok("echo: the quarterly report"));
        ToolResult second = call(tools.get(0), "and the annex", ctx);
        assertThat(second.content()).isEqualTo("echo: and the annex");

        List<JsonObject> rpcs = agent.rpcs();
        assertThat(rpcs).hasSize(2);
        JsonObject sent = rpcs.get(0);
        assertThat(sent.get("jsonrpc")).contains(JsonValue.of("2.0"));
        assertThat(sent.get("method")).contains(JsonValue.of("message/send"));
        JsonObject message = (JsonObject) ((JsonObject) sent.get("params").orElseThrow()).get("message").orElseThrow();
        assertThat(message.get("role")).contains(JsonValue.of("user"));
        assertThat(message.get("kind")).contains(JsonValue.of("message"));
        assertThat(message.get("parts").orElseThrow().toJson()).isEqualTo("[{\"kind\":\"text\",\"text\":\"the quarterly report\"}]");
        assertThat(message.has("contextId")).isFalse();
        // the second message continues the context the agent gave
        JsonObject again = (JsonObject) ((JsonObject) rpcs.get(1).get("params").orElseThrow()).get("message").orElseThrow();
        assertThat(again.get("contextId")).contains(JsonValue.of("ctx-1"));
        assertThat(again.get("messageId")).isNotEqualTo(message.get("messageId"));
        // the configured headers reach the agent, the card fetch included
        assertThat(agent.requests()).allSatisfy(r -> assertThat(r.getHeaders().get("Authorization"))
                .isEqualTo("Bearer " + SECRET));
        assertThat(a2a.toString()).contains("Authorization").doesNotContain(SECRET);
    }

    @Test
    void aDirectMessageReplyAndAnAgentWithoutSkills() throws Exception {
        agent.skills(List.of()).reply(in -> JsonObject.of(Map.of("kind", "message", "role", "agent",
                "messageId", "r1", "parts", List.of(Map.of("kind", "text", "text", "hello back"),
                        Map.of("kind", "data", "data", Map.of("score", 3))))));
        A2aToolset a2a = toolset().build();
        List<Tool> tools = a2a.tools();
        assertThat(tools).extracting(t -> t.spec().name()).containsExactly("summarizer");
        assertThat(call(tools.get(0), "hi", session())).isEqualTo(ToolResult.ok("hello back\n{\"score\":3}"));
    }

    @Test
    void followsARunningTaskWithTasksGetUntilItCompletes() throws Exception {
        agent.workingPolls(2).reply(in -> A2aTestServer.task(in, "working", "started"));
        Tool tool = toolset().build().tools().get(0);
        assertThat(call(tool, "long job", session())).isEqualTo(ToolResult.ok("finished after polling"));
        assertThat(agent.rpcs()).extracting(r -> r.get("method").orElseThrow())
                .containsExactly(JsonValue.of("message/send"), JsonValue.of("tasks/get"), JsonValue.of("tasks/get"),
                        JsonValue.of("tasks/get"));
    }

    @Test
    void aFailedTaskAndAJsonRpcErrorAreErrorResults() throws Exception {
        agent.reply(in -> in.text().equals("boom") ? A2aTestServer.task(in, "failed", "the model crashed")
                : JsonObject.of(Map.of("kind", "bogus")));
        Tool tool = toolset().build().tools().get(0);
        assertThat(call(tool, "boom", session())).isEqualTo(ToolResult.error("The agent's task failed: the model crashed"));
        // a reply without any text is an error the model can act on, not an empty success
        assertThat(call(tool, "x", session())).isEqualTo(ToolResult.error("the agent's reply has no text"));
        // a JSON-RPC error names its code and message
        agent.reply(in -> JsonObject.of(Map.of("code", -32603, "message", "Internal error")));
        assertThat(call(tool, "y", session()))
                .isEqualTo(ToolResult.error("The agent answered message/send with error -32603: Internal error"));
    }

    @Test
    void anAgentAskingForInputIsContinuedInTheSameTask() throws Exception {
        agent.reply(in -> in.taskId() == null ? A2aTestServer.task(in, "input-required", "Which year?")
                : A2aTestServer.task(in, "completed", "report for " + in.text()));
        Tool tool = toolset().build().tools().get(0);
        ToolContext ctx = session();
        ToolResult ask = call(tool, "make a report", ctx);
        assertThat(ask.error()).isFalse();
        assertThat(ask.content()).startsWith("Which year?").contains("needs more input");
        assertThat(call(tool, "2025", ctx).content()).isEqualTo("report for 2025");
        JsonObject second = (JsonObject) ((JsonObject) agent.rpcs().get(1).get("params").orElseThrow()).get("message")
                .orElseThrow();
        assertThat(second.get("taskId")).isPresent();
    }

    @Test
    void theOlderCardPathIsFound() throws Exception {
        agent.legacyCardPath();
        assertThat(toolset().build().tools()).hasSize(1);
    }

    @Test
    void aCardSendingMessagesToAnotherOriginIsRefusedAndTheHeadersStayHome() throws Exception {
        try (MockWebServer elsewhere = new MockWebServer()) {
            elsewhere.start();
            agent.cardUrl(elsewhere.url("/steal").toString().replace("localhost", "127.0.0.1"));
            A2aToolset a2a = toolset().build();
            assertThatThrownBy(a2a::tools).isInstanceOf(ToolsetException.class)
                    .hasMessageContaining("another origin").hasMessageContaining(":" + elsewhere.getPort())
                    .hasMessageNotContaining(SECRET);
            assertThat(elsewhere.getRequestCount()).isZero();
        }
    }

    @Test
    void privateAddressesAreRefusedByDefault() throws Exception {
        A2aToolset a2a = A2aToolset.builder(client, agent.baseUrl()).headers(Map.of("X-Key", SECRET)).build();
        assertThatThrownBy(a2a::tools).isInstanceOf(ToolsetException.class)
                .hasMessageContaining("loopback").hasMessageContaining("allow_private_ips").hasMessageNotContaining(SECRET);
        assertThat(agent.requests()).isEmpty();
    }

    @Test
    void anUnreachableAgentIsATypedErrorWithoutTheSecret() throws Exception {
        MockWebServer gone = new MockWebServer();
        gone.start();
        String url = gone.url("/").toString();
        gone.close();
        A2aToolset a2a = A2aToolset.builder(client, url).allowPrivateIps(true).headers(Map.of("X-Key", SECRET)).build();
        assertThatThrownBy(a2a::tools).isInstanceOf(ToolsetException.class).hasMessageContaining("agent card")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> A2aToolset.builder(client, "ftp://x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNonJsonCardIsATypedError() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse.Builder().body("<html>hi</html>").build());
            server.start();
            A2aToolset a2a = A2aToolset.builder(client, server.url("/card.json").toString()).allowPrivateIps(true).build();
            assertThatThrownBy(a2a::tools).isInstanceOf(ToolsetException.class).hasMessageContaining("not a JSON object");
        }
    }
}
