package dev.keel.agents.internal.session;

import dev.keel.agents.internal.SessionCodec;
import dev.keel.agents.session.SessionHistory;
import dev.keel.agents.session.SessionListingUnsupportedException;
import dev.keel.agents.session.SessionStoreException;
import dev.keel.agents.session.SessionSummary;
import dev.keel.agents.session.StoredSession;
import dev.keel.agents.internal.Secrets;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.message.Message;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docker-agent's {@code session_context} toolset: {@code list_sessions(limit?)} and {@code read_session(session_id)}
 * over the earlier sessions the host's {@link SessionHistory} lets the running session see. The running session (with
 * its parent and sub-agent sessions) is never listed nor read; a session outside the scope answers exactly like one
 * that does not exist. Without a history the tools answer with an error naming what to configure. Stateless;
 * thread-safe.
 */
public final class SessionContextToolset implements Toolset {
    private static final Logger LOG = LoggerFactory.getLogger(SessionContextToolset.class);
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    static final int MAX_CHARS = 24_000;
    private static final int TITLE_CHARS = 80;
    static final String NOT_CONFIGURED = "no session history is available here: the host application gives one "
            + "with TeamServices.builder().sessionHistory(new SessionHistory(store, scope)), or "
            + "Toolsets.sessionContext(history) in code";

    private final SessionHistory history;

    private SessionContextToolset(SessionHistory history) {
        this.history = history;
    }

    /** The tools over {@code history}; null: every call answers that no history is configured. */
    public static SessionContextToolset of(SessionHistory history) {
        return new SessionContextToolset(history);
    }

    @Override
    public String name() {
        return "session_context";
    }

    @Override
    public String instructions() {
        return """
                ## Earlier sessions
                Work done in earlier sessions can be brought into this one instead of asking the user to repeat it.
                - `list_sessions(limit?)` names earlier sessions, the most recent first: id, title, when it was last \
                saved and how many messages it has. This session is never among them.
                - `read_session(session_id)` gives the conversation of one earlier session: an id from \
                `list_sessions`, or `-1` for the most recent, `-2` for the one before, and so on. A long conversation \
                is shortened from its beginning, so its latest messages are kept.
                List first, then read only a session that matters for the task at hand.""";
    }

    @Override
    public List<Tool> tools() {
        return List.of(
                Tool.of(ToolSpec.of("list_sessions", "List earlier sessions, the most recent first, with id, title, "
                        + "when each was last saved and its message count. The current session is never listed.",
                        JsonSchema.object().optional("limit", JsonSchema.integer("How many sessions to list at most, "
                                + "the most recent first: " + DEFAULT_LIMIT + " when absent or not positive, at most "
                                + MAX_LIMIT)).build()), true, (args, ctx) -> guarded(() -> list(
                                        clamp(args.integer("limit", 0)), ctx))),
                Tool.of(ToolSpec.of("read_session", "Read the conversation of an earlier session to use as context. "
                        + "Takes an id from list_sessions or a relative reference such as -1 (the most recent). A long "
                        + "conversation is shortened from its beginning, keeping the latest messages.",
                        JsonSchema.object().required("session_id", JsonSchema.string("An id from list_sessions, or -1 "
                                + "for the most recent earlier session, -2 for the one before, …")).build()), true,
                        (args, ctx) -> guarded(() -> read(args.string("session_id").strip(), ctx))));
    }

    static int clamp(long limit) {
        return limit <= 0 ? DEFAULT_LIMIT : (int) Math.min(limit, MAX_LIMIT);
    }

    @FunctionalInterface
    private interface Answer {
        ToolResult get();
    }

    /** Store failures become tool errors: the model learns the history is unavailable, never SQL or paths. */
    private ToolResult guarded(Answer answer) {
        if (history == null) {
            return ToolResult.error(NOT_CONFIGURED);
        }
        try {
            return answer.get();
        } catch (SessionListingUnsupportedException e) {
            return ToolResult.error(e.getMessage());
        } catch (SessionStoreException e) {
            LOG.warn("session_context: the session history could not be read: {}", e.getMessage());
            return ToolResult.error("the session history cannot be read right now");
        }
    }

    /** Whether {@code id} is the running session, one it was delegated from, or one delegated from it. */
    static boolean ownRun(String current, String id) {
        return id.equals(current) || current.startsWith(id + "/") || id.startsWith(current + "/");
    }

    /** The newest {@code n} earlier sessions visible to the running session. */
    private List<SessionSummary> visible(ToolContext ctx, int n) {
        Optional<String> prefix = history.scope().prefix(ctx.sessionId());
        if (prefix.isEmpty()) {
            return List.of();
        }
        int ownRun = (int) ctx.sessionId().chars().filter(c -> c == '/').count() + 1;
        // The prefix is checked again here: a store of the host's own making might not filter.
        return history.store().list(prefix.get(), n + ownRun).stream()
                .filter(s -> s.id().startsWith(prefix.get()) && !ownRun(ctx.sessionId(), s.id()))
                .limit(n).toList();
    }

    private ToolResult list(int limit, ToolContext ctx) {
        List<JsonObject> out = new ArrayList<>();
        for (SessionSummary s : visible(ctx, limit)) {
            JsonObject.Builder entry = JsonObject.builder().put("id", s.id());
            Optional<SessionCodec.Data> data = readable(s.id());
            if (data.isEmpty()) {
                out.add(entry.put("unreadable", true).put("last_saved", s.updatedAt().toString()).build());
                continue;
            }
            out.add(entry.put("title", title(data.get().messages())).put("last_saved", s.updatedAt().toString())
                    .put("messages", conversation(data.get().messages()).size()).build());
        }
        return ToolResult.ok(JsonArray.of(out).toJson());
    }

    private ToolResult read(String ref, ToolContext ctx) {
        if (ref.isEmpty()) {
            return ToolResult.error("session_id is empty: give an id from list_sessions, or -1 for the most recent "
                    + "earlier session");
        }
        String id;
        if (ref.matches("-[0-9]+")) {
            String digits = ref.substring(1).replaceFirst("^0+", "");
            if (digits.isEmpty()) {
                return ToolResult.error("'" + ref + "' names no session: -1 is the most recent earlier session, -2 "
                        + "the one before");
            }
            if (digits.length() > 3 || Integer.parseInt(digits) > MAX_LIMIT) {
                return ToolResult.error("'" + ref + "' reaches too far back: relative references go to -" + MAX_LIMIT
                        + "; use an id from list_sessions");
            }
            int n = Integer.parseInt(digits);
            List<SessionSummary> seen = visible(ctx, n);
            if (seen.size() < n) {
                return ToolResult.error("'" + ref + "' names no session: there " + (seen.size() == 1 ? "is 1 earlier "
                        + "session" : "are " + seen.size() + " earlier sessions") + " you may read");
            }
            id = seen.get(n - 1).id();
        } else {
            id = ref;
            if (ownRun(ctx.sessionId(), id)) {
                return ToolResult.error("'" + id + "' is the session you are running in; read an earlier one");
            }
            Optional<String> prefix = history.scope().prefix(ctx.sessionId());
            if (prefix.isEmpty() || !id.startsWith(prefix.get())) {
                return notFound(id);
            }
        }
        Optional<StoredSession> stored = history.store().load(id);
        if (stored.isEmpty()) {
            return notFound(id);
        }
        Optional<SessionCodec.Data> data = parse(stored.get());
        if (data.isEmpty()) {
            return ToolResult.error("session '" + id + "' is stored in a form that cannot be read");
        }
        List<Message> messages = data.get().messages();
        return ToolResult.ok(Transcript.render(id, title(messages), stored.get().updatedAt(), messages, MAX_CHARS));
    }

    /** The same answer whether the session does not exist or is outside the scope: existence is not revealed. */
    private static ToolResult notFound(String id) {
        return ToolResult.error("there is no earlier session '" + id + "' that you may read; list_sessions names "
                + "them");
    }

    private Optional<SessionCodec.Data> readable(String id) {
        return history.store().load(id).flatMap(SessionContextToolset::parse);
    }

    private static Optional<SessionCodec.Data> parse(StoredSession s) {
        try {
            SessionCodec.Data d = SessionCodec.read(s.json());
            if (!d.id().equals(s.id())) {
                throw new JsonParseException("it holds session " + d.id());
            }
            return Optional.of(d);
        } catch (JsonParseException | IllegalArgumentException e) {
            LOG.warn("session_context: stored session {} cannot be read: {}", s.id(), e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    private static List<Message> conversation(List<Message> messages) {
        return messages.stream().filter(m -> !(m instanceof dev.keel.core.message.SystemMessage)).toList();
    }

    /** The first user message on one line, shortened: Keel sessions have no title of their own. */
    static String title(List<Message> messages) {
        String first = messages.stream().filter(UserMessage.class::isInstance).map(m -> ((UserMessage) m).text())
                .map(t -> t.strip().replaceAll("\\s+", " ")).filter(t -> !t.isEmpty()).findFirst().orElse("(untitled)");
        first = Secrets.redact(first);
        return first.length() <= TITLE_CHARS ? first : first.substring(0, TITLE_CHARS - 1) + "…";
    }

    @Override
    public String toString() {
        return "SessionContextToolset[" + (history == null ? "no history" : history.store() + ", " + history.scope())
                + "]";
    }
}
