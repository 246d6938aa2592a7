package dev.keel.core.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ModelException;
import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.internal.sse.SseParser;
import dev.keel.core.internal.json.Json;
import dev.keel.core.observe.ObservationContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * What every HTTP provider shares: sending JSON, mapping failures to typed exceptions through a
 * provider-specific {@link ErrorDecoder}, and reading a server-sent event stream. Every message it
 * produces has the API key redacted. Thread-safe; closing releases the client only when it was created
 * for this provider.
 */
public final class ProviderClient implements AutoCloseable {
    private static final MediaType JSON = MediaType.get("application/json");

    /** Turns a non-2xx response into the provider's typed exception. */
    @FunctionalInterface
    public interface ErrorDecoder {
        /**
         * @param status HTTP status
         * @param body   the response body, key already redacted (may be empty)
         * @param response the response (headers only; the body is consumed)
         */
        ModelException decode(int status, String body, Response response);
    }

    /** Receives events; returns false to stop reading (for example after a terminal event). */
    @FunctionalInterface
    public interface EventHandler {
        boolean onEvent(SseEvent event);
    }

    /** How an event stream ended. */
    public enum StreamEnd {
        /** The handler asked to stop. */
        STOPPED,
        /** The server closed the stream after a complete event. */
        END_OF_STREAM,
        /** The server closed the stream in the middle of an event. */
        CUT_MID_EVENT
    }

    private final String provider;
    private final OkHttpClient client;
    private final boolean ownsClient;
    private final Secret secret;
    private final ErrorDecoder errors;
    private final InterruptWatch interrupts;
    private volatile boolean closed;

    public ProviderClient(String provider, OkHttpClient client, boolean ownsClient, Secret secret, ErrorDecoder errors) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.secret = Objects.requireNonNull(secret, "secret");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.interrupts = new InterruptWatch("keel-" + provider + "-interrupt-watch");
    }

    /**
     * A client on {@code shared} when one was given (not closed with this client), otherwise on a new
     * client built from {@code config} that this client owns and closes.
     */
    public static ProviderClient create(String provider, HttpConfig config, OkHttpClient shared,
                                        Secret secret, ErrorDecoder errors) {
        boolean owns = shared == null;
        OkHttpClient http = owns ? HttpClients.create(config) : shared;
        return new ProviderClient(provider, http, owns, secret, errors);
    }

    public String provider() {
        return provider;
    }

    public Secret secret() {
        return secret;
    }

    /** A JSON request body. */
    public static RequestBody jsonBody(JsonNode body) {
        return RequestBody.create(Json.write(body), JSON);
    }

    /**
     * Executes {@code request} (retries happen inside the client) and returns the successful response,
     * which the caller must close.
     *
     * @throws ModelException for error statuses (decoded by the provider) and I/O failures
     */
    public Response execute(Request request) {
        return execute(newCall(request));
    }

    /** Executes a JSON call and parses the answer. */
    public JsonNode executeJson(Request request) {
        Call call = newCall(request);
        try (InterruptWatch.Registration watching = interrupts.watch(call); Response response = execute(call)) {
            String text;
            try {
                text = response.body() == null ? "" : response.body().string();
            } catch (IOException e) {
                throw ModelErrors.forIo(provider, "reading the response", e, secret);
            }
            return parseJson(text);
        }
    }

    /** Parses a JSON body; anything else is a {@code MalformedResponse} quoting the start of the text. */
    public JsonNode parseJson(String text) {
        try {
            JsonNode node = Json.mapper().readTree(text);
            if (node == null || !node.isObject()) {
                throw new ModelException.MalformedResponse(provider,
                        provider + " answered with something other than a JSON object: " + quote(text), null);
            }
            return node;
        } catch (IOException e) {
            throw new ModelException.MalformedResponse(provider,
                    provider + " answered with invalid JSON: " + quote(text), null);
        }
    }

    /** A redacted, shortened quote of {@code text} for messages. */
    public String quote(String text) {
        return "'" + ModelErrors.snippet(secret.redact(text == null ? "" : text)) + "'";
    }

    /**
     * Reads the response body as a server-sent event stream, handing each event to {@code handler}
     * as soon as it is complete. Closes the response. Interrupting the calling thread cancels the call
     * (here and in {@link #execute}), which then fails with {@code ModelException.Connection}.
     *
     * @throws ModelException for I/O failures while reading
     */
    public StreamEnd readEvents(Call call, Response response, EventHandler handler) {
        ArrayDeque<SseEvent> ready = new ArrayDeque<>();
        SseParser parser = new SseParser(ready::add);
        byte[] buffer = new byte[8192];
        try (InterruptWatch.Registration watching = interrupts.watch(call); response;
             InputStream in = response.body().byteStream()) {
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    call.cancel();
                    throw ModelErrors.interrupted(provider);
                }
                int n = in.read(buffer);
                if (n < 0) {
                    return parser.hasPartialEvent() ? StreamEnd.CUT_MID_EVENT : StreamEnd.END_OF_STREAM;
                }
                parser.feed(buffer, 0, n);
                while (!ready.isEmpty()) {
                    if (!handler.onEvent(ready.poll())) {
                        return StreamEnd.STOPPED;
                    }
                }
            }
        } catch (IOException e) {
            throw ModelErrors.forIo(provider, "reading the event stream", e, secret);
        }
    }

    /**
     * Starts a call for streaming; the caller passes both to {@link #readEvents}. The request carries the W3C
     * {@code traceparent} of the step that makes it, when that step is traced.
     */
    public Call newCall(Request request) {
        return client.newCall(traced(request));
    }

    /** {@code request} with the current observation context's {@code traceparent}, unless it has one already. */
    static Request traced(Request request) {
        if (request.header("traceparent") != null) {
            return request;
        }
        ObservationContext observing = ObservationContext.current();
        if (observing.isEmpty()) {
            return request;
        }
        return observing.traceparent().map(t -> request.newBuilder().header("traceparent", t).build()).orElse(request);
    }

    /** Like {@link #execute} for a call created with {@link #newCall}. */
    public Response execute(Call call) {
        if (closed) {
            throw new IllegalStateException(provider + " model is closed");
        }
        Response response;
        try (InterruptWatch.Registration watching = interrupts.watch(call)) {
            response = call.execute();
        } catch (IOException e) {
            throw ModelErrors.forIo(provider, "request to " + LogSafe.url(call.request().url()), e, secret);
        }
        if (response.isSuccessful()) {
            return response;
        }
        try (response) {
            String body;
            try {
                body = response.body() == null ? "" : response.body().string();
            } catch (IOException e) {
                body = "";
            }
            throw errors.decode(response.code(), secret.redact(body), response);
        }
    }

    /** Releases the client's connections and threads if this provider created it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        interrupts.close();
        if (ownsClient) {
            ExecutorService executor = client.dispatcher().executorService();
            executor.shutdown();
            client.connectionPool().evictAll();
        }
    }

    @Override
    public String toString() {
        return "ProviderClient[" + provider + "]";
    }
}
