package dev.keel.testing.safety;

import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.core.ChatRequest;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.secrets.SecretScanner;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.internal.safety.TextOverlap;
import dev.keel.testing.model.RecordedChatRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What was sent to a model: one entry per request, each with where it came from and every text it carried
 * (system prompt, messages, tool calls and results, tool descriptions). Taken from the scripted model server's
 * requests, from a run recording, or from {@link ChatRequest}s; then checked with the safety assertions:
 *
 * <pre>{@code
 * ModelTraffic traffic = ModelTraffic.of(llm.requests());
 * traffic.assertNoSecret();                                   // no key-shaped text, no key variable's value
 * traffic.assertNoTextFrom(Map.of("document:roadmap", roadmapText));
 * DocumentPermissions.of(spicedb, "read").assertNoUnreadableText(traffic, user, documents);
 * }</pre>
 *
 * <p>The assertions throw {@link AssertionError} (any test framework reports it) naming the request and what
 * was found — never a secret's value. Immutable and thread-safe.
 */
public final class ModelTraffic {
    /**
     * One request to a model.
     *
     * @param label where it came from, for example {@code request #2 POST /v1/chat/completions} or
     *              {@code model call of agent 'qa', turn 1 (session s1/0.0:qa)}
     * @param texts every text the request carried, in request order
     * @param raw   the request as sent when known (the HTTP body), else the texts joined
     */
    public record Request(String label, List<String> texts, String raw) {
        /**
         * Checks the values and copies the list.
         *
         * @param label where it came from
         * @param texts every text the request carried
         * @param raw   the request as sent, or the texts joined
         */
        public Request {
            Objects.requireNonNull(label, "label");
            texts = List.copyOf(texts);
            Objects.requireNonNull(raw, "raw");
        }
    }

    private final List<Request> requests;

    private ModelTraffic(List<Request> requests) {
        this.requests = List.copyOf(requests);
    }

    /**
     * The requests a {@link dev.keel.testing.model.ScriptedModelServer} received: every string of each JSON body.
     *
     * @param requests the server's {@code requests()}
     * @return the traffic
     */
    public static ModelTraffic of(List<RecordedChatRequest> requests) {
        List<Request> out = new ArrayList<>();
        for (RecordedChatRequest r : requests) {
            List<String> texts = new ArrayList<>();
            try {
                strings(JsonValue.parse(r.body()), texts);
            } catch (JsonParseException e) {
                texts.add(r.body()); // not JSON: the body is the text
            }
            out.add(new Request("request #" + r.sequence() + " " + r.path(), texts, r.body()));
        }
        return new ModelTraffic(out);
    }

    /**
     * Requests as Keel built them (for example what a model decorator saw).
     *
     * @param requests the requests, in the order they were sent
     * @return the traffic
     */
    public static ModelTraffic ofRequests(List<ChatRequest> requests) {
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            List<String> texts = texts(requests.get(i));
            out.add(new Request("request #" + i, texts, String.join("\n", texts)));
        }
        return new ModelTraffic(out);
    }

    /**
     * The model calls of a run recording (needs sdk-agents), each labelled with its agent, session and turn.
     *
     * @param run the recording
     * @return the traffic
     */
    public static ModelTraffic ofRecording(RecordedRun run) {
        List<Request> out = new ArrayList<>();
        for (RecordedStep.ModelCall call : run.modelCalls()) {
            List<String> texts = texts(call.request());
            out.add(new Request("model call of " + call.tag().describe(), texts, String.join("\n", texts)));
        }
        return new ModelTraffic(out);
    }

    /**
     * Requests given as plain texts, for traffic captured some other way.
     *
     * @param texts one text per request
     * @return the traffic
     */
    public static ModelTraffic ofTexts(Collection<String> texts) {
        List<Request> out = new ArrayList<>();
        int i = 0;
        for (String t : texts) {
            out.add(new Request("request #" + i++, List.of(t), t));
        }
        return new ModelTraffic(out);
    }

    /**
     * The requests.
     *
     * @return the requests, in order
     */
    public List<Request> requests() {
        return requests;
    }

    /**
     * Asserts that no request carries a secret: the values of the usual key variables
     * ({@link SecretScanner#DEFAULT_KEY_ENV_VARS}) and key shapes ({@code sk-…}, {@code ghp_…}, {@code AKIA…},
     * bearer tokens, private keys).
     *
     * @throws AssertionError naming each request and the rule that matched, never the secret
     */
    public void assertNoSecret() {
        assertNoSecret(SecretScanner.defaults());
    }

    /**
     * Asserts that no request carries anything {@code scanner} finds (add your own secrets and variables to it).
     * HTTP headers are not looked at (a provider key belongs there); bodies are, raw and decoded.
     *
     * @param scanner what counts as a secret
     * @throws AssertionError naming each request and the rule that matched, never the secret
     */
    public void assertNoSecret(SecretScanner scanner) {
        Objects.requireNonNull(scanner, "scanner");
        List<String> found = new ArrayList<>();
        for (Request r : requests) {
            Optional<SecretScanner.Finding> hit = scanner.find(r.raw());
            for (String t : r.texts()) {
                if (hit.isPresent()) {
                    break;
                }
                hit = scanner.find(t);
            }
            hit.ifPresent(f -> found.add(r.label() + ": " + f.rule()));
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " of " + requests.size() + " model requests carry a secret:\n  "
                    + String.join("\n  ", found));
        }
    }

    /**
     * Asserts that no request carries text from any of {@code documents}: no run of
     * eight consecutive words of a document (the whole document when shorter), compared
     * without case, punctuation or line breaks, so a passage quoted, re-wrapped or JSON-escaped still counts.
     *
     * @param documents the texts that must not reach the model, by name (for example {@code document:roadmap})
     * @throws AssertionError naming each request, the document and the words found
     */
    public void assertNoTextFrom(Map<String, String> documents) {
        assertNoTextFrom(documents, TextOverlap.DEFAULT_WORDS);
    }

    /**
     * Like {@link #assertNoTextFrom(Map)}, with the run of words that counts as a leak.
     *
     * @param documents the texts that must not reach the model, by name
     * @param words     how many consecutive words of a document count as a leak (at least 3)
     * @throws AssertionError naming each request, the document and the words found
     */
    public void assertNoTextFrom(Map<String, String> documents, int words) {
        List<String> leaks = leaks(documents, words);
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leak(s) of protected text into model requests:\n  "
                    + String.join("\n  ", leaks));
        }
    }

    /** {@code request: document: "words"} for each request that carries text of a document. */
    List<String> leaks(Map<String, String> documents, int words) {
        TextOverlap overlap = TextOverlap.of(documents, words);
        List<String> out = new ArrayList<>();
        for (Request r : requests) {
            for (TextOverlap.Hit hit : overlap.find(String.join("\n", r.texts()))) {
                out.add(r.label() + ": text of " + hit.document() + ": \"" + hit.words() + "\"");
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ModelTraffic[" + requests.size() + " requests]";
    }

    private static void strings(JsonValue v, List<String> out) {
        if (v instanceof JsonString s) {
            out.add(s.value());
        } else if (v instanceof JsonObject o) {
            o.members().values().forEach(m -> strings(m, out));
        } else if (v instanceof JsonArray a) {
            a.items().forEach(m -> strings(m, out));
        }
    }

    private static List<String> texts(ChatRequest request) {
        List<String> texts = new ArrayList<>();
        for (ToolSpec t : request.tools()) {
            texts.add(t.name() + ": " + t.description());
        }
        for (Message m : request.messages()) {
            if (m instanceof SystemMessage s) {
                texts.add(s.text());
            } else if (m instanceof UserMessage u) {
                texts.add(u.text());
            } else if (m instanceof AssistantMessage a) {
                texts.add(a.text());
                for (ToolCall c : a.toolCalls()) {
                    texts.add(c.name() + " " + c.arguments());
                }
            } else if (m instanceof ToolResultMessage t) {
                texts.add(t.content());
            }
        }
        return texts;
    }
}
