package dev.keel.agents.toolsets;

import dev.keel.agents.internal.HttpCalls;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonObject;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * docker-agent's {@code webhook} toolset: {@code send_webhook(message, value2, value3)} posts a notification to one
 * destination fixed by configuration (Slack, Discord, IFTTT, Telegram, Mattermost, Rocket.Chat, Google Chat, Teams
 * or a generic endpoint), in the JSON shape that service expects. The model only supplies the text; it never sees
 * or chooses the address, which usually holds a secret, and no error message repeats it. Retries are the HTTP
 * client's (Keel's clients retry a 429, a 5xx or a network failure with backoff, honouring {@code Retry-After});
 * the result is the final outcome. The same message sent again within {@value #DEDUPE_SECONDS} seconds is
 * suppressed. Non-public addresses are refused unless allowed. Delivery happens during the call (Keel has no way to
 * tell the agent later), so the result says whether it arrived. Thread-safe.
 */
public final class WebhookToolset implements Toolset {
    /** Seconds in which an identical message is not sent again. */
    public static final int DEDUPE_SECONDS = 30;
    private static final MediaType JSON = MediaType.get("application/json");
    /** The services whose payload shape is known; {@code generic} posts {@code {"text": …}}. */
    public static final Set<String> PROVIDERS = Set.of("slack", "discord", "ifttt", "telegram", "mattermost",
            "rocketchat", "googlechat", "teams", "generic");

    private final OkHttpClient client;
    private final String provider;
    private final HttpUrl url;
    private final String chatId;
    private final Map<String, String> headers;
    private final Clock clock;
    private final Map<String, Instant> recent = new HashMap<>();

    private WebhookToolset(Builder b) {
        this.provider = provider(b.provider);
        HttpUrl parsed = HttpUrl.parse(b.url);
        if (parsed == null) {
            throw new IllegalArgumentException("the webhook URL is not a valid http(s) URL");
        }
        if (provider.equals("telegram") && (b.chatId == null || b.chatId.isBlank())) {
            throw new IllegalArgumentException("a telegram webhook needs a chat_id");
        }
        HttpCalls.headers(b.headers);
        this.url = parsed;
        this.chatId = b.chatId;
        this.headers = Map.copyOf(b.headers);
        this.clock = b.clock;
        this.client = HttpCalls.derive(b.client, b.timeout, b.allowPrivateAddresses);
    }

    /** The canonical provider name; docker-agent's other spellings are accepted. */
    private static String provider(String p) {
        String name = p == null ? "" : p.strip().toLowerCase(Locale.ROOT);
        name = switch (name) {
            case "" -> "generic";
            case "google_chat", "gchat" -> "googlechat";
            case "msteams", "microsoftteams", "microsoft_teams" -> "teams";
            case "rocket.chat", "rocket_chat" -> "rocketchat";
            default -> name;
        };
        if (!PROVIDERS.contains(name)) {
            throw new IllegalArgumentException("unknown webhook provider '" + p + "'; the providers are "
                    + new java.util.TreeSet<>(PROVIDERS));
        }
        return name;
    }

    /**
     * A builder posting to {@code url} in {@code provider}'s shape through {@code client}.
     *
     * @param client the HTTP client (its pool is shared)
     * @param provider the service, one of {@link #PROVIDERS} (blank: generic)
     * @param url the endpoint; usually holds a secret
     * @return a builder
     */
    public static Builder builder(OkHttpClient client, String provider, String url) {
        return new Builder(client, provider, url);
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public String instructions() {
        return "send_webhook(message) delivers a notification to the destination configured for you; you do not choose "
                + "the destination. Failed deliveries are retried for you and identical messages sent again soon are "
                + "suppressed, so do not resend on your own.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(Tool.of(ToolSpec.of("send_webhook", "Send a notification to the configured " + provider
                        + " webhook. You only supply the message.",
                JsonSchema.object().required("message", JsonSchema.string("The message text to deliver"))
                        .optional("value2", JsonSchema.string("IFTTT value2 field (provider ifttt only)"))
                        .optional("value3", JsonSchema.string("IFTTT value3 field (provider ifttt only)")).build()),
                false, (args, ctx) -> send(args)));
    }

    private ToolResult send(ToolArguments args) {
        String message = args.string("message");
        if (message.isBlank()) {
            return ToolResult.error("message is empty");
        }
        String value2 = args.string("value2", "");
        String value3 = args.string("value3", "");
        String key = message + "\u0000" + value2 + "\u0000" + value3;
        Instant now = clock.instant();
        synchronized (recent) {
            recent.values().removeIf(at -> at.plusSeconds(DEDUPE_SECONDS).isBefore(now));
            if (recent.containsKey(key)) {
                return ToolResult.ok("Suppressed: the same message was delivered to the " + provider + " webhook in the "
                        + "last " + DEDUPE_SECONDS + " seconds.");
            }
            recent.put(key, now);
        }
        Request request = new Request.Builder().url(url).post(RequestBody.create(payload(message, value2, value3), JSON))
                .headers(HttpCalls.headers(headers)).build();
        try (okhttp3.Response r = client.newCall(request).execute()) {
            if (r.isSuccessful()) {
                return ToolResult.ok("Delivered to the " + provider + " webhook.");
            }
            forget(key);
            String body = r.body() == null ? "" : snippet(r.body().string());
            return ToolResult.error("delivery to the " + provider + " webhook failed: HTTP " + r.code()
                    + (body.isEmpty() ? "" : ": " + body));
        } catch (IOException e) {
            forget(key);
            // Never the exception's text as it is: OkHttp may put the URL, and with it the secret, in it.
            return ToolResult.error("delivery to the " + provider + " webhook failed: " + e.getClass().getSimpleName()
                    + scrub(e.getMessage()));
        }
    }

    private void forget(String key) {
        synchronized (recent) {
            recent.remove(key);
        }
    }

    private String scrub(String message) {
        if (message == null || message.isBlank()) {
            return "";
        }
        String s = message.replace(url.toString(), "<webhook url>");
        for (String segment : url.pathSegments()) {
            if (segment.length() >= 8) {
                s = s.replace(segment, "…");
            }
        }
        return ": " + s;
    }

    private static String snippet(String body) {
        String s = body.strip();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private String payload(String message, String value2, String value3) {
        Map<String, Object> p = new LinkedHashMap<>();
        switch (provider) {
            case "discord" -> p.put("content", message);
            case "ifttt" -> {
                p.put("value1", message);
                if (!value2.isEmpty()) {
                    p.put("value2", value2);
                }
                if (!value3.isEmpty()) {
                    p.put("value3", value3);
                }
            }
            case "telegram" -> {
                p.put("chat_id", chatId);
                p.put("text", message);
            }
            default -> p.put("text", message);
        }
        return JsonObject.of(p).toJson();
    }

    @Override
    public String toString() {
        // Not the URL: it usually holds a secret.
        return "WebhookToolset[" + provider + " " + url.host() + "]";
    }

    /** Builds a {@link WebhookToolset}. Not thread-safe. */
    public static final class Builder {
        private final OkHttpClient client;
        private final String provider;
        private final String url;
        private String chatId;
        private Map<String, String> headers = Map.of();
        private Duration timeout = Duration.ofSeconds(30);
        private boolean allowPrivateAddresses;
        private Clock clock = Clock.systemUTC();

        private Builder(OkHttpClient client, String provider, String url) {
            this.client = Objects.requireNonNull(client, "client");
            this.provider = provider;
            this.url = Objects.requireNonNull(url, "url");
        }

        /**
         * The destination chat (required for telegram).
         *
         * @param chatId the chat id
         * @return this builder
         */
        public Builder chatId(String chatId) {
            this.chatId = chatId;
            return this;
        }

        /**
         * Headers sent with every delivery (tokens, for example).
         *
         * @param headers the headers
         * @return this builder
         */
        public Builder headers(Map<String, String> headers) {
            this.headers = Map.copyOf(headers);
            return this;
        }

        /**
         * The time one attempt may take. Default 30 seconds.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Whether loopback, private and link-local addresses may be reached. Default false.
         *
         * @param allow whether to allow them
         * @return this builder
         */
        public Builder allowPrivateAddresses(boolean allow) {
            this.allowPrivateAddresses = allow;
            return this;
        }

        /**
         * The clock of the duplicate window. Default the system clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The toolset.
         *
         * @return the toolset
         * @throws IllegalArgumentException for an unknown provider, an invalid URL or header, or a telegram webhook
         *     without a chat id
         */
        public WebhookToolset build() {
            return new WebhookToolset(this);
        }
    }
}
