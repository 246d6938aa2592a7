package dev.keel.core.message;

import java.util.Objects;

/** A system instruction. {@code text} is never null. */
public record SystemMessage(String text) implements Message {
    public SystemMessage {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public Role role() {
        return Role.SYSTEM;
    }
}
