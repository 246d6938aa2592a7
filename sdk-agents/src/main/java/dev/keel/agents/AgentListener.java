package dev.keel.agents;

/**
 * Receives a runner's events as they happen, on the thread that produced them (events of parallel tool
 * calls and delegations arrive from several threads). Must be quick and thread-safe; an exception it
 * throws is logged and ignored.
 */
@FunctionalInterface
public interface AgentListener {
    /**
     * Receives one event; called on the thread that produced it, so it must not block for long.
     *
     * @param event the event
     */
    void onEvent(AgentEvent event);
}
