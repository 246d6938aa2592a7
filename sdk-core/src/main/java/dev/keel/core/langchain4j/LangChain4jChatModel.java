package dev.keel.core.langchain4j;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A LangChain4j chat model (blocking, streaming, or both) seen as a Keel {@link ChatModel}. Thread-safe
 * when the wrapped models are (LangChain4j's provider models are).
 */
final class LangChain4jChatModel implements ChatModel {
    static final String PROVIDER = "langchain4j";

    private final dev.langchain4j.model.chat.ChatModel chat;
    private final StreamingChatModel streaming;

    LangChain4jChatModel(dev.langchain4j.model.chat.ChatModel chat, StreamingChatModel streaming) {
        if (chat == null && streaming == null) {
            throw new IllegalArgumentException("need a LangChain4j ChatModel or StreamingChatModel");
        }
        this.chat = chat;
        this.streaming = streaming;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        if (chat == null) {
            return stream(request, new StreamListener() {});
        }
        dev.langchain4j.model.chat.request.ChatRequest converted = Conversion.toLangChain4j(request);
        dev.langchain4j.model.chat.response.ChatResponse answer;
        try {
            answer = chat.chat(converted);
        } catch (RuntimeException e) {
            throw Conversion.fromLangChain4j(PROVIDER, e);
        }
        return convert(answer);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        if (streaming == null) {
            return ChatModel.super.stream(request, listener);
        }
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        AtomicReference<StreamingHandle> handle = new AtomicReference<>();
        try {
            streaming.chat(Conversion.toLangChain4j(request), new QueueingHandler(events, handle));
        } catch (RuntimeException e) {
            events.add(new Failure(e));
        }
        // LangChain4j calls the handler on its own threads; Keel promises the listener runs on the caller's.
        boolean sawCompleteToolCall = false;
        try {
            while (true) {
                Object event = events.take();
                if (event instanceof String text) {
                    listener.onText(text);
                } else if (event instanceof PartialToolCall p) {
                    listener.onToolCallDelta(p.index(), p.id(), p.name(), p.partialArguments());
                } else if (event instanceof CompleteToolCall c) {
                    sawCompleteToolCall = true;
                    listener.onToolCall(Conversion.fromLangChain4j(c.toolExecutionRequest(), c.index()));
                } else if (event instanceof Failure f) {
                    throw fail(listener, Conversion.fromLangChain4j(PROVIDER, f.error()));
                } else {
                    var done = (dev.langchain4j.model.chat.response.ChatResponse) event;
                    ChatResponse response;
                    try {
                        response = convert(done);
                    } catch (ModelException e) {
                        throw fail(listener, e);
                    }
                    if (!sawCompleteToolCall) {
                        // Models that only report tool calls in the final response still get them announced.
                        response.toolCalls().forEach(listener::onToolCall);
                    }
                    if (done.tokenUsage() != null) {
                        listener.onUsage(response.usage());
                    }
                    listener.onComplete(response);
                    return response;
                }
            }
        } catch (InterruptedException e) {
            StreamingHandle h = handle.get();
            if (h != null) {
                h.cancel();
            }
            Thread.currentThread().interrupt();
            throw fail(listener, new ModelException.Connection(PROVIDER, "streaming call interrupted", e));
        }
    }

    private static ModelException fail(StreamListener listener, ModelException e) {
        listener.onError(e);
        return e;
    }

    private static ChatResponse convert(dev.langchain4j.model.chat.response.ChatResponse answer) {
        if (answer == null || answer.aiMessage() == null) {
            throw new ModelException.MalformedResponse(PROVIDER, "LangChain4j model returned no message", null);
        }
        try {
            return Conversion.fromLangChain4j(answer);
        } catch (RuntimeException e) {
            throw new ModelException.MalformedResponse(PROVIDER,
                    "cannot convert LangChain4j response: " + e.getMessage(), e);
        }
    }

    @Override
    public String id() {
        Object model = chat != null ? chat : streaming;
        return PROVIDER + ":" + model.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "LangChain4jChatModel[" + (chat == null ? "" : "chat=" + chat.getClass().getName())
                + (chat != null && streaming != null ? ", " : "")
                + (streaming == null ? "" : "streaming=" + streaming.getClass().getName()) + "]";
    }

    private record Failure(Throwable error) {}

    /** Moves every callback onto a queue drained by the calling thread. */
    private static final class QueueingHandler implements StreamingChatResponseHandler {
        private final BlockingQueue<Object> events;
        private final AtomicReference<StreamingHandle> handle;

        QueueingHandler(BlockingQueue<Object> events, AtomicReference<StreamingHandle> handle) {
            this.events = events;
            this.handle = handle;
        }

        @Override
        public void onPartialResponse(String partialResponse) {
            if (partialResponse != null && !partialResponse.isEmpty()) {
                events.add(partialResponse);
            }
        }

        @Override
        public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
            if (context != null) {
                handle.compareAndSet(null, context.streamingHandle());
            }
            onPartialResponse(partialResponse.text());
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall) {
            events.add(partialToolCall);
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
            if (context != null) {
                handle.compareAndSet(null, context.streamingHandle());
            }
            onPartialToolCall(partialToolCall);
        }

        @Override
        public void onCompleteToolCall(CompleteToolCall completeToolCall) {
            events.add(completeToolCall);
        }

        @Override
        public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse completeResponse) {
            if (completeResponse == null) {
                events.add(new Failure(new IllegalStateException("LangChain4j model completed without a response")));
            } else {
                events.add(completeResponse);
            }
        }

        @Override
        public void onError(Throwable error) {
            events.add(new Failure(error == null ? new IllegalStateException("unknown LangChain4j error") : error));
        }
    }
}
