package dev.keel.core.message;

import java.util.Objects;

/** A user turn. {@code text} is never null. */
public record UserMessage(String text) implements Message {
    public UserMessage {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public Role role() {
        return Role.USER;
    }
}
