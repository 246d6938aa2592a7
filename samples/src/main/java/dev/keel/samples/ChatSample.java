package dev.keel.samples;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.StreamListener;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.PrintStream;
import java.util.Map;

/**
 * {@code samples/run chat}: a streamed chat in which the model calls a tool, runs the tool, and streams
 * the final answer.
 *
 * <p>It runs on embedded defaults: the "model" is Keel's {@link ScriptedModelServer}, a real HTTP
 * server on loopback speaking the OpenAI Chat Completions wire format (SSE included), scripted to
 * answer like a model would. Everything between this class and that server — the OpenAI-compatible
 * provider, HTTP, SSE parsing, tool-call delta assembly — is the production code path; {@link #run}
 * works unchanged with any {@link ChatModel}, for example {@code Models.resolve("openai/gpt-5")}.
 */
public final class ChatSample {

    private ChatSample() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        try (ScriptedModelServer llm = ScriptedModelServer.start()) {
            llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo")).chunkSize(6).usage(52, 17))
               .respond(ScriptedReply.text("It is 4 °C and cloudy in Oslo — bring a warm jacket.").chunkSize(4).usage(81, 14));
            try (OpenAiCompatible model = model(llm)) {
                out.println("[scripted model server at " + llm.baseUrl() + " — labelled sample, not a real LLM]");
                run(model, out);
            }
        }
    }

    private static OpenAiCompatible model(ScriptedModelServer llm) {
        return OpenAiCompatible.builder()
                .providerName("scripted")
                .baseUrl(llm.baseUrl())
                .model("scripted-weather")
                .build();
    }

    static void run(ChatModel model, PrintStream out) {
        ToolSpec weather = ToolSpec.of("get_weather", "Current weather for a city",
                JsonSchema.object().required("city", JsonSchema.string("City name")).build());
        ChatRequest request = ChatRequest.of(
                        Message.system("You are terse. Use tools for facts."),
                        Message.user("What's the weather in Oslo?"))
                .withTools(weather);

        StreamListener printer = new StreamListener() {
            @Override
            public void onText(String delta) {
                out.print(delta);
                out.flush();
            }

            @Override
            public void onToolCall(ToolCall call) {
                out.println("→ tool call " + call.name() + " " + call.arguments() + " (id " + call.id() + ")");
            }
        };

        out.println("user: What's the weather in Oslo?");
        ChatResponse first = model.stream(request, printer);
        request = request.plus(first.message());
        for (ToolCall call : first.toolCalls()) {
            String result = getWeather(call.argumentsJson().get("city").flatMap(JsonValue::asString).orElse(""));
            out.println("← tool result " + result);
            request = request.plus(Message.toolResult(call, result));
        }
        out.print("assistant: ");
        ChatResponse answer = model.stream(request, printer);
        out.println();
        out.println("[finish=" + answer.finishReason() + ", tokens in=" + first.usage().plus(answer.usage()).inputTokens()
                + " out=" + first.usage().plus(answer.usage()).outputTokens() + "]");
    }

    private static String getWeather(String city) {
        return "{\"city\":\"" + city + "\",\"temperature_c\":4,\"sky\":\"cloudy\"}";
    }
}
