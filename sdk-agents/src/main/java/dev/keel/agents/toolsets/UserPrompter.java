package dev.keel.agents.toolsets;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.util.Objects;

/**
 * How the host application answers an agent's question ({@code user_prompt}, see {@link UserPromptToolset}): show
 * it to a person (a web form, a chat message, a ticket) and return what they said. Called on the thread running
 * the agent, which waits for the answer; implementations must be thread-safe, since agents of several sessions
 * may ask at once.
 *
 * <pre>{@code
 * UserPrompter prompter = q -> {
 *     String reply = myUi.ask(q.title(), q.message());
 *     return reply == null ? UserPrompter.Answer.cancel() : UserPrompter.Answer.accept(JsonValue.of(reply));
 * };
 * }</pre>
 */
@FunctionalInterface
public interface UserPrompter {

    /**
     * Asks the user.
     *
     * @param question what the agent asks
     * @return the user's answer
     * @throws Exception when asking fails; the agent sees the message as a tool error
     */
    Answer ask(Question question) throws Exception;

    /**
     * An agent's question.
     *
     * @param agent     the asking agent
     * @param sessionId its session
     * @param title     a short title ({@code Question} when the agent gave none)
     * @param message   the question
     * @param schema    the JSON schema the answer's content should follow, or {@code null} for free text
     */
    record Question(String agent, String sessionId, String title, String message, JsonObject schema) {
        /**
         * Checks the fields.
         *
         * @param agent     the asking agent
         * @param sessionId its session
         * @param title     a short title
         * @param message   the question
         * @param schema    the expected shape of the answer, or {@code null}
         */
        public Question {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(message, "message");
        }
    }

    /** What the user did with the question (docker-agent's elicitation actions). */
    enum Action {
        /** The user answered. */
        ACCEPT,
        /** The user refused to answer. */
        DECLINE,
        /** The user dismissed the question. */
        CANCEL
    }

    /**
     * The user's answer.
     *
     * @param action  what the user did
     * @param content the answer when accepted, else {@link dev.keel.core.json.JsonNull}
     */
    record Answer(Action action, JsonValue content) {
        /**
         * Checks the fields.
         *
         * @param action  what the user did
         * @param content the answer
         */
        public Answer {
            Objects.requireNonNull(action, "action");
            content = content == null ? JsonValue.of(null) : content;
        }

        /**
         * An accepted answer.
         *
         * @param content the answer (text, or an object following the question's schema)
         * @return the answer
         */
        public static Answer accept(JsonValue content) {
            return new Answer(Action.ACCEPT, content);
        }

        /**
         * The user declined.
         *
         * @return the answer
         */
        public static Answer decline() {
            return new Answer(Action.DECLINE, null);
        }

        /**
         * The user cancelled.
         *
         * @return the answer
         */
        public static Answer cancel() {
            return new Answer(Action.CANCEL, null);
        }
    }
}
