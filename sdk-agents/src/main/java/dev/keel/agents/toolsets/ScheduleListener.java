package dev.keel.agents.toolsets;

/**
 * Wakes the host application when a session has a schedule due while no run of that session is active (a Keel run
 * ends when its agent answers, so nothing else would tell the schedule's prompt to the session). The host usually
 * answers by running the session again, for example {@code runner.run(store.load(sessionId), "Scheduled work is
 * due.")}: the run tells the due schedules to the session before its first model call.
 *
 * <p>Called by {@link SchedulerToolset#fireDue()}, on the toolset's timer thread (or on the thread of a host that
 * calls {@code fireDue()} itself), never while the toolset holds a lock: running the session right in the callback
 * works, but holds up the other schedules of the toolset for as long as the run lasts, so a service usually hands the
 * session to its own executor. Called once per due episode: not again for that session until one of its runs has
 * taken the due schedules, unless the call threw, in which case it is called again
 * {@link SchedulerToolset#RETRY_DELAY} later.
 */
@FunctionalInterface
public interface ScheduleListener {
    /**
     * Session {@code sessionId} has schedules due and no run of it is active.
     *
     * @param sessionId the session that created the schedules (the top-level session of the run, never a delegated
     *                  sub-session)
     * @throws Exception when the host could not take the session on; the call is repeated after
     *                   {@link SchedulerToolset#RETRY_DELAY}
     */
    void scheduleDue(String sessionId) throws Exception;
}
