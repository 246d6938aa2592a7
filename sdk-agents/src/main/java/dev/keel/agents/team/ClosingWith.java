package dev.keel.agents.team;

import dev.keel.agents.tool.Toolset;
import java.util.Objects;

/**
 * A toolset that releases one more resource when it closes — what was made for it alone when the team started,
 * such as the configuration file of a Docker MCP gateway. The resource is released even when the toolset's own
 * close fails. Thread-safe when the delegate is.
 */
final class ClosingWith extends ForwardingToolset {
    private final AutoCloseable resource;

    ClosingWith(Toolset delegate, AutoCloseable resource) {
        super(delegate);
        this.resource = Objects.requireNonNull(resource, "resource");
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            try {
                resource.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(ClosingWith.class).warn("toolset '{}': cannot release {}: {}",
                        delegate.name(), resource, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
