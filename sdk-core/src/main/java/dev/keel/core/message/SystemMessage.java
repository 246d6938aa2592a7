package dev.keel.core.message;

import java.util.Objects;

/**
 * A system instruction. {@code text} is never null.
 *
 * @param text the instruction
 */
public record SystemMessage(String text) implements Message {
    /**
     * Creates the message.
     *
     * @param text the instruction
     */
    public SystemMessage {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public Role role() {
        return Role.SYSTEM;
    }
}
