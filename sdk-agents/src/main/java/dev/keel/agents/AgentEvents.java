package dev.keel.agents;

/**
 * A runner's event stream, for subscribing while it is in use:
 *
 * <pre>{@code
 * try (AgentEvents.Subscription live = runner.events().subscribe(ConsoleView::render)) {
 *     runner.run("Create a bank app");
 * }
 * }</pre>
 *
 * Listeners see the events of every run of the runner, on the threads that produce them (see
 * {@link AgentListener}). Thread-safe.
 */
@FunctionalInterface
public interface AgentEvents {

    /**
     * Adds {@code listener} until the returned subscription is closed.
     *
     * @param listener the listener to add
     * @return a subscription whose {@code close()} removes the listener
     */
    Subscription subscribe(AgentListener listener);

    /** A listener's registration; closing it (once or more) removes the listener. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
