package dev.keel.agents.session;

import java.util.Objects;

/**
 * The earlier sessions the {@code session_context} tools may read: a store (usually the runner's own,
 * {@code Runner.Builder.sessions(store)}) and the scope that decides, per running session, which of its sessions
 * are visible. Giving one is the host application's consent to show earlier conversations to the model; without
 * it the tools answer with an error naming what to configure. Immutable.
 *
 * @param store where the earlier sessions are kept (it must list: {@link SessionStore#list(String, int)})
 * @param scope which of them a run may see (see {@link SessionScope} for services with many users)
 */
public record SessionHistory(SessionStore store, SessionScope scope) {
    /**
     * Checks the values.
     *
     * @param store where the earlier sessions are kept
     * @param scope which of them a run may see
     */
    public SessionHistory {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(scope, "scope");
    }
}
