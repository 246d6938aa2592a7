package dev.keel.core.message;

import java.util.Objects;

/**
 * A user turn. {@code text} is never null.
 *
 * @param text the user's text
 */
public record UserMessage(String text) implements Message {
    /**
     * Creates the message.
     *
     * @param text the user's text
     */
    public UserMessage {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public Role role() {
        return Role.USER;
    }
}
