package dev.keel.core.langchain4j;

import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
import dev.keel.core.ResponseFormat;
import dev.keel.core.Usage;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.ToolSpec;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.output.TokenUsage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts requests, messages, responses and errors between Keel and LangChain4j. Stateless.
 *
 * <p>What does not survive: Keel's {@code parallelToolCalls}, {@code thinkingBudget} and {@code seed}
 * options and the strictness of a JSON Schema response format (LangChain4j's generic request has no
 * such fields); the {@code error} flag of a tool result (LangChain4j's tool result has none; the text
 * already explains the failure); LangChain4j's {@code topK} and {@code toolChoice} in the reverse direction.
 */
final class Conversion {
    private Conversion() {}

    // ---- Keel -> LangChain4j -------------------------------------------------------------------

    static dev.langchain4j.model.chat.request.ChatRequest toLangChain4j(ChatRequest request) {
        ChatOptions o = request.options();
        var b = dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(request.messages().stream().map(Conversion::toLangChain4j).toList())
                .modelName(o.model())
                .temperature(o.temperature())
                .topP(o.topP())
                .maxOutputTokens(o.maxTokens())
                .presencePenalty(o.presencePenalty())
                .frequencyPenalty(o.frequencyPenalty());
        if (!o.stop().isEmpty()) {
            b.stopSequences(o.stop());
        }
        if (!request.tools().isEmpty()) {
            b.toolSpecifications(request.tools().stream().map(Conversion::toLangChain4j).toList());
        }
        if (o.responseFormat() != null) {
            b.responseFormat(toLangChain4j(o.responseFormat()));
        }
        return b.build();
    }

    static ChatMessage toLangChain4j(Message message) {
        if (message instanceof SystemMessage s) {
            return dev.langchain4j.data.message.SystemMessage.from(s.text());
        }
        if (message instanceof UserMessage u) {
            return dev.langchain4j.data.message.UserMessage.from(u.text());
        }
        if (message instanceof AssistantMessage a) {
            return AiMessage.builder()
                    .text(a.text().isEmpty() ? null : a.text())
                    .toolExecutionRequests(a.toolCalls().stream().map(Conversion::toLangChain4j).toList())
                    .build();
        }
        ToolResultMessage t = (ToolResultMessage) message;
        return ToolExecutionResultMessage.from(t.toolCallId(), t.toolName(), t.content());
    }

    static ToolExecutionRequest toLangChain4j(ToolCall call) {
        return ToolExecutionRequest.builder().id(call.id()).name(call.name()).arguments(call.arguments()).build();
    }

    static ToolSpecification toLangChain4j(ToolSpec tool) {
        return ToolSpecification.builder()
                .name(tool.name())
                .description(tool.description().isEmpty() ? null : tool.description())
                .parameters(SchemaConversion.toObjectSchema(tool.parameters()))
                .build();
    }

    static dev.langchain4j.model.chat.request.ResponseFormat toLangChain4j(ResponseFormat format) {
        if (format instanceof ResponseFormat.JsonSchemaFormat s) {
            return dev.langchain4j.model.chat.request.ResponseFormat.builder()
                    .type(ResponseFormatType.JSON)
                    .jsonSchema(dev.langchain4j.model.chat.request.json.JsonSchema.builder()
                            .name(s.name())
                            .rootElement(SchemaConversion.toElement(s.schema()))
                            .build())
                    .build();
        }
        return format instanceof ResponseFormat.JsonObject
                ? dev.langchain4j.model.chat.request.ResponseFormat.JSON
                : dev.langchain4j.model.chat.request.ResponseFormat.TEXT;
    }

    static dev.langchain4j.model.chat.response.ChatResponse toLangChain4j(ChatResponse response) {
        AssistantMessage m = response.message();
        return dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage((AiMessage) toLangChain4j(m))
                .id(response.id().isEmpty() ? null : response.id())
                .modelName(response.model().isEmpty() ? null : response.model())
                .tokenUsage(new TokenUsage(Math.toIntExact(response.usage().inputTokens()),
                        Math.toIntExact(response.usage().outputTokens())))
                .finishReason(switch (response.finishReason()) {
                    case STOP -> dev.langchain4j.model.output.FinishReason.STOP;
                    case LENGTH -> dev.langchain4j.model.output.FinishReason.LENGTH;
                    case TOOL_CALLS -> dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION;
                    case CONTENT_FILTER -> dev.langchain4j.model.output.FinishReason.CONTENT_FILTER;
                    case OTHER -> dev.langchain4j.model.output.FinishReason.OTHER;
                })
                .build();
    }

    /** A Keel failure as the LangChain4j exception a LangChain4j caller would expect. */
    static LangChain4jException toLangChain4j(ModelException e) {
        if (e instanceof ModelException.Authentication || e instanceof ModelException.MissingVariable) {
            return new AuthenticationException(e.getMessage(), e);
        }
        if (e instanceof ModelException.RateLimited) {
            return new RateLimitException(e.getMessage(), e);
        }
        if (e instanceof ModelException.Timeout) {
            return new TimeoutException(e.getMessage(), e);
        }
        if (e instanceof ModelException.ServerError) {
            return new InternalServerException(e.getMessage(), e);
        }
        if (e instanceof ModelException.BadRequest || e instanceof ModelException.ContextTooLong
                || e instanceof ModelException.ContentBlocked) {
            return new InvalidRequestException(e.getMessage(), e);
        }
        return new LangChain4jException(e.getMessage(), e);
    }

    // ---- LangChain4j -> Keel -------------------------------------------------------------------

    static ChatRequest fromLangChain4j(dev.langchain4j.model.chat.request.ChatRequest request) {
        List<Message> messages = request.messages().stream().map(Conversion::fromLangChain4j).toList();
        List<ToolSpec> tools = request.toolSpecifications() == null ? List.of()
                : request.toolSpecifications().stream().map(Conversion::fromLangChain4j).toList();
        ChatOptions options = ChatOptions.builder()
                .model(request.modelName())
                .temperature(request.temperature())
                .topP(request.topP())
                .maxTokens(request.maxOutputTokens())
                .presencePenalty(request.presencePenalty())
                .frequencyPenalty(request.frequencyPenalty())
                .stop(request.stopSequences() == null ? List.of() : request.stopSequences())
                .responseFormat(request.responseFormat() == null ? null : fromLangChain4j(request.responseFormat()))
                .build();
        return new ChatRequest(messages, tools, options);
    }

    static Message fromLangChain4j(ChatMessage message) {
        if (message instanceof dev.langchain4j.data.message.SystemMessage s) {
            return Message.system(s.text());
        }
        if (message instanceof dev.langchain4j.data.message.UserMessage u) {
            return Message.user(userText(u));
        }
        if (message instanceof AiMessage ai) {
            return fromLangChain4j(ai);
        }
        if (message instanceof ToolExecutionResultMessage t) {
            return new ToolResultMessage(t.id() == null ? "" : t.id(), t.toolName() == null ? "" : t.toolName(),
                    t.text() == null ? "" : t.text(), false);
        }
        throw new UnsupportedFeatureException("Keel models do not accept LangChain4j messages of type " + message.type());
    }

    private static String userText(dev.langchain4j.data.message.UserMessage u) {
        if (u.hasSingleText()) {
            return u.singleText();
        }
        StringBuilder text = new StringBuilder();
        for (Content c : u.contents()) {
            if (!(c instanceof TextContent t)) {
                throw new UnsupportedFeatureException("Keel models accept text user messages only, got " + c.type() + " content");
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(t.text());
        }
        return text.toString();
    }

    static AssistantMessage fromLangChain4j(AiMessage ai) {
        List<ToolCall> calls = new ArrayList<>();
        if (ai.toolExecutionRequests() != null) {
            for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                calls.add(fromLangChain4j(r, calls.size()));
            }
        }
        return new AssistantMessage(ai.text(), calls);
    }

    /**
     * Some LangChain4j models (for example Ollama's) do not assign tool-call ids; Keel needs one to pair a
     * result with its call, so a missing id becomes a stable {@code call_<index>}.
     */
    static ToolCall fromLangChain4j(ToolExecutionRequest r, int index) {
        String id = r.id() == null || r.id().isBlank() ? "call_" + index : r.id();
        return new ToolCall(id, r.name(), r.arguments());
    }

    static ToolSpec fromLangChain4j(ToolSpecification spec) {
        return new ToolSpec(spec.name(), spec.description(),
                spec.parameters() == null ? null : SchemaConversion.fromElement(spec.parameters()));
    }

    static ResponseFormat fromLangChain4j(dev.langchain4j.model.chat.request.ResponseFormat format) {
        if (format.type() == ResponseFormatType.TEXT) {
            return ResponseFormat.text();
        }
        if (format.jsonSchema() == null) {
            return ResponseFormat.jsonObject();
        }
        String name = format.jsonSchema().name() == null ? "response" : format.jsonSchema().name();
        return ResponseFormat.jsonSchema(name, SchemaConversion.fromElement(format.jsonSchema().rootElement()));
    }

    static ChatResponse fromLangChain4j(dev.langchain4j.model.chat.response.ChatResponse response) {
        AssistantMessage message = fromLangChain4j(response.aiMessage());
        return new ChatResponse(message, finishReason(response.finishReason(), message), usage(response.tokenUsage()),
                response.modelName(), response.id());
    }

    static FinishReason finishReason(dev.langchain4j.model.output.FinishReason reason, AssistantMessage message) {
        if (reason == null) {
            // Not every LangChain4j model reports one; tool calls imply the model is waiting for results.
            return message.hasToolCalls() ? FinishReason.TOOL_CALLS : FinishReason.OTHER;
        }
        return switch (reason) {
            case STOP -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case TOOL_EXECUTION -> FinishReason.TOOL_CALLS;
            case CONTENT_FILTER -> FinishReason.CONTENT_FILTER;
            case OTHER -> FinishReason.OTHER;
        };
    }

    static Usage usage(TokenUsage usage) {
        if (usage == null) {
            return Usage.ZERO;
        }
        return new Usage(orZero(usage.inputTokenCount()), orZero(usage.outputTokenCount()));
    }

    private static long orZero(Integer n) {
        return n == null ? 0 : Math.max(0, n);
    }

    /** Any failure of a wrapped LangChain4j model as the matching typed Keel exception. */
    static ModelException fromLangChain4j(String provider, Throwable error) {
        if (error instanceof ModelException keel) {
            return keel;
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        if (error instanceof AuthenticationException) {
            return new ModelException.Authentication(provider, 401, message);
        }
        if (error instanceof RateLimitException) {
            return new ModelException.RateLimited(provider, message, null);
        }
        if (error instanceof TimeoutException || error instanceof SocketTimeoutException
                || error instanceof java.util.concurrent.TimeoutException) {
            return new ModelException.Timeout(provider, message, error);
        }
        if (error instanceof InternalServerException) {
            return new ModelException.ServerError(provider, 500, message);
        }
        if (error instanceof InvalidRequestException || error instanceof ModelNotFoundException
                || error instanceof UnsupportedFeatureException) {
            return new ModelException.BadRequest(provider, 400, message);
        }
        if (error instanceof HttpException http) {
            int status = http.statusCode();
            if (status == 401 || status == 403) {
                return new ModelException.Authentication(provider, status, message);
            }
            if (status == 429) {
                return new ModelException.RateLimited(provider, message, null);
            }
            if (status >= 500) {
                return new ModelException.ServerError(provider, status, message);
            }
            return new ModelException.BadRequest(provider, status, message);
        }
        if (error instanceof IllegalArgumentException) {
            // LangChain4j validates its inputs with IllegalArgumentException (blank text, bad parameters).
            return new ModelException.BadRequest(provider, 0, message);
        }
        if (error instanceof IOException) {
            return new ModelException.Connection(provider, message, error);
        }
        if (error.getCause() != null && error.getCause() != error && !(error instanceof Error)) {
            // LangChain4j and HTTP clients often wrap the meaningful failure (for example a timeout).
            ModelException inner = fromLangChain4j(provider, error.getCause());
            if (!(inner instanceof ModelException.ServerError se && se.statusCode() == 0)) {
                return inner;
            }
        }
        return new ModelException.ServerError(provider, 0, "LangChain4j model failed: " + message);
    }
}
